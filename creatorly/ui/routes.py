"""Route constants and builders: the only place a URL path is spelled out."""

from __future__ import annotations

from creatorly.services.accounts import links

LANDING = "/"
STOREFRONT = "/[store_handle]"
PRODUCT = "/[store_handle]/[product_slug]"
NOT_FOUND = "404"
SIGN_UP = "/signup"
SIGN_IN = links.SIGN_IN_PATH
TWO_FACTOR_CHALLENGE = "/signin/two-factor"
VERIFY_EMAIL = links.VERIFY_EMAIL_PATH
RESET_PASSWORD = links.RESET_REQUEST_PATH
RESET_PASSWORD_CONFIRM = links.RESET_PASSWORD_PATH
ACCOUNT = "/account"
CONFIRM_EMAIL_CHANGE = links.CONFIRM_EMAIL_CHANGE_PATH
DEV_MAILBOX = "/dev/mailbox"
GOOGLE_SIGN_IN = "/api/auth/google/start"
DASHBOARD = "/dashboard"
DASHBOARD_ONBOARDING = "/dashboard/onboarding"
DASHBOARD_PRODUCTS = "/dashboard/products"
DASHBOARD_PRODUCT_EDITOR = "/dashboard/products/[edit_product_id]"
DASHBOARD_STOREFRONT = "/dashboard/storefront"
DASHBOARD_AUDIENCE = "/dashboard/audience"
PAYOUTS = "/dashboard/payouts"
DASHBOARD_STATEMENTS = "/dashboard/statements"
DASHBOARD_MODERATION = "/dashboard/moderation"
ADMIN = "/admin"
ADMIN_USERS = "/admin/users"
ADMIN_USER = "/admin/users/[admin_user_id]"
ADMIN_CREATORS = "/admin/creators"
ADMIN_CREATOR = "/admin/creators/[admin_creator_id]"
ADMIN_PRODUCTS = "/admin/products"
ADMIN_PRODUCT = "/admin/products/[admin_product_id]"
ADMIN_ORDERS = "/admin/orders"
ADMIN_ORDER = "/admin/orders/[admin_order_id]"
ADMIN_PAYOUTS = "/admin/payouts"
ADMIN_PAYOUT = "/admin/payouts/[admin_payout_id]"
ADMIN_EVENTS = "/admin/events"
ADMIN_EVENT = "/admin/events/[admin_event_id]"
ADMIN_REPORTS = "/admin/reports"
ADMIN_REPORT = "/admin/reports/[admin_report_target]"
ADMIN_RECONCILIATION = "/admin/reconciliation"
ADMIN_AUDIT = "/admin/audit"
REPORT = "/report"
DISCOVER = "/discover"
AUDIENCE_CONFIRM = "/audience/confirm"
AUDIENCE_UNSUBSCRIBE = "/audience/unsubscribe"
DEMO_STOREFRONT = "/mira"  # the handle loaded by `creatorly seed-demo`

LEGAL_TERMS = "/legal/terms"
LEGAL_PRIVACY = "/legal/privacy"
LEGAL_REFUNDS = "/legal/refunds"
LEGAL_SELLER = "/legal/seller-agreement"
LEGAL_CONTENT = "/legal/content-guidelines"

LEGAL_LINKS: list[tuple[str, str]] = [
    ("Terms", LEGAL_TERMS),
    ("Privacy", LEGAL_PRIVACY),
    ("Refunds", LEGAL_REFUNDS),
    ("Seller agreement", LEGAL_SELLER),
    ("Content guidelines", LEGAL_CONTENT),
]


def storefront(handle: str) -> str:
    return f"/{handle}"


def product(handle: str, slug: str) -> str:
    return f"/{handle}/{slug}"


def product_editor(product_id: int) -> str:
    return f"/dashboard/products/{product_id}"


SANDBOX_PAY = "/sandbox/pay/[sandbox_ref]"

ORDER = "/orders/[order_ref]"
DASHBOARD_DISCOUNTS = "/dashboard/discounts"
DASHBOARD_TIPS = "/dashboard/tips"
LIBRARY = "/library"

DASHBOARD_ORDERS = "/dashboard/orders"
DASHBOARD_ORDER_DETAIL = "/dashboard/orders/[detail_order_ref]"


def order_detail(public_id: str) -> str:
    return f"/dashboard/orders/{public_id}"


DASHBOARD_TIERS = "/dashboard/tiers"
DASHBOARD_TIER_EDITOR = "/dashboard/tiers/[edit_tier_id]"
DASHBOARD_POSTS = "/dashboard/posts"
DASHBOARD_POST_EDITOR = "/dashboard/posts/[edit_post_id]"
# Three segments: never the same shape as a product page `/{handle}/{slug}`.
POST = "/[store_handle]/posts/[post_slug]"
TIERS_ANCHOR = "tiers"


def tier_editor(tier_id: int) -> str:
    return f"/dashboard/tiers/{tier_id}"


def post_editor(post_id: int) -> str:
    return f"/dashboard/posts/{post_id}"


def post(handle: str, slug: str) -> str:
    return f"/{handle}/posts/{slug}"


def storefront_tiers(handle: str) -> str:
    return f"/{handle}#{TIERS_ANCHOR}"


DASHBOARD_MEMBERS = "/dashboard/members"
DASHBOARD_REVIEWS = "/dashboard/reviews"


def admin_user(user_id: int) -> str:
    return f"{ADMIN_USERS}/{user_id}"


def admin_creator(creator_id: int) -> str:
    return f"{ADMIN_CREATORS}/{creator_id}"


def admin_product(product_id: int) -> str:
    return f"{ADMIN_PRODUCTS}/{product_id}"


def admin_order(order_id: int) -> str:
    return f"{ADMIN_ORDERS}/{order_id}"


def admin_payout(payout_id: int) -> str:
    return f"{ADMIN_PAYOUTS}/{payout_id}"


def admin_event(event_id: int) -> str:
    return f"{ADMIN_EVENTS}/{event_id}"


def admin_report(target_type: str, target_id: int) -> str:
    """The moderation queue's page for one reported target (every report about it, and its history)."""
    return f"{ADMIN_REPORTS}/{target_type}-{target_id}"


def report(target_type: str, target_id: int) -> str:
    """The public "Report this" form for a storefront, product, post, comment or review."""
    return f"{REPORT}?target={target_type}&id={target_id}"


# Paid sessions, the creator's side and the admin's disputes.
DASHBOARD_SESSIONS = "/dashboard/sessions"
DASHBOARD_SESSION_TYPES = "/dashboard/sessions/types"
ADMIN_DISPUTES = "/admin/disputes"


# Paid 1:1 sessions, the fan's side: three segments with a static middle, like POST.
SESSION_BOOKING = "/[store_handle]/sessions/[session_type_ref]"
BOOKING = "/bookings/[booking_ref]"


def session_booking(handle: str, session_type_id: str) -> str:
    return f"/{handle}/sessions/{session_type_id}"
