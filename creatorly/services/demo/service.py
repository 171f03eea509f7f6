"""Load the demo creator, storefront and products once; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from creatorly import db
from creatorly.models.enums import PricingModel, Role
from creatorly.services.accounts import service as accounts
from creatorly.services.catalog import files
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.schemas import NewProduct
from creatorly.services.creators import service as creators

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "creatorly-demo-2026"  # noqa: S105 (public demo account, printed by make run)
DEMO_HANDLE = "mira"

_BIO = (
    "Film photographer and illustrator in Lisbon. I make **presets**, brushes and field guides "
    "for people who like their pictures warm and a little grainy."
)

DEMO_PRODUCTS = [
    NewProduct(
        title="Golden Hour Lightroom Presets",
        summary="12 warm, filmic presets for portraits and street photography.",
        description_markdown="Twelve presets tuned on real Portra and Ektar scans.",
        pricing=PricingModel.FIXED,
        price_amount=1500,
        currency="USD",
        is_published=True,
        category="photography",
    ),
    NewProduct(
        title="Watercolor Brush Pack",
        summary="48 Procreate brushes scanned from real paper and pigment.",
        description_markdown="Wet edges, granulation and salt textures for Procreate 5+.",
        pricing=PricingModel.FIXED,
        price_amount=900,
        currency="USD",
        is_published=True,
        category="art",
    ),
    NewProduct(
        title="Field Guide to Film Photography",
        summary="A 90-page e-book on shooting, developing and scanning film.",
        description_markdown="From choosing a first camera to scanning negatives at home.",
        pricing=PricingModel.PAY_WHAT_YOU_WANT,
        price_amount=500,
        currency="USD",
        is_published=True,
        category="ebooks",
    ),
    NewProduct(
        title="Lisbon Wallpapers",
        summary="Six phone and desktop wallpapers from the streets of Lisbon.",
        description_markdown="Free for personal use.",
        pricing=PricingModel.FREE,
        price_amount=0,
        currency="USD",
        is_published=True,
        category="art",
    ),
    NewProduct(
        title="Darkroom Notebook (coming soon)",
        summary="A printable notebook for logging development times.",
        description_markdown="Still a draft: not visible on the storefront.",
        pricing=PricingModel.FIXED,
        price_amount=400,
        currency="USD",
        is_published=False,
        category="templates",
    ),
]


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    password: str
    handle: str
    was_created: bool


async def seed_demo_data() -> DemoAccount:
    """Create the demo creator with a storefront and products unless it already exists."""
    async with db.transaction() as session:
        if await accounts.find_user_by_email(session, DEMO_EMAIL) is not None:
            return DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, DEMO_HANDLE, was_created=False)
        user = await accounts.add_verified_user(
            session, email=DEMO_EMAIL, password=DEMO_PASSWORD, display_name="Mira Costa", role=Role.CREATOR
        )
        assert user.id is not None
        creator = await creators.add_creator(
            session, user_id=user.id, handle=DEMO_HANDLE, display_name="Mira Costa", bio_markdown=_BIO, currency="USD"
        )
        added = [await catalog.add_product(session, creator, product) for product in DEMO_PRODUCTS]
    for product in added:
        assert product.id is not None and creator.id is not None
        await files.add_file_as_platform(
            creator_id=creator.id, product_id=product.id, filename="README.txt", data=demo_file_text(product.title)
        )
    return DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, DEMO_HANDLE, was_created=True)


def demo_file_text(title: str) -> bytes:
    """The small text file each demo product delivers, so a local purchase downloads something real."""
    return (
        f"{title}\n{'=' * len(title)}\n\nThank you for trying Creatorly's demo storefront!\n"
        "This file stands in for the real product: it was paid for with the sandbox, and no money moved.\n"
    ).encode()
