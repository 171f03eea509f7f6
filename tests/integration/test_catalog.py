"""Creators, products and files: onboarding rules, creator isolation, hostile uploads, discovery."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.images import ImagePurpose
from creatorly.models import Creator, Product, ProductFile
from creatorly.providers.registry import get_storage
from creatorly.services.catalog import files, manage
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.schemas import DiscoverQuery, ProductInput
from creatorly.services.creators import service as creators
from creatorly.services.creators.rules import HandleUnavailable
from creatorly.services.creators.schemas import ProfileInput
from tests.accounts import signed_up_and_verified

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"x" * 20_000


async def _chunks(data: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _creator(email: str, handle: str) -> str:
    signed_in = await signed_up_and_verified(email)
    await creators.become_creator(
        session_token=signed_in.session_token, profile=ProfileInput(handle=handle, display_name=handle.title())
    )
    return signed_in.session_token


async def _count(model: type[Product] | type[ProductFile] | type[Creator]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("wanted", "error"),
    [
        ("MIRA", HandleUnavailable),
        ("m\u0456ra", HandleUnavailable),
        ("mira_", HandleUnavailable),
        ("аdmin", HandleUnavailable),
        ("dashboard", HandleUnavailable),
        ("ab", InvalidInput),
        ("has space", InvalidInput),
        ("emoji🙂", InvalidInput),
    ],
)
async def test_handles_collide_by_case_homoglyph_and_reserved_words(wanted: str, error: type[Exception]) -> None:
    await _creator("first@example.com", "mira")
    token = (await signed_up_and_verified("second@example.com")).session_token
    with pytest.raises(error):
        await creators.become_creator(session_token=token, profile=ProfileInput(handle=wanted, display_name="Copy"))
    assert await _count(Creator) == 1


async def test_onboarding_normalises_the_handle_and_makes_a_creator() -> None:
    token = (await signed_up_and_verified("new@example.com")).session_token
    profile = await creators.become_creator(
        session_token=token,
        profile=ProfileInput(handle=" \uff2eova-Art ", display_name="Nova", currency="inr", timezone="Asia/Kolkata"),
    )
    assert (profile.handle, profile.currency, profile.timezone) == ("nova-art", "INR", "Asia/Kolkata")


async def test_scripts_in_the_bio_are_neutralised_and_links_validated() -> None:
    token = await _creator("bio@example.com", "bio-maker")
    profile = await creators.update_profile(
        session_token=token,
        profile=ProfileInput(
            handle="bio-maker",
            display_name="Bio",
            bio="Hi **there** <script>alert(1)</script> <img src=x onerror=alert(2)> [site](https://ex.com)",
            social_links="https://instagram.com/bio\nhttps://bio.example",
        ),
    )
    assert "<script" not in profile.bio_html and "<img" not in profile.bio_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in profile.bio_html  # shown as text, never run
    assert "<strong>there</strong>" in profile.bio_html
    assert 'href="https://ex.com"' in profile.bio_html
    assert profile.social_links == ["https://instagram.com/bio", "https://bio.example"]
    with pytest.raises(InvalidInput, match="web address"):
        await creators.update_profile(
            session_token=token,
            profile=ProfileInput(handle="bio-maker", display_name="Bio", social_links="javascript:alert(1)"),
        )


async def test_avatar_is_reencoded_and_a_fake_image_refused() -> None:
    token = await _creator("pic@example.com", "pic-maker")
    profile = await creators.set_image(session_token=token, purpose=ImagePurpose.AVATAR, data=_png())
    assert profile.avatar_url.startswith(f"{settings.resolved_public_url}/media/creators/")
    assert profile.avatar_url.endswith(".webp")
    with pytest.raises(InvalidInput):
        await creators.set_image(
            session_token=token, purpose=ImagePurpose.AVATAR, data=b"\x7fELF\x02\x01\x01" + b"\0" * 100
        )


async def test_product_lifecycle_with_validation() -> None:
    token = await _creator("maker@example.com", "maker")
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Brushes", price="9"))
    with pytest.raises(InvalidInput) as refused:
        await manage.update_product(
            session_token=token, product_id=product_id, values=ProductInput(title="Brushes", price="0.5")
        )
    assert refused.value.field == "price"
    await manage.update_product(
        session_token=token,
        product_id=product_id,
        values=ProductInput(
            title="Brushes",
            pricing="pay_what_you_want",
            price="5",
            suggested_price="12.5",
            category="art",
            tags="Procreate, brushes",
        ),
    )
    detail = await manage.get_my_product(session_token=token, product_id=product_id)
    assert (detail.values.price, detail.values.suggested_price, detail.values.tags) == (
        "5.00",
        "12.50",
        "procreate, brushes",
    )
    assert detail.status == "draft"
    with pytest.raises(catalog.ProductNotFound):
        await catalog.get_product_page(handle="maker", slug="brushes")
    await manage.set_status(session_token=token, product_id=product_id, status="published")
    page = await catalog.get_product_page(handle="maker", slug="brushes")
    assert (page.title, page.price_label, page.category_label) == (
        "Brushes",
        "Pay what you want (from $5.00)",
        "Art & illustration",
    )


async def test_another_creator_can_neither_read_nor_change_drafts_or_files() -> None:
    owner = await _creator("owner@example.com", "owner")
    other = await _creator("other@example.com", "other")
    product_id = await manage.create_product(session_token=owner, values=ProductInput(title="Secret draft", price="5"))
    added = await files.add_product_file(
        session_token=owner, product_id=product_id, filename="guide.pdf", chunks=_chunks(PDF)
    )
    attempts = [
        manage.get_my_product(session_token=other, product_id=product_id),
        manage.update_product(
            session_token=other, product_id=product_id, values=ProductInput(title="Hacked", price="1")
        ),
        manage.set_status(session_token=other, product_id=product_id, status="published"),
        manage.delete_product(session_token=other, product_id=product_id),
        manage.set_cover(session_token=other, product_id=product_id, data=_png()),
        files.add_product_file(session_token=other, product_id=product_id, filename="x.pdf", chunks=_chunks(PDF)),
        files.delete_product_file(session_token=other, file_id=added.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            await attempt
    detail = await manage.get_my_product(session_token=owner, product_id=product_id)
    assert (detail.values.title, detail.status, detail.cover_url, len(detail.files)) == ("Secret draft", "draft", "", 1)
    assert await manage.list_my_products(session_token=other) == []
    assert await _count(ProductFile) == 1


async def test_hostile_uploads_are_refused_and_names_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    token = await _creator("files@example.com", "files")
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Pack", price="5"))
    executable = b"MZ\x90\x00" + b"\x00" * 5000
    with pytest.raises(files.FileTypeRefused):
        await files.add_product_file(
            session_token=token, product_id=product_id, filename="photo.png", chunks=_chunks(executable)
        )
    monkeypatch.setattr(settings, "max_upload_bytes", 10_000)
    with pytest.raises(files.FileTooLarge):
        await files.add_product_file(
            session_token=token, product_id=product_id, filename="big.pdf", chunks=_chunks(PDF)
        )
    monkeypatch.setattr(settings, "max_upload_bytes", 2 * 1024**3)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", "hello")
    added = await files.add_product_file(
        session_token=token, product_id=product_id, filename="../../etc/passwd.zip", chunks=_chunks(archive.getvalue())
    )
    assert (added.name, added.kind) == ("passwd.zip", "application/zip")
    async with db.transaction() as session:
        stored = (await session.exec(select(ProductFile))).one()
    assert stored.storage_key.startswith("files/") and "passwd" not in stored.storage_key
    assert await get_storage().size(stored.storage_key) == len(archive.getvalue())
    assert [path.name for path in settings.files_dir.rglob("*") if path.is_file() and "passwd" in path.name] == []


async def test_a_file_the_product_already_has_is_refused_and_nothing_is_kept() -> None:
    token = await _creator("twice@example.com", "twice")
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Guide", price="5"))
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        folder = settings.files_dir / "files" / str(product.creator_id) / str(product_id)
    earlier_runs = set(folder.rglob("*"))  # the files folder outlives the emptied database

    def stored() -> set[Path]:
        return set(folder.rglob("*")) - earlier_runs

    first = await files.add_product_file(
        session_token=token, product_id=product_id, filename="guide.pdf", chunks=_chunks(PDF)
    )
    stored_before = stored()
    assert len(stored_before) == 1

    refusals = [
        # The same bytes under another name: streamed, hashed, refused, and the stored copy deleted again.
        ("guide (1).pdf", PDF, "guide.pdf is already attached to this product (guide (1).pdf has the same contents)."),
        # The same file again.
        ("guide.pdf", PDF, "guide.pdf is already attached to this product."),
        # Another file of the same name (case aside): refused before a byte is stored.
        ("GUIDE.pdf", PDF + b"v2", "guide.pdf is already attached to this product."),
    ]
    for filename, data, message in refusals:
        with pytest.raises(files.FileAlreadyAttached) as refused:
            await files.add_product_file(
                session_token=token, product_id=product_id, filename=filename, chunks=_chunks(data)
            )
        assert refused.value.message.startswith(message), refused.value.message
        assert refused.value.field == "file"
        async with db.transaction() as session:
            rows = (await session.exec(select(ProductFile))).all()
        assert [(row.id, row.original_name) for row in rows] == [(first.id, "guide.pdf")]
        assert stored() == stored_before

    # Other bytes under another name are a new file; once removed, a file can be attached again.
    second = await files.add_product_file(
        session_token=token, product_id=product_id, filename="guide-v2.pdf", chunks=_chunks(PDF + b"v2")
    )
    await files.delete_product_file(session_token=token, file_id=first.id)
    again = await files.add_product_file(
        session_token=token, product_id=product_id, filename="guide.pdf", chunks=_chunks(PDF)
    )
    detail = await manage.get_my_product(session_token=token, product_id=product_id)
    assert [(item.id, item.name) for item in detail.files] == [(second.id, "guide-v2.pdf"), (again.id, "guide.pdf")]
    assert len(stored()) == 2 and not stored_before & stored()


async def test_two_uploads_of_one_file_at_once_attach_it_once() -> None:
    token = await _creator("race@example.com", "racer")
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Guide", price="5"))
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        folder = settings.files_dir / "files" / str(product.creator_id) / str(product_id)
    earlier_runs = set(folder.rglob("*"))
    both_stored = asyncio.Barrier(2)

    async def stored_then_wait() -> AsyncIterator[bytes]:
        async for chunk in _chunks(PDF):
            yield chunk
        await both_stored.wait()  # neither upload records its row before both have streamed their bytes

    outcomes = await asyncio.gather(
        *(
            files.add_product_file(session_token=token, product_id=product_id, filename=name, chunks=stored_then_wait())
            for name in ("guide.pdf", "guide-copy.pdf")
        ),
        return_exceptions=True,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["FileAlreadyAttached", "FileView"], outcomes
    async with db.transaction() as session:
        rows = (await session.exec(select(ProductFile))).all()
    assert len(rows) == 1
    assert set(folder.rglob("*")) - earlier_runs == {settings.files_dir / rows[0].storage_key}


async def test_a_sold_product_cannot_be_deleted_only_archived() -> None:
    token = await _creator("seller@example.com", "seller")
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Hit", price="5"))
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        product.sold_count = 1
    with pytest.raises(manage.ProductHasSales):
        await manage.delete_product(session_token=token, product_id=product_id)
    await manage.set_status(session_token=token, product_id=product_id, status="archived")
    assert (await manage.get_my_product(session_token=token, product_id=product_id)).status == "archived"


async def test_discover_searches_filters_sorts_and_pages() -> None:
    alpha = await _creator("alpha@example.com", "alpha")
    beta = await _creator("beta@example.com", "beta")
    for token, title, price, category in [
        (alpha, "Film Presets", "15", "photography"),
        (alpha, "Watercolor Brushes", "9", "art"),
        (beta, "Lo-fi Beats", "5", "music"),
        (beta, "Secret Draft", "1", "music"),
    ]:
        product_id = await manage.create_product(
            session_token=token, values=ProductInput(title=title, price=price, category=category)
        )
        if title != "Secret Draft":
            await manage.set_status(session_token=token, product_id=product_id, status="published")

    everything = await catalog.discover(DiscoverQuery(sort="price_low"))
    assert [card.title for card in everything.items] == ["Lo-fi Beats", "Watercolor Brushes", "Film Presets"]
    assert (await catalog.discover(DiscoverQuery(text="brush"))).total == 1
    assert [card.creator_handle for card in (await catalog.discover(DiscoverQuery(text="ALPHA"))).items] == [
        "alpha",
        "alpha",
    ]
    assert [card.title for card in (await catalog.discover(DiscoverQuery(category="music"))).items] == ["Lo-fi Beats"]
    assert [card.title for card in (await catalog.discover(DiscoverQuery(max_price=900, sort="price_high"))).items] == [
        "Watercolor Brushes",
        "Lo-fi Beats",
    ]
    second = await catalog.discover(DiscoverQuery(sort="price_low", page=2, page_size=2))
    assert ([card.title for card in second.items], second.total, second.page_count) == (["Film Presets"], 3, 2)


async def test_the_address_follows_the_title_until_first_published() -> None:
    token = await _creator("slug@example.com", "sluggy")
    product_id = await manage.create_product(
        session_token=token, values=ProductInput(title="Untitled product", price="5")
    )
    await manage.update_product(
        session_token=token, product_id=product_id, values=ProductInput(title="Moon Maps", price="5")
    )
    assert (await manage.get_my_product(session_token=token, product_id=product_id)).slug == "moon-maps"
    await manage.set_status(session_token=token, product_id=product_id, status="published")
    await manage.update_product(
        session_token=token, product_id=product_id, values=ProductInput(title="Moon Maps 2", price="5")
    )
    assert (await manage.get_my_product(session_token=token, product_id=product_id)).slug == "moon-maps"
