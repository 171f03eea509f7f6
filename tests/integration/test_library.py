"""The buyer library: a signed-in buyer's orders, and the emailed one-hour link to an address's orders."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

import pytest

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.models import Entitlement, ProductFile
from creatorly.services.accounts.errors import NotAuthenticated, TooManyAttempts
from creatorly.services.delivery import library
from creatorly.services.delivery.library import LibraryLinkInvalid
from creatorly.services.delivery.service import download_path, order_page_url
from tests.accounts import new_requester, outbox_for, signed_up_and_verified
from tests.factories import make_creator, make_order, new_product

_KEY = re.compile(r"/library\?key=(\S+)")


async def _link_key(address: str) -> str:
    [message] = [email for email in await outbox_for(address) if email.subject == "Your purchases"]
    match = _KEY.search(message.text_body)
    assert match is not None
    return match.group(1)


async def test_a_signed_in_buyer_sees_only_their_orders_newest_first() -> None:
    made = await make_creator(products=[new_product(title="Brushes"), new_product(title="Fonts")])
    brushes, fonts = made.products
    me = await signed_up_and_verified("me@example.com")
    by_account = await make_order(product=brushes, buyer_email="old-address@example.com", buyer_user_id=me.user.id)
    by_email = await make_order(product=fonts, buyer_email="me@example.com", amount=0)
    await make_order(product=brushes, buyer_email="someone-else@example.com")

    found = await library.list_my_library(session_token=me.session_token)

    assert found.email == "me@example.com"
    assert [
        (entry.order_public_id, entry.product_title, entry.amount_label, entry.status_label) for entry in found.entries
    ] == [
        (by_email.public_id, "Fonts", "Free", "Paid"),
        (by_account.public_id, "Brushes", "$12.00", "Paid"),
    ]
    assert found.entries[0].order_url == order_page_url(by_email.public_id)
    assert found.entries[0].creator_name == made.creator.display_name


async def test_a_signed_out_visitor_cannot_list_a_library_without_a_session() -> None:
    with pytest.raises(NotAuthenticated):
        await library.list_my_library(session_token="not-a-session")


async def test_an_emailed_link_lists_that_addresses_orders_and_nobody_elses() -> None:
    made = await make_creator(products=[new_product(title="Brushes")])
    [product] = made.products
    mine = await make_order(product=product, buyer_email="buyer@example.com")
    await make_order(product=product, buyer_email="other@example.com")

    await library.request_library_link(email_address=" Buyer@Example.com ", requester=new_requester())

    found = await library.library_from_key(key=await _link_key("buyer@example.com"))
    assert found.email == "buyer@example.com"
    assert [entry.order_public_id for entry in found.entries] == [mine.public_id]
    assert await outbox_for("other@example.com") == []


async def test_a_tampered_or_expired_link_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    made = await make_creator(products=[new_product()])
    await make_order(product=made.products[0], buyer_email="buyer@example.com")
    await library.request_library_link(email_address="buyer@example.com", requester=new_requester())
    key = await _link_key("buyer@example.com")
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() - library.LINK_LIFETIME_SECONDS - 5)
    expired = library.library_url("buyer@example.com").split("?key=")[1]
    monkeypatch.undo()

    for bad in (key[:-2] + ("AA" if not key.endswith("AA") else "BB"), expired, "", "buyer@example.com"):
        with pytest.raises(LibraryLinkInvalid):
            await library.library_from_key(key=bad)
    assert len((await library.library_from_key(key=key)).entries) == 1


async def test_unknown_addresses_get_the_same_answer_and_no_email() -> None:
    made = await make_creator(products=[new_product()])
    await make_order(product=made.products[0], buyer_email="known@example.com")

    known = await library.request_library_link(email_address="known@example.com", requester=new_requester())
    unknown = await library.request_library_link(email_address="unknown@example.com", requester=new_requester())

    assert known is None and unknown is None
    assert len(await outbox_for("known@example.com")) == 1
    assert await outbox_for("unknown@example.com") == []


async def test_link_requests_are_rate_limited_alike_for_known_and_unknown_addresses() -> None:
    made = await make_creator(products=[new_product()])
    await make_order(product=made.products[0], buyer_email="known2@example.com")

    for address in ("known2@example.com", "unknown2@example.com"):
        for _ in range(3):
            await library.request_library_link(email_address=address, requester=new_requester())
        with pytest.raises(TooManyAttempts):
            await library.request_library_link(email_address=address, requester=new_requester())

    assert len(await outbox_for("known2@example.com")) == 3


async def _entitle(order_id: int, product_id: int, *, name: str, position: int, expires_in: timedelta) -> int:
    async with db.transaction() as session:
        item = ProductFile(
            product_id=product_id,
            storage_key=f"products/{product_id}/{secrets.token_hex(6)}",
            original_name=name,
            content_type="application/pdf",
            size_bytes=2048,
            sha256="0" * 64,
            position=position,
        )
        session.add(item)
        await session.flush()
        assert item.id is not None
        entitlement = Entitlement(
            order_id=order_id, product_file_id=item.id, download_limit=5, expires_at=utc_now() + expires_in
        )
        session.add(entitlement)
        await session.flush()
        assert entitlement.id is not None
        return entitlement.id


async def test_each_purchase_lists_its_files_with_download_links_and_an_expired_one_is_not_offered() -> None:
    made = await make_creator(products=[new_product(title="Brushes"), new_product(title="Fonts")])
    brushes, fonts = made.products
    me = await signed_up_and_verified("files@example.com")
    first = await make_order(product=brushes, buyer_email="files@example.com")
    second = await make_order(product=fonts, buyer_email="files@example.com")
    assert first.id and second.id and brushes.id and fonts.id
    guide = await _entitle(first.id, brushes.id, name="Guide.pdf", position=0, expires_in=timedelta(days=3))
    extras = await _entitle(first.id, brushes.id, name="Extras.pdf", position=1, expires_in=timedelta(days=3))
    await _entitle(second.id, fonts.id, name="Old.pdf", position=0, expires_in=-timedelta(days=1))

    found = await library.list_my_library(session_token=me.session_token)

    by_order = {entry.order_public_id: entry.downloads for entry in found.entries}
    assert [(link.file_name, link.url, link.is_available) for link in by_order[first.public_id]] == [
        ("Guide.pdf", download_path(guide, first.public_id), True),
        ("Extras.pdf", download_path(extras, first.public_id), True),
    ]
    assert [(link.file_name, link.url, link.is_available) for link in by_order[second.public_id]] == [
        ("Old.pdf", "", False)
    ]
