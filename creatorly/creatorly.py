"""The Reflex app: API routes mounted first, then every page registered, and live notices wired to the UI."""

from __future__ import annotations

import asyncio

import reflex as rx

import creatorly.jobs  # noqa: F401  (registers job names so services can enqueue)
from creatorly.api.app import api
from creatorly.api.security import SecurityHeadersMiddleware
from creatorly.api.static_assets import FrontendAssetsMiddleware
from creatorly.observability import configure_error_tracking, configure_logging
from creatorly.services.analytics import live as live_notices
from creatorly.services.analytics.live import LiveNotice
from creatorly.ui import routes, theme
from creatorly.ui.errors import backend_exception_handler
from creatorly.ui.pages.accounts.account import account_page
from creatorly.ui.pages.accounts.dev_mailbox import dev_mailbox_page
from creatorly.ui.pages.accounts.recovery import (
    confirm_email_change_page,
    reset_confirm_page,
    reset_request_page,
    verify_email_page,
)
from creatorly.ui.pages.accounts.sign_in import sign_in_page, two_factor_page
from creatorly.ui.pages.accounts.sign_up import sign_up_page
from creatorly.ui.pages.admin.audit import audit_page
from creatorly.ui.pages.admin.creators import creator_page as admin_creator_page
from creatorly.ui.pages.admin.creators import creators_page as admin_creators_page
from creatorly.ui.pages.admin.events import admin_event_page, admin_events_page
from creatorly.ui.pages.admin.orders import order_page as admin_order_page
from creatorly.ui.pages.admin.orders import orders_page as admin_orders_page
from creatorly.ui.pages.admin.overview import admin_overview_page
from creatorly.ui.pages.admin.payouts import admin_payout_page, admin_payouts_page
from creatorly.ui.pages.admin.products import product_page as admin_product_page
from creatorly.ui.pages.admin.products import products_page as admin_products_page
from creatorly.ui.pages.admin.reconciliation import reconciliation_page
from creatorly.ui.pages.admin.reports import report_case_page, reports_page
from creatorly.ui.pages.admin.session_disputes import session_disputes_page
from creatorly.ui.pages.admin.users import admin_user_page, admin_users_page
from creatorly.ui.pages.dashboard.audience import audience_page
from creatorly.ui.pages.dashboard.discounts import discounts_page
from creatorly.ui.pages.dashboard.home import home_page
from creatorly.ui.pages.dashboard.members import members_page
from creatorly.ui.pages.dashboard.moderation import moderation_page
from creatorly.ui.pages.dashboard.onboarding import onboarding_page
from creatorly.ui.pages.dashboard.order_detail import order_detail_page
from creatorly.ui.pages.dashboard.orders import orders_page
from creatorly.ui.pages.dashboard.payouts import payouts_page
from creatorly.ui.pages.dashboard.posts import post_editor_page, posts_page
from creatorly.ui.pages.dashboard.product_editor import product_editor_page
from creatorly.ui.pages.dashboard.products import products_page
from creatorly.ui.pages.dashboard.reviews import reviews_page
from creatorly.ui.pages.dashboard.session_types import session_types_page
from creatorly.ui.pages.dashboard.sessions import sessions_page
from creatorly.ui.pages.dashboard.statements import statements_page
from creatorly.ui.pages.dashboard.storefront_settings import storefront_settings_page
from creatorly.ui.pages.dashboard.tiers import tier_editor_page, tiers_page
from creatorly.ui.pages.dashboard.tips import tips_page
from creatorly.ui.pages.orders.booking import booking_page
from creatorly.ui.pages.orders.library import library_page
from creatorly.ui.pages.orders.order import order_page
from creatorly.ui.pages.sandbox.pay import sandbox_pay_page
from creatorly.ui.pages.site.landing import landing_page
from creatorly.ui.pages.site.legal import LEGAL_DOCUMENTS, legal_page
from creatorly.ui.pages.site.not_found import not_found_page
from creatorly.ui.pages.site.report import report_page
from creatorly.ui.pages.storefront.audience import confirm_subscription_page, unsubscribe_page
from creatorly.ui.pages.storefront.discover import discover_page
from creatorly.ui.pages.storefront.post import post_page
from creatorly.ui.pages.storefront.product import product_page
from creatorly.ui.pages.storefront.session_booking import session_booking_page
from creatorly.ui.pages.storefront.storefront import storefront_page
from creatorly.ui.states.accounts.account import AccountState
from creatorly.ui.states.accounts.dev_mailbox import DevMailboxState
from creatorly.ui.states.accounts.recovery import ConfirmEmailChangeState, ResetConfirmState, VerifyEmailState
from creatorly.ui.states.accounts.sign_in import SignInState, TwoFactorState
from creatorly.ui.states.admin.audit import AuditLogState
from creatorly.ui.states.admin.creators import AdminCreatorsState, AdminCreatorState
from creatorly.ui.states.admin.events import AdminEventsState, AdminEventState
from creatorly.ui.states.admin.orders import AdminOrdersState, AdminOrderState
from creatorly.ui.states.admin.overview import AdminOverviewState
from creatorly.ui.states.admin.payouts import AdminPayoutsState, AdminPayoutState
from creatorly.ui.states.admin.products import AdminProductsState, AdminProductState
from creatorly.ui.states.admin.reconciliation import ReconciliationState
from creatorly.ui.states.admin.reports import ReportCaseState, ReportsQueueState
from creatorly.ui.states.admin.session_disputes import AdminDisputesState
from creatorly.ui.states.admin.users import AdminUsersState, AdminUserState
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.dashboard.audience import AudienceState
from creatorly.ui.states.dashboard.discounts import DiscountsState
from creatorly.ui.states.dashboard.home import DashboardHomeState
from creatorly.ui.states.dashboard.members import MembersDashboardState
from creatorly.ui.states.dashboard.moderation import ModerationDashboardState
from creatorly.ui.states.dashboard.onboarding import OnboardingState
from creatorly.ui.states.dashboard.order_detail import OrderDetailState
from creatorly.ui.states.dashboard.orders import OrdersState
from creatorly.ui.states.dashboard.payouts import PayoutsState
from creatorly.ui.states.dashboard.posts import PostEditorState, PostsState
from creatorly.ui.states.dashboard.product_editor import ProductEditorState
from creatorly.ui.states.dashboard.products import ProductsState
from creatorly.ui.states.dashboard.reviews import CreatorReviewsState
from creatorly.ui.states.dashboard.session_types import SessionTypesState
from creatorly.ui.states.dashboard.sessions import SessionsDashboardState
from creatorly.ui.states.dashboard.statements import StatementsState
from creatorly.ui.states.dashboard.storefront_settings import StorefrontSettingsState
from creatorly.ui.states.dashboard.tiers import TierEditorState, TiersState
from creatorly.ui.states.dashboard.tips import TipsDashboardState
from creatorly.ui.states.live import push_notice
from creatorly.ui.states.orders.booking import FanBookingState
from creatorly.ui.states.orders.library import LibraryState
from creatorly.ui.states.orders.library_sessions import LibrarySessionsState
from creatorly.ui.states.orders.order import OrderPageState
from creatorly.ui.states.sandbox.pay import SandboxPayState
from creatorly.ui.states.site.report import ReportState
from creatorly.ui.states.storefront.audience import AudienceConfirmState, AudienceUnsubscribeState
from creatorly.ui.states.storefront.discover import DiscoverState
from creatorly.ui.states.storefront.memberships import StorefrontMembershipState
from creatorly.ui.states.storefront.post import PostPageState
from creatorly.ui.states.storefront.product import ProductState
from creatorly.ui.states.storefront.reviews import ProductReviewsState, TierReviewsState
from creatorly.ui.states.storefront.sessions import SessionBookingState, StorefrontSessionsState
from creatorly.ui.states.storefront.storefront import StorefrontState

configure_logging()
configure_error_tracking()

app = rx.App(
    theme=theme.theme,
    style=theme.global_style,
    stylesheets=["/styles.css"],
    # Applied in order, each wrapping the last: security headers outermost (nonces, gzip of pages), then the
    # frontend assets layer (hashed bundle files immutable, route modules preloaded: creatorly/api/static_assets.py),
    # over `api` (whose middleware writes the pages' SEO tags, see creatorly/api/app.py).
    api_transformer=[api, FrontendAssetsMiddleware, SecurityHeadersMiddleware],
    head_components=[rx.el.meta(name="theme-color", content="#6E56CF")],
    # A failing event handler shows our toast (a dependency outage names the part), never the exception.
    backend_exception_handler=backend_exception_handler,
)

PUBLIC = AuthState.load_user


def _push_live_notice(notice: LiveNotice) -> None:
    """Called after a sale, tip or membership commits in this web worker: bump the creator's live state."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # not inside the app's event loop (a command or script): nothing is listening here
    task = loop.create_task(push_notice(app, notice))
    _live_tasks.add(task)
    task.add_done_callback(_live_tasks.discard)


_live_tasks: set[asyncio.Task[None]] = set()
live_notices.register_listener(_push_live_notice)

app.add_page(
    landing_page,
    route=routes.LANDING,
    title="Creatorly — sell what you make",
    description="Storefronts, digital products, memberships and tips for creators, with payouts you can trust.",
    on_load=PUBLIC,
)
app.add_page(
    storefront_page,
    route=routes.STOREFRONT,
    title=StorefrontState.page_title,
    on_load=[
        PUBLIC,
        StorefrontState.load,
        StorefrontMembershipState.load,
        TierReviewsState.load,
        StorefrontSessionsState.load,
    ],
)
app.add_page(post_page, route=routes.POST, title="Post · Creatorly", on_load=[PUBLIC, PostPageState.load])
app.add_page(
    product_page,
    route=routes.PRODUCT,
    title=ProductState.page_title,
    on_load=[PUBLIC, ProductState.load, ProductReviewsState.load],
)
app.add_page(
    discover_page, route=routes.DISCOVER, title="Discover products · Creatorly", on_load=[PUBLIC, DiscoverState.load]
)
app.add_page(
    confirm_subscription_page,
    route=routes.AUDIENCE_CONFIRM,
    title="Confirm your subscription · Creatorly",
    on_load=[PUBLIC, AudienceConfirmState.load],
)
app.add_page(
    unsubscribe_page,
    route=routes.AUDIENCE_UNSUBSCRIBE,
    title="Unsubscribe · Creatorly",
    on_load=[PUBLIC, AudienceUnsubscribeState.load],
)
for route, (file_name, title) in LEGAL_DOCUMENTS.items():
    app.add_page(legal_page(file_name), route=route, title=f"{title} · Creatorly", on_load=PUBLIC)

app.add_page(
    sign_up_page, route=routes.SIGN_UP, title="Create your account · Creatorly", on_load=AuthState.redirect_if_signed_in
)
app.add_page(sign_in_page, route=routes.SIGN_IN, title="Sign in · Creatorly", on_load=SignInState.load)
app.add_page(
    two_factor_page, route=routes.TWO_FACTOR_CHALLENGE, title="Two-factor · Creatorly", on_load=TwoFactorState.load
)
app.add_page(
    verify_email_page, route=routes.VERIFY_EMAIL, title="Confirm your email · Creatorly", on_load=VerifyEmailState.load
)
app.add_page(reset_request_page, route=routes.RESET_PASSWORD, title="Reset your password · Creatorly", on_load=PUBLIC)
app.add_page(
    reset_confirm_page,
    route=routes.RESET_PASSWORD_CONFIRM,
    title="New password · Creatorly",
    on_load=ResetConfirmState.load,
)
app.add_page(
    account_page,
    route=routes.ACCOUNT,
    title="Your account · Creatorly",
    on_load=[AuthState.require_login, AccountState.load],
)
app.add_page(
    confirm_email_change_page,
    route=routes.CONFIRM_EMAIL_CHANGE,
    title="Confirm your new email · Creatorly",
    on_load=ConfirmEmailChangeState.load,
)
app.add_page(
    dev_mailbox_page, route=routes.DEV_MAILBOX, title="Dev mailbox · Creatorly", on_load=[PUBLIC, DevMailboxState.load]
)
PRIVATE = AuthState.require_login
app.add_page(
    onboarding_page,
    route=routes.DASHBOARD_ONBOARDING,
    title="Open your storefront · Creatorly",
    on_load=[PRIVATE, OnboardingState.load],
)
app.add_page(
    home_page, route=routes.DASHBOARD, title="Dashboard · Creatorly", on_load=[PRIVATE, DashboardHomeState.load]
)
app.add_page(
    products_page, route=routes.DASHBOARD_PRODUCTS, title="Products · Creatorly", on_load=[PRIVATE, ProductsState.load]
)
app.add_page(
    product_editor_page,
    route=routes.DASHBOARD_PRODUCT_EDITOR,
    title="Edit product · Creatorly",
    on_load=[PRIVATE, ProductEditorState.load],
)
app.add_page(
    storefront_settings_page,
    route=routes.DASHBOARD_STOREFRONT,
    title="Storefront settings · Creatorly",
    on_load=[PRIVATE, StorefrontSettingsState.load],
)
app.add_page(
    audience_page, route=routes.DASHBOARD_AUDIENCE, title="Audience · Creatorly", on_load=[PRIVATE, AudienceState.load]
)
app.add_page(order_page, route=routes.ORDER, title="Your order · Creatorly", on_load=[PUBLIC, OrderPageState.load])
app.add_page(
    sandbox_pay_page,
    route=routes.SANDBOX_PAY,
    title="Sandbox payment · Creatorly",
    on_load=[PUBLIC, SandboxPayState.load],
)
app.add_page(
    orders_page, route=routes.DASHBOARD_ORDERS, title="Orders · Creatorly", on_load=[PRIVATE, OrdersState.load]
)
app.add_page(
    order_detail_page,
    route=routes.DASHBOARD_ORDER_DETAIL,
    title="Order · Creatorly",
    on_load=[PRIVATE, OrderDetailState.load],
)
app.add_page(payouts_page, route=routes.PAYOUTS, title="Payouts · Creatorly", on_load=[PRIVATE, PayoutsState.load])
app.add_page(
    reconciliation_page,
    route=routes.ADMIN_RECONCILIATION,
    title="Reconciliation · Creatorly",
    on_load=[PRIVATE, ReconciliationState.load],
)
app.add_page(audit_page, route=routes.ADMIN_AUDIT, title="Audit log · Creatorly", on_load=[PRIVATE, AuditLogState.load])
for admin_page, admin_route, admin_title, admin_load in (
    (admin_creators_page, routes.ADMIN_CREATORS, "Creators", AdminCreatorsState.load),
    (admin_creator_page, routes.ADMIN_CREATOR, "Creator", AdminCreatorState.load),
    (admin_products_page, routes.ADMIN_PRODUCTS, "Products", AdminProductsState.load),
    (admin_product_page, routes.ADMIN_PRODUCT, "Product", AdminProductState.load),
    (admin_orders_page, routes.ADMIN_ORDERS, "Orders", AdminOrdersState.load),
    (admin_order_page, routes.ADMIN_ORDER, "Order", AdminOrderState.load),
):
    app.add_page(
        admin_page, route=admin_route, title=f"{admin_title} · Admin · Creatorly", on_load=[PRIVATE, admin_load]
    )
app.add_page(
    admin_overview_page, route=routes.ADMIN, title="Admin · Creatorly", on_load=[PRIVATE, AdminOverviewState.load]
)
app.add_page(admin_users_page, route=routes.ADMIN_USERS, title="Users · Admin", on_load=[PRIVATE, AdminUsersState.load])
app.add_page(admin_user_page, route=routes.ADMIN_USER, title="User · Admin", on_load=[PRIVATE, AdminUserState.load])
app.add_page(
    admin_payouts_page, route=routes.ADMIN_PAYOUTS, title="Payouts · Admin", on_load=[PRIVATE, AdminPayoutsState.load]
)
app.add_page(
    admin_payout_page, route=routes.ADMIN_PAYOUT, title="Payout · Admin", on_load=[PRIVATE, AdminPayoutState.load]
)
app.add_page(
    admin_events_page,
    route=routes.ADMIN_EVENTS,
    title="Webhook events · Admin",
    on_load=[PRIVATE, AdminEventsState.load],
)
app.add_page(
    admin_event_page, route=routes.ADMIN_EVENT, title="Webhook event · Admin", on_load=[PRIVATE, AdminEventState.load]
)
app.add_page(
    reports_page, route=routes.ADMIN_REPORTS, title="Reports · Creatorly", on_load=[PRIVATE, ReportsQueueState.load]
)
app.add_page(
    report_case_page,
    route=routes.ADMIN_REPORT,
    title="Report case · Creatorly",
    on_load=[PRIVATE, ReportCaseState.load],
)
app.add_page(report_page, route=routes.REPORT, title="Report content · Creatorly", on_load=[PUBLIC, ReportState.load])
app.add_page(
    moderation_page,
    route=routes.DASHBOARD_MODERATION,
    title="Reports & decisions · Creatorly",
    on_load=[PRIVATE, ModerationDashboardState.load],
)
app.add_page(
    statements_page,
    route=routes.DASHBOARD_STATEMENTS,
    title="Statements · Creatorly",
    on_load=[PRIVATE, StatementsState.load],
)
app.add_page(
    discounts_page,
    route=routes.DASHBOARD_DISCOUNTS,
    title="Discounts · Creatorly",
    on_load=[PRIVATE, DiscountsState.load],
)
app.add_page(
    library_page,
    route=routes.LIBRARY,
    title="Your library · Creatorly",
    on_load=[PUBLIC, LibraryState.load, LibrarySessionsState.load],
)
app.add_page(tiers_page, route=routes.DASHBOARD_TIERS, title="Tiers · Creatorly", on_load=[PRIVATE, TiersState.load])
app.add_page(
    tier_editor_page,
    route=routes.DASHBOARD_TIER_EDITOR,
    title="Edit tier · Creatorly",
    on_load=[PRIVATE, TierEditorState.load],
)
app.add_page(posts_page, route=routes.DASHBOARD_POSTS, title="Posts · Creatorly", on_load=[PRIVATE, PostsState.load])
app.add_page(
    post_editor_page,
    route=routes.DASHBOARD_POST_EDITOR,
    title="Edit post · Creatorly",
    on_load=[PRIVATE, PostEditorState.load],
)
app.add_page(
    tips_page, route=routes.DASHBOARD_TIPS, title="Tips · Creatorly", on_load=[PRIVATE, TipsDashboardState.load]
)
app.add_page(
    members_page,
    route=routes.DASHBOARD_MEMBERS,
    title="Members · Creatorly",
    on_load=[PRIVATE, MembersDashboardState.load],
)
app.add_page(
    reviews_page,
    route=routes.DASHBOARD_REVIEWS,
    title="Reviews · Creatorly",
    on_load=[PRIVATE, CreatorReviewsState.load],
)
# Paid sessions: the creator's calendar, session types and hours; the admin's disputes.
app.add_page(
    sessions_page,
    route=routes.DASHBOARD_SESSIONS,
    title="Sessions · Creatorly",
    on_load=[PRIVATE, SessionsDashboardState.load],
)
app.add_page(
    session_types_page,
    route=routes.DASHBOARD_SESSION_TYPES,
    title="Session types · Creatorly",
    on_load=[PRIVATE, SessionTypesState.load],
)
app.add_page(
    session_disputes_page,
    route=routes.ADMIN_DISPUTES,
    title="Session disputes · Admin",
    on_load=[PRIVATE, AdminDisputesState.load],
)
# Paid sessions, the fan's side: booking a session type, and the booking's own page (linked from every email).
app.add_page(
    session_booking_page,
    route=routes.SESSION_BOOKING,
    title="Book a session · Creatorly",
    on_load=[PUBLIC, SessionBookingState.load],
)
app.add_page(
    booking_page, route=routes.BOOKING, title="Your booking · Creatorly", on_load=[PUBLIC, FanBookingState.load]
)
app.add_page(not_found_page, route=routes.NOT_FOUND, title="Page not found · Creatorly", on_load=PUBLIC)
