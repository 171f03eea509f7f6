"""The sandbox provider's webhook signature: Stripe's `t=…,v1=…` HMAC-SHA256 scheme and its edge cases."""

from __future__ import annotations

import pytest

from creatorly.providers.payments.sandbox_signing import SignatureInvalid, sign, verify

SECRET = "whsec_test"
BODY = b'{"id":"evt_1"}'
SIGNED_AT = 1_700_000_000
TOLERANCE = 300
# Computed independently: printf '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_test
KNOWN_SIGNATURE = "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"


def _verify(header: str, *, body: bytes = BODY, now: int = SIGNED_AT, secret: str = SECRET) -> None:
    verify(body, header, secret=secret, now=now, tolerance_seconds=TOLERANCE)


def test_sign_gives_the_timestamp_and_the_hmac_of_timestamp_dot_body() -> None:
    assert sign(BODY, secret=SECRET, timestamp=SIGNED_AT) == f"t={SIGNED_AT},v1={KNOWN_SIGNATURE}"


def test_a_fresh_signature_of_the_exact_body_is_accepted() -> None:
    _verify(sign(BODY, secret=SECRET, timestamp=SIGNED_AT))


def test_signature_invalid_is_a_value_error() -> None:
    assert issubclass(SignatureInvalid, ValueError)


def test_any_one_of_several_v1_signatures_may_match_and_other_schemes_are_ignored() -> None:
    header = f"t={SIGNED_AT},v1={'0' * 64},v0=legacy,v1={KNOWN_SIGNATURE}"
    _verify(header)
    _verify(f" t={SIGNED_AT} , v1={KNOWN_SIGNATURE} ")


@pytest.mark.parametrize(
    ("body", "secret"),
    [
        (b'{"id":"evt_2"}', SECRET),  # another body
        (b'{"id": "evt_1"}', SECRET),  # the same JSON re-serialised with other whitespace
        (BODY, "whsec_other"),  # signed with another secret
    ],
)
def test_a_signature_of_other_bytes_or_another_secret_is_rejected(body: bytes, secret: str) -> None:
    with pytest.raises(SignatureInvalid, match="no signature matches the body"):
        _verify(f"t={SIGNED_AT},v1={KNOWN_SIGNATURE}", body=body, secret=secret)


def test_a_signature_moved_to_another_timestamp_is_rejected() -> None:
    with pytest.raises(SignatureInvalid, match="no signature matches the body"):
        _verify(f"t={SIGNED_AT + 1},v1={KNOWN_SIGNATURE}")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "signature header is missing"),
        ("garbage", "signature header is garbled"),
        (f"t={SIGNED_AT};v1={KNOWN_SIGNATURE}", "signature header needs one t= and at least one v1="),
        (f"v1={KNOWN_SIGNATURE}", "signature header needs one t= and at least one v1="),
        (f"t={SIGNED_AT}", "signature header needs one t= and at least one v1="),
        (f"t={SIGNED_AT},t={SIGNED_AT},v1={KNOWN_SIGNATURE}", "signature header needs one t= and at least one v1="),
        (f"t=,v1={KNOWN_SIGNATURE}", "signature timestamp is not a number of seconds"),
        (f"t=+{SIGNED_AT},v1={KNOWN_SIGNATURE}", "signature timestamp is not a number of seconds"),
        (f"t=-{SIGNED_AT},v1={KNOWN_SIGNATURE}", "signature timestamp is not a number of seconds"),
        (f"t=1_700_000_000,v1={KNOWN_SIGNATURE}", "signature timestamp is not a number of seconds"),
        (f"t=\u0661\u0667\u0660\u0660,v1={KNOWN_SIGNATURE}", "signature timestamp is not a number of seconds"),
        (f"t={'9' * 13},v1={KNOWN_SIGNATURE}", "signature timestamp is not a number of seconds"),
    ],
)
def test_a_missing_or_garbled_header_is_rejected(header: str, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        _verify(header)


def test_a_non_ascii_signature_is_rejected_not_crashed_on() -> None:
    with pytest.raises(SignatureInvalid, match="no signature matches the body"):
        _verify(f"t={SIGNED_AT},v1=é{KNOWN_SIGNATURE[1:]}")


def test_a_signature_exactly_at_the_tolerance_is_accepted_in_both_directions() -> None:
    header = sign(BODY, secret=SECRET, timestamp=SIGNED_AT)
    _verify(header, now=SIGNED_AT + TOLERANCE)
    _verify(header, now=SIGNED_AT - TOLERANCE)


def test_a_signature_one_second_older_than_the_tolerance_is_rejected() -> None:
    with pytest.raises(SignatureInvalid, match="signature timestamp is too old"):
        _verify(sign(BODY, secret=SECRET, timestamp=SIGNED_AT), now=SIGNED_AT + TOLERANCE + 1)


def test_a_signature_more_than_the_tolerance_in_the_future_is_rejected() -> None:
    with pytest.raises(SignatureInvalid, match="signature timestamp is in the future"):
        _verify(sign(BODY, secret=SECRET, timestamp=SIGNED_AT), now=SIGNED_AT - TOLERANCE - 1)
