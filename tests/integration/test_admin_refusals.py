"""Every admin use case refuses a signed-in non-admin and an admin without two-factor, and writes nothing.

The list below is checked against the code: a new public use case in creatorly/services/admin/ or in
moderation's decisions that takes a session token fails this file until it is added here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pyotp
import pytest
from sqlmodel import SQLModel

from creatorly import db
from creatorly.errors import Forbidden
from creatorly.services import admin as admin_package
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts import two_factor
from creatorly.services.accounts.errors import TwoFactorSetupRequired
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.admin import (
    actions,
    catalog_reads,
    console,
    console_actions,
    moderation,
    overview,
    session_disputes,
    suspension,
)
from creatorly.services.audit import browse
from creatorly.services.audit.schemas import AuditFilter
from creatorly.services.moderation import decisions
from creatorly.services.moderation import service as moderation_service
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator, make_order, new_product

Call = Callable[[str], Awaitable[Any]]
# Tables a refused call may touch: signing in writes sessions and the sign-in's own audit entry.
NOT_COMPARED = {"user_sessions"}
CREATORS_OWN = {"decisions.appeal"}  # a creator's appeal of a decision, not an admin action


def _calls(creator_id: int, product_id: int, order_id: int) -> dict[str, Call]:
    """Each use case by its qualified name, with arguments that would succeed for an admin."""
    why = "Checked by the trust team"
    return {
        "actions.admin_set_creator_terms": lambda t: actions.admin_set_creator_terms(
            session_token=t, creator_id=creator_id, platform_fee_percent=Decimal("3"), hold_period_days=2, reason=why
        ),
        "actions.admin_refund_order": lambda t: actions.admin_refund_order(
            session_token=t, order_id=order_id, amount_text="", reason=why
        ),
        "actions.admin_resend_receipt": lambda t: actions.admin_resend_receipt(
            session_token=t, order_id=order_id, reason=why
        ),
        "suspension.admin_suspend_creator": lambda t: suspension.admin_suspend_creator(
            session_token=t, creator_id=creator_id, reason=why
        ),
        "suspension.admin_restore_creator": lambda t: suspension.admin_restore_creator(
            session_token=t, creator_id=creator_id, reason=why
        ),
        "console_actions.hold_payouts": lambda t: console_actions.hold_payouts(
            session_token=t, creator_id=creator_id, reason=why
        ),
        "console_actions.release_payouts": lambda t: console_actions.release_payouts(
            session_token=t, creator_id=creator_id, reason=why
        ),
        "console_actions.retry_webhook_event": lambda t: console_actions.retry_webhook_event(
            session_token=t, event_id=1, reason=why
        ),
        "moderation.unpublish_product": lambda t: moderation.unpublish_product(
            session_token=t, product_id=product_id, reason=why
        ),
        "moderation.hide_post": lambda t: moderation.hide_post(session_token=t, post_id=1, reason=why),
        "moderation.hide_comment": lambda t: moderation.hide_comment(session_token=t, comment_id=1, reason=why),
        "decisions.resolve_case": lambda t: decisions.resolve_case(
            session_token=t, target_type="product", target_id=product_id, decision="dismissed", reason=why
        ),
        "decisions.take_down_content": lambda t: decisions.take_down_content(
            session_token=t, target_type="product", target_id=product_id, reason=why
        ),
        "decisions.resolve_appeal": lambda t: decisions.resolve_appeal(
            session_token=t, target_type="product", target_id=product_id, decision="reversed", reason=why
        ),
        "session_disputes.decide": lambda t: session_disputes.decide(
            session_token=t, booking_public_id="sb_none", creator_percent_text="50", reason=why
        ),
        # Reads: refused the same way (and they write nothing either).
        "session_disputes.open_disputes": lambda t: session_disputes.open_disputes(session_token=t),
        "catalog_reads.list_creators": lambda t: catalog_reads.list_creators(session_token=t),
        "catalog_reads.creator_detail": lambda t: catalog_reads.creator_detail(session_token=t, creator_id=creator_id),
        "catalog_reads.list_orders": lambda t: catalog_reads.list_orders(session_token=t),
        "catalog_reads.order_detail": lambda t: catalog_reads.order_detail(session_token=t, order_id=order_id),
        "catalog_reads.list_products": lambda t: catalog_reads.list_products(session_token=t),
        "catalog_reads.product_detail": lambda t: catalog_reads.product_detail(session_token=t, product_id=product_id),
        "console.list_users": lambda t: console.list_users(session_token=t),
        "console.user_detail": lambda t: console.user_detail(session_token=t, user_id=1),
        "console.list_payouts": lambda t: console.list_payouts(session_token=t),
        "console.payout_detail": lambda t: console.payout_detail(session_token=t, payout_id=1),
        "console.list_events": lambda t: console.list_events(session_token=t),
        "console.event_detail": lambda t: console.event_detail(session_token=t, event_id=1),
        "overview.check_access": lambda t: overview.check_access(session_token=t),
        "overview.platform_overview": lambda t: overview.platform_overview(session_token=t, granularity="day"),
        "moderation_service.admin_queue": lambda t: moderation_service.admin_queue(session_token=t),
        "moderation_service.admin_case": lambda t: moderation_service.admin_case(
            session_token=t, target_key=f"product-{product_id}"
        ),
        "browse.admin_entries": lambda t: browse.admin_entries(session_token=t, wanted=AuditFilter(), page_size=10),
    }


def _admin_use_cases() -> set[str]:
    """Every public coroutine taking a session token in services/admin/ and in moderation's decisions."""
    modules = [
        importlib.import_module(f"{admin_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(admin_package.__path__)
    ]
    names = set()
    for module in [*modules, decisions]:
        for name, function in inspect.getmembers(module, inspect.iscoroutinefunction):
            is_public = function.__module__ == module.__name__ and not name.startswith("_")
            if is_public and "session_token" in inspect.signature(function).parameters and name != "admin_actor":
                names.add(f"{module.__name__.rsplit('.', 1)[1]}.{name}")
    return names - CREATORS_OWN


async def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    async with db.transaction() as session:
        connection, tables = await session.connection(), {}
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in NOT_COMPARED:
                rows = (await connection.execute(table.select())).all()
                tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return tables


async def _admin_without_two_factor() -> str:
    await accounts.create_admin(email="unsure-admin@example.com", password=PASSWORD)
    signed_in = await accounts.sign_in(email="unsure-admin@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


def test_every_admin_use_case_is_in_the_refusal_list() -> None:
    listed = {name for name in _calls(1, 1, 1) if not name.startswith(("moderation_service.", "browse."))}
    assert _admin_use_cases() == listed


async def test_every_admin_use_case_refuses_non_admins_and_admins_without_two_factor_writing_nothing() -> None:
    made = await make_creator(products=[new_product(title="Guarded")])
    product = made.products[0]
    order = await make_order(product=product, buyer_email="buyer@example.com")
    assert made.creator.id is not None and product.id is not None and order.id is not None
    fan = (await signed_up_and_verified("curious-fan@example.com")).session_token
    creator = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(creator, SignedIn)
    no_two_factor = await _admin_without_two_factor()
    calls = _calls(made.creator.id, product.id, order.id)
    before = await _snapshot()

    for name, call in calls.items():
        with pytest.raises(Forbidden):
            await call(fan)
        with pytest.raises(Forbidden):
            await call(creator.session_token)
        with pytest.raises(TwoFactorSetupRequired):
            await call(no_two_factor)
        assert await _snapshot() == before, name


async def test_the_same_admin_use_cases_work_once_two_factor_is_on() -> None:
    """The refusals above are about the caller: with two-factor on, the same admin changes terms (and it is logged)."""
    made = await make_creator(products=[new_product()])
    assert made.creator.id is not None
    token = await _admin_without_two_factor()
    setup = await two_factor.begin_setup(session_token=token)
    await two_factor.confirm_setup(session_token=token, code=pyotp.TOTP(setup.secret).now())

    await actions.admin_set_creator_terms(
        session_token=token,
        creator_id=made.creator.id,
        platform_fee_percent=Decimal("3"),
        hold_period_days=2,
        reason="Partner",
    )

    page = await browse.admin_entries(session_token=token, wanted=AuditFilter(), page_size=5)
    assert [(item.action, item.reason) for item in page.items][:1] == [("creator.terms_changed", "Partner")]
