"""What the demo creator shows: her products, membership tiers, posts, and the fans' names and tip messages."""

from __future__ import annotations

from creatorly.models.enums import PricingModel
from creatorly.services.catalog.schemas import NewProduct
from creatorly.services.memberships.content_schemas import TierInput

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

# How often each product sells, relative to the others (the draft never does).
SALE_WEIGHTS = {
    "Golden Hour Lightroom Presets": 5,
    "Watercolor Brush Pack": 3,
    "Field Guide to Film Photography": 2,
}
# What buyers of the pay-what-you-want e-book choose to pay (major units).
PAY_WHAT_YOU_WANT_AMOUNTS = ["5", "5", "7", "8", "10", "12"]

TIERS = [
    TierInput(
        name="Darkroom Club",
        description="Monthly behind-the-scenes notes and early looks at new presets.",
        benefits="Members-only posts\nEarly access to new presets\nMonthly contact sheet",
        price_monthly="5",
        welcome_message="Welcome to the Darkroom Club! The first contact sheet is in your library.",
    ),
    TierInput(
        name="Backstage",
        description="Everything in the Darkroom Club, plus raw files and a quarterly live critique.",
        benefits="Everything in Darkroom Club\nRaw files to practise on\nQuarterly live photo critique",
        price_monthly="12",
        welcome_message="Welcome backstage! Raw files for this month are waiting in your library.",
    ),
]

# (days before today, title, teaser, body, index of the lowest tier that reads it; None: public)
POSTS: list[tuple[int, str, str, str, int | None]] = [
    (
        300,
        "Why I still shoot film",
        "Grain, patience and the joy of not knowing.",
        "Every roll is a small promise to slow down. Here is how film changed the way I see light.",
        None,
    ),
    (
        200,
        "Contact sheet: autumn in Alfama",
        "Thirty-six frames from one October afternoon.",
        "The whole roll, with notes on exposure and the two frames I printed.",
        0,
    ),
    (
        90,
        "How I built the Golden Hour presets",
        "From Portra scans to Lightroom curves.",
        "A walk through the tone curves, split toning and grain settings behind the presets.",
        0,
    ),
    (
        20,
        "Raw files: harbour at dusk",
        "Practise your edit on the same files I used.",
        "Five raw files and my finished edits, to compare with yours.",
        1,
    ),
]

FIRST_NAMES = [
    "Ana", "Ben", "Chloé", "Dev", "Elif", "Finn", "Grace", "Hugo", "Inês", "Jonah", "Kai", "Lena", "Mateo",
    "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tomás", "Uma", "Vera", "Wes", "Yara", "Zoe",
]  # fmt: skip
LAST_NAMES = ["Silva", "Okafor", "Meyer", "Tanaka", "Rossi", "Novak", "Haddad", "Kim", "Lund", "Ferreira"]

TIP_MESSAGES = [
    "Your presets made my wedding photos glow!",
    "The film guide got me shooting again after ten years.",
    "Thank you for the free wallpapers, they are on every screen I own.",
    "Love the Alfama contact sheet. More please!",
    "Bought the brushes for my daughter; she hasn't stopped painting.",
    "Coffee's on me. Keep sharing your process!",
    "Your golden hour edits taught me more than a whole course.",
    "Small thanks for the big inspiration.",
    "",
]
TIP_AMOUNTS = ["3", "5", "5", "5", "10", "10", "15", "25"]

# Where visitors come from: (weight, referring page, landing query string).
SOURCES: list[tuple[int, str, str]] = [
    (30, "", ""),
    (22, "https://www.instagram.com/", ""),
    (12, "https://www.google.com/", ""),
    (9, "https://www.pinterest.com/", ""),
    (6, "https://www.youtube.com/", ""),
    (4, "https://www.reddit.com/r/analog/", ""),
    (8, "", "?utm_source=newsletter&utm_medium=email&utm_campaign=monthly-letter"),
    (5, "https://www.instagram.com/", "?utm_source=instagram&utm_medium=social&utm_campaign=spring-sale"),
    (4, "", "?utm_source=newsletter&utm_medium=email&utm_campaign=black-friday"),
]
