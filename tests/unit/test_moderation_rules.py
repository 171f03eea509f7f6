"""Moderation rules: target keys, categories, report text, and when a decision may be appealed."""

from __future__ import annotations

import pytest

from creatorly.errors import InvalidInput
from creatorly.services.moderation import rules


def test_target_keys_name_a_known_type_and_a_positive_id() -> None:
    assert rules.parse_target_key("product-12") == ("product", 12)
    assert rules.parse_target_key(" Comment-3 ") == ("comment", 3)
    for bad in ("product", "product-", "planet-3", "product-0", "product--1", "product-1e3", "-5"):
        with pytest.raises(InvalidInput):
            rules.parse_target_key(bad)


def test_report_text_is_plain_and_between_10_and_2000_characters() -> None:
    assert rules.check_report_text("  <script>alert(1)</script>Fake <b>reviews</b> here ") == "Fake reviews here"
    with pytest.raises(InvalidInput):
        rules.check_report_text("<i>short</i>")
    assert len(rules.check_report_text("x" * 2000)) == 2000
    with pytest.raises(InvalidInput):
        rules.check_report_text("x" * 2001)
    assert rules.check_category(" Fraud ") == "fraud"
    with pytest.raises(InvalidInput):
        rules.check_category("spam")


def test_only_a_decided_removal_not_yet_appealed_may_be_appealed() -> None:
    assert rules.may_appeal(status="resolved", decision="content_removed", appealed=False)
    assert not rules.may_appeal(status="resolved", decision="content_removed", appealed=True)
    assert not rules.may_appeal(status="resolved", decision="dismissed", appealed=False)
    assert not rules.may_appeal(status="open", decision="", appealed=False)
    assert not rules.may_appeal(status="appeal_resolved", decision="content_removed", appealed=True)
