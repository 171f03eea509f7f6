"""Reports and moderation: who may report what (validation, rate limits, email for signed-out reporters), the queue
grouped by target, decisions that take content down and email everyone, one appeal per removal, admin-only actions
that write nothing when refused, and hidden or taken-down content kept off public pages."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pyotp
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from creatorly import db
from creatorly.config import settings
from creatorly.errors import Forbidden, InvalidInput
from creatorly.models import AuditEntry, ModerationCase, OutboxEmail, Post, PostComment, Product, Report, Review
from creatorly.services.accounts import privacy as account_privacy
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts import two_factor
from creatorly.services.accounts.errors import TooManyAttempts, TwoFactorSetupRequired
from creatorly.services.accounts.schemas import SignedIn, TwoFactorChallenge
from creatorly.services.admin import catalog_reads
from creatorly.services.admin import moderation as takedowns
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.manage import ProductTakenDown, set_status
from creatorly.services.catalog.service import ProductNotFound
from creatorly.services.memberships import comments, posts
from creatorly.services.memberships.content_schemas import PostInput
from creatorly.services.moderation import decisions
from creatorly.services.moderation import service as moderation
from creatorly.services.moderation.errors import AppealNotAllowed, CaseNotFound, ReportTargetNotFound
from creatorly.services.moderation.schemas import ReportInput
from tests.accounts import PASSWORD, new_requester, outbox_for, signed_up_and_verified
from tests.factories import make_creator, new_product

ADMIN_EMAIL = "moderator@example.com"
_numbers = itertools.count(1)  # a fresh reporter email per report: Redis-backed limits outlive a test
DETAILS = "This copies my artwork without permission."


async def _count(model: Any) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _signed_in(email: str) -> str:
    signed_in = await accounts.sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def _admin(*, with_two_factor: bool = True, email: str = ADMIN_EMAIL) -> str:
    await accounts.create_admin(email=email, password=PASSWORD)
    first = await _signed_in(email)
    if not with_two_factor:
        return first
    setup = await two_factor.begin_setup(session_token=first)
    await two_factor.confirm_setup(session_token=first, code=pyotp.TOTP(setup.secret).now())
    challenge = await accounts.sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(challenge, TwoFactorChallenge)
    done = await accounts.complete_two_factor(
        challenge_token=challenge.challenge_token, code=pyotp.TOTP(setup.secret).now(), requester=new_requester()
    )
    return done.session_token


async def _report(
    target_type: str,
    target_id: int,
    *,
    category: str = "copyright",
    email: str = "",
    ip: str | None = None,
    token: str = "",
) -> int:
    return await moderation.submit_report(
        session_token=token,
        values=ReportInput(target_type, str(target_id), category, DETAILS, email or f"fan{next(_numbers)}@example.com"),
        ip=ip or new_requester().ip,
    )


async def _product(product_id: int) -> Product:
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        return product


async def _audit(action: str) -> list[AuditEntry]:
    async with db.transaction() as session:
        statement = select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        return list((await session.exec(statement)).all())


def _changes(entry: AuditEntry) -> tuple[dict[str, object], dict[str, object]]:
    return json.loads(entry.before), json.loads(entry.after)


async def test_reports_are_validated_and_signed_out_reporters_must_give_an_email() -> None:
    made = await make_creator(products=[new_product(title="Live"), new_product(title="Draft", is_published=False)])
    live, draft = made.products
    assert live.id is not None and draft.id is not None

    refused: list[tuple[ReportInput, type[Exception], str | None]] = [
        (ReportInput("planet", str(live.id), "fraud", DETAILS, "a@example.com"), ReportTargetNotFound, None),
        (ReportInput("product", "999999", "fraud", DETAILS, "a@example.com"), ReportTargetNotFound, None),
        (ReportInput("product", "abc", "fraud", DETAILS, "a@example.com"), ReportTargetNotFound, None),
        (ReportInput("product", str(draft.id), "fraud", DETAILS, "a@example.com"), ReportTargetNotFound, None),
        (ReportInput("product", str(live.id), "spam", DETAILS, "a@example.com"), InvalidInput, "category"),
        (ReportInput("product", str(live.id), "fraud", "too short", "a@example.com"), InvalidInput, "details"),
        (ReportInput("product", str(live.id), "fraud", "x" * 2001, "a@example.com"), InvalidInput, "details"),
        (ReportInput("product", str(live.id), "fraud", DETAILS, ""), InvalidInput, "email"),
        (ReportInput("product", str(live.id), "fraud", DETAILS, "not-an-email"), InvalidInput, "email"),
    ]
    for values, error, field in refused:
        with pytest.raises(error) as raised:
            await moderation.submit_report(session_token="", values=values, ip=new_requester().ip)
        assert getattr(raised.value, "field", None) == field
    assert (await _count(Report), await _count(ModerationCase)) == (0, 0)

    fan = await signed_up_and_verified("signedin@example.com")
    await moderation.submit_report(
        session_token=fan.session_token,
        values=ReportInput("product", str(live.id), "fraud", "Scam <b>bold</b> listing, never delivers."),
        ip="203.0.113.9",
    )
    async with db.transaction() as session:
        report = (await session.exec(select(Report))).one()
    assert (report.reporter_user_id, report.reporter_email, report.text, report.category) == (
        fan.user.id,
        "signedin@example.com",
        "Scam bold listing, never delivers.",
        "fraud",
    )
    assert report.ip_hash == moderation.ip_hash("203.0.113.9") and "203.0.113.9" not in report.ip_hash
    assert (await moderation.report_target(target_type="product", target_id=str(live.id))).label == (
        f'Product "Live" by {made.creator.display_name}'
    )


async def test_reports_are_limited_per_ip_and_per_email(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "rate_limit_report", "3/hour")
    made = await make_creator(products=[new_product()])
    product_id = made.products[0].id
    assert product_id is not None
    ip = new_requester().ip

    for number in range(3):
        await _report("product", product_id, email=f"ip{number}@example.com", ip=ip)
    with pytest.raises(TooManyAttempts):
        await _report("product", product_id, email="ip3@example.com", ip=ip)
    assert await _count(Report) == 3

    for _ in range(3):
        await _report("product", product_id, email="same@example.com")
    with pytest.raises(TooManyAttempts):
        await _report("product", product_id, email="same@example.com")
    assert await _count(Report) == 6
    async with db.transaction() as session:
        case = (await session.exec(select(ModerationCase))).one()
    assert case.report_count == 6


async def test_the_queue_groups_open_reports_by_target_with_counts_per_category() -> None:
    made = await make_creator(products=[new_product(title="Copied"), new_product(title="Fine")])
    copied, _fine = made.products
    assert copied.id is not None and made.creator.id is not None
    admin = await _admin()
    await _report("product", copied.id, category="fraud")
    await _report("product", copied.id, category="copyright")
    await _report("product", copied.id, category="fraud")
    await _report("storefront", made.creator.id, category="harassment")

    rows = await moderation.admin_queue(session_token=admin, status="open")
    assert [(row.target_type, row.target_id, row.report_count, row.category_counts) for row in rows] == [
        ("storefront", made.creator.id, 1, {"harassment": 1}),
        ("product", copied.id, 3, {"copyright": 1, "fraud": 2}),
    ]
    assert rows[1].label == f'Product "Copied" by {made.creator.display_name}'
    assert await moderation.admin_queue(session_token=admin, status="resolved") == []
    with pytest.raises(InvalidInput):
        await moderation.admin_queue(session_token=admin, status="everything")

    detail = await moderation.admin_case(session_token=admin, target_key=f"product-{copied.id}")
    assert [report.category for report in detail.reports] == ["fraud", "copyright", "fraud"]
    assert detail.current is not None and detail.current.status == "open" and detail.can_take_down
    assert (
        await moderation.admin_case(session_token=admin, target_key=f"storefront-{made.creator.id}")
    ).can_take_down is False


async def test_removing_a_product_unpublishes_it_emails_reporters_and_creator_and_blocks_republishing() -> None:
    made = await make_creator(products=[new_product(title="Stolen Art")])
    product = made.products[0]
    assert product.id is not None
    admin = await _admin()
    await _report("product", product.id, email="first@example.com")
    await _report("product", product.id, email="second@example.com", category="fraud")

    await decisions.resolve_case(
        session_token=admin,
        target_type="product",
        target_id=product.id,
        decision="content_removed",
        reason="Copies another artist's work",
    )

    taken = await _product(product.id)
    assert (str(taken.status), taken.takedown_reason, taken.taken_down_at is not None) == (
        "draft",
        "Copies another artist's work",
        True,
    )
    with pytest.raises(ProductNotFound):
        await catalog.get_product_page(handle=made.creator.handle, slug=product.slug)
    with pytest.raises(ReportTargetNotFound):
        await _report("product", product.id, email="late@example.com")
    creator_token = await _signed_in(made.email)
    with pytest.raises(ProductTakenDown):
        await set_status(session_token=creator_token, product_id=product.id, status="published")
    assert str((await _product(product.id)).status) == "draft"

    for address in ("first@example.com", "second@example.com"):
        [mail] = await outbox_for(address)
        assert mail.subject == "We reviewed your report on Creatorly"
        assert "We removed it." in mail.text_body and "Copies another artist's work" in mail.text_body
    [to_creator] = await outbox_for(made.email)
    assert to_creator.subject == "We removed some of your content on Creatorly"
    assert f"{settings.resolved_public_url}/dashboard/moderation" in to_creator.text_body

    [takedown] = await _audit("product.taken_down")
    assert (takedown.actor_email, takedown.target_id, takedown.creator_id, takedown.reason) == (
        ADMIN_EMAIL,
        str(product.id),
        made.creator.id,
        "Copies another artist's work",
    )
    assert _changes(takedown) == ({"status": "published", "taken_down": False}, {"status": "draft", "taken_down": True})
    [decided] = await _audit("moderation.decided")
    assert _changes(decided) == (
        {"status": "open", "decision": ""},
        {"status": "resolved", "decision": "content_removed"},
    )
    with pytest.raises(CaseNotFound):
        await decisions.resolve_case(
            session_token=admin, target_type="product", target_id=product.id, decision="dismissed", reason="Again"
        )


async def test_a_creator_appeals_a_removal_once_and_a_reversal_restores_the_product() -> None:
    made, other = await make_creator(products=[new_product(title="Mine")]), await make_creator()
    product = made.products[0]
    assert product.id is not None
    admin = await _admin()
    await _report("product", product.id)
    await decisions.resolve_case(
        session_token=admin, target_type="product", target_id=product.id, decision="content_removed", reason="Fraud"
    )
    creator_token, other_token = await _signed_in(made.email), await _signed_in(other.email)
    [decision] = await moderation.my_decisions(session_token=creator_token)
    assert (decision.decision, decision.reason, decision.can_appeal) == ("content_removed", "Fraud", True)
    assert await moderation.my_decisions(session_token=other_token) == []

    with pytest.raises(CaseNotFound):
        await decisions.appeal(session_token=other_token, case_id=decision.case_id, text="Not mine but let me try")
    with pytest.raises(InvalidInput):
        await decisions.appeal(session_token=creator_token, case_id=decision.case_id, text="no")
    await decisions.appeal(
        session_token=creator_token, case_id=decision.case_id, text="I made this myself, see my sketches."
    )
    with pytest.raises(AppealNotAllowed):
        await decisions.appeal(session_token=creator_token, case_id=decision.case_id, text="And again, please!")
    assert [row.status for row in await moderation.admin_queue(session_token=admin, status="appealed")] == ["appealed"]

    await decisions.resolve_appeal(
        session_token=admin,
        target_type="product",
        target_id=product.id,
        decision="reversed",
        reason="Sketches prove it",
    )
    restored = await _product(product.id)
    assert (str(restored.status), restored.taken_down_at, restored.takedown_reason) == ("published", None, "")
    assert (await catalog.get_product_page(handle=made.creator.handle, slug=product.slug)).product_id == product.id
    subjects = [mail.subject for mail in await outbox_for(made.email)]
    assert subjects == ["We removed some of your content on Creatorly", "Your appeal: decision reversed"]
    [restore] = await _audit("product.restored")
    assert _changes(restore) == ({"status": "draft", "taken_down": True}, {"status": "published", "taken_down": False})
    [appealed] = await _audit("moderation.appealed")
    assert (appealed.actor_email, _changes(appealed)) == (
        made.email,
        ({"status": "resolved"}, {"status": "appealed"}),
    )
    with pytest.raises(AppealNotAllowed):
        await decisions.appeal(session_token=creator_token, case_id=decision.case_id, text="One more time please")
    [after] = await moderation.my_decisions(session_token=creator_token)
    assert (after.status, after.appeal_decision, after.can_appeal) == ("appeal_resolved", "reversed", False)


async def test_a_dismissal_cannot_be_appealed_and_a_storefront_removal_takes_nothing_down() -> None:
    made = await make_creator(products=[new_product()])
    assert made.creator.id is not None
    admin = await _admin()
    await _report("storefront", made.creator.id, category="harassment")
    await decisions.resolve_case(
        session_token=admin,
        target_type="storefront",
        target_id=made.creator.id,
        decision="content_removed",
        reason="Suspend on the creator page",
    )
    await _report("product", made.products[0].id or 0)
    await decisions.resolve_case(
        session_token=admin,
        target_type="product",
        target_id=made.products[0].id or 0,
        decision="dismissed",
        reason="Nothing wrong",
    )
    assert (await catalog.get_storefront(handle=made.creator.handle)).creator_id == made.creator.id
    assert str((await _product(made.products[0].id or 0)).status) == "published"
    token = await _signed_in(made.email)
    dismissed = next(
        item for item in await moderation.my_decisions(session_token=token) if item.target_type == "product"
    )
    assert dismissed.can_appeal is False
    with pytest.raises(AppealNotAllowed):
        await decisions.appeal(session_token=token, case_id=dismissed.case_id, text="Why was I even reported?")
    assert await _audit("product.taken_down") == []


async def _post_with_comment() -> tuple[str, str, int, int]:
    made = await make_creator()
    creator_token = await _signed_in(made.email)
    post_id = await posts.create_post(
        session_token=creator_token, values=PostInput(title="Hello world", body="Body text", status="published")
    )
    fan = await signed_up_and_verified("commenter@example.com")
    comment = await comments.add_comment(
        session_token=fan.session_token, handle=made.creator.handle, slug="hello-world", body="Rude words here"
    )
    return made.creator.handle, creator_token, post_id, comment.id


async def test_hidden_posts_and_comments_are_not_shown_publicly() -> None:
    handle, creator_token, post_id, comment_id = await _post_with_comment()
    admin = await _admin()
    await _report("comment", comment_id, category="harassment")

    await takedowns.hide_comment(session_token=admin, comment_id=comment_id, reason="Harassment")
    page = await posts.get_post_page(handle=handle, slug="hello-world")
    assert page.comments == [] and page.post_id == post_id
    owner_view = await posts.get_post_page(handle=handle, slug="hello-world", session_token=creator_token)
    assert [(item.id, item.is_hidden) for item in owner_view.comments] == [(comment_id, True)]
    with pytest.raises(ReportTargetNotFound):
        await _report("comment", comment_id)

    await takedowns.hide_post(session_token=admin, post_id=post_id, reason="Spam post")
    assert await posts.list_public_posts(handle=handle) == []
    with pytest.raises(posts.PostNotFound):
        await posts.get_post_page(handle=handle, slug="hello-world")
    assert (await posts.get_post_page(handle=handle, slug="hello-world", session_token=creator_token)).title == (
        "Hello world"
    )
    assert [_changes(entry) for entry in await _audit("comment.hidden")] == [({"hidden": False}, {"hidden": True})]
    assert [_changes(entry) for entry in await _audit("post.hidden")] == [({"hidden": False}, {"hidden": True})]
    async with db.transaction() as session:
        cases = (await session.exec(select(ModerationCase).order_by(col(ModerationCase.id)))).all()
    assert [(case.target_type, case.status, case.decision, case.report_count) for case in cases] == [
        ("comment", "resolved", "content_removed", 1),
        ("post", "resolved", "content_removed", 0),
    ]


async def test_admin_actions_are_refused_to_non_admins_and_admins_without_two_factor_writing_nothing() -> None:
    handle, _creator_token, post_id, comment_id = await _post_with_comment()
    made = await make_creator(products=[new_product()])
    product_id = made.products[0].id or 0
    await _report("product", product_id)
    fan = (await signed_up_and_verified("plainfan@example.com")).session_token
    no_two_factor = await _admin(with_two_factor=False, email="new-admin@example.com")
    actions: list[Callable[[str], Awaitable[object]]] = [
        lambda token: takedowns.unpublish_product(session_token=token, product_id=product_id, reason="Because"),
        lambda token: takedowns.hide_post(session_token=token, post_id=post_id, reason="Because"),
        lambda token: takedowns.hide_comment(session_token=token, comment_id=comment_id, reason="Because"),
        lambda token: decisions.resolve_case(
            session_token=token, target_type="product", target_id=product_id, decision="content_removed", reason="Bc"
        ),
        lambda token: decisions.resolve_appeal(
            session_token=token, target_type="product", target_id=product_id, decision="reversed", reason="Bcs"
        ),
        lambda token: moderation.admin_queue(session_token=token),
        lambda token: moderation.admin_case(session_token=token, target_key=f"product-{product_id}"),
    ]
    before = (await _count(AuditEntry), await _count(OutboxEmail), await _count(ModerationCase))
    for action in actions:
        with pytest.raises(Forbidden):
            await action(fan)
        with pytest.raises(TwoFactorSetupRequired):
            await action(no_two_factor)
    assert (await _count(AuditEntry), await _count(OutboxEmail), await _count(ModerationCase)) == before
    assert str((await _product(product_id)).status) == "published"
    async with db.transaction() as session:
        post = await session.get(Post, post_id)
        comment = await session.get(PostComment, comment_id)
        case = (await session.exec(select(ModerationCase))).one()
    assert post is not None and post.hidden_at is None
    assert comment is not None and comment.hidden_at is None
    assert (case.status, case.decision) == ("open", "")
    with pytest.raises(InvalidInput):
        await takedowns.unpublish_product(session_token=await _admin(), product_id=product_id, reason=" ")
    assert str((await _product(product_id)).status) == "published"
    assert handle


async def test_a_reported_review_is_hidden_by_a_removal_and_audited() -> None:
    made = await make_creator(products=[new_product(title="Brushes")])
    product_id = made.products[0].id
    assert product_id is not None and made.creator.id is not None
    async with db.transaction() as session:
        review = Review(
            creator_id=made.creator.id,
            product_id=product_id,
            reviewer_user_id=made.creator.user_id,
            rating=1,
            body="Spam",
        )
        session.add(review)
        await session.flush()
        review_id = review.id
    assert review_id is not None
    admin = await _admin()
    await _report("review", review_id, category="other")
    with pytest.raises(ReportTargetNotFound):
        await _report("review", review_id + 1)
    await decisions.resolve_case(
        session_token=admin, target_type="review", target_id=review_id, decision="content_removed", reason="Fake review"
    )
    async with db.transaction() as session:
        hidden = await session.get(Review, review_id)
    assert hidden is not None and hidden.hidden_at is not None and hidden.hidden_reason == "Fake review"
    [entry] = await _audit("review.taken_down")
    assert (entry.target_type, entry.target_id) == ("review", str(review_id))
    with pytest.raises(ReportTargetNotFound):
        await _report("review", review_id)


async def test_first_reports_arriving_together_share_one_case() -> None:
    made = await make_creator(products=[new_product()])
    product_id = made.products[0].id
    assert product_id is not None

    await asyncio.gather(*[_report("product", product_id) for _ in range(3)])

    async with db.transaction() as session:
        cases = (await session.exec(select(ModerationCase))).all()
    assert [(case.status, case.report_count) for case in cases] == [("open", 3)]
    assert await _count(Report) == 3


async def test_an_admin_finds_a_creators_posts_and_removes_one_nobody_reported() -> None:
    handle, _creator_token, post_id, _comment_id = await _post_with_comment()
    admin = await _admin()
    async with db.transaction() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        creator_id = post.creator_id

    listed = (await catalog_reads.creator_detail(session_token=admin, creator_id=creator_id)).recent_posts
    case = await moderation.admin_case(session_token=admin, target_key=f"post-{post_id}")
    await decisions.take_down_content(session_token=admin, target_type="post", target_id=post_id, reason="Scam links")

    assert [(line.id, line.title, line.state) for line in listed] == [(post_id, "Hello world", "Published")]
    assert (case.current, case.reports, case.can_take_down, case.target.is_visible) == (None, [], True, True)
    after = (await catalog_reads.creator_detail(session_token=admin, creator_id=creator_id)).recent_posts
    assert [line.state for line in after] == ["Hidden"]
    assert await posts.list_public_posts(handle=handle) == []
    [entry] = await _audit("post.hidden")
    assert (_changes(entry), entry.reason) == (({"hidden": False}, {"hidden": True}), "Scam links")


async def test_a_reporters_download_holds_their_reports_and_deleting_the_account_forgets_who_sent_them() -> None:
    made = await make_creator(products=[new_product()])
    product_id = made.products[0].id
    assert product_id is not None
    fan = await signed_up_and_verified("reporter@example.com")
    await _report("product", product_id, category="fraud", token=fan.session_token)
    await _report("product", product_id, category="other", email="Reporter@Example.com")
    await _report("product", product_id, category="other", email="someone-else@example.com")

    exported = await account_privacy.export_my_data(session_token=fan.session_token)
    await account_privacy.delete_my_account(session_token=fan.session_token, password=PASSWORD, confirmation="DELETE")

    assert [row["category"] for row in exported["reports"]] == ["fraud", "other"]
    async with db.transaction() as session:
        rows = (await session.exec(select(Report).order_by(col(Report.id)))).all()
    assert [(row.reporter_user_id, row.reporter_email.startswith("deleted-user-"), row.ip_hash == "") for row in rows][
        :2
    ] == [(None, True, True), (None, True, True)]
    assert (rows[2].reporter_email, rows[2].ip_hash != "") == ("someone-else@example.com", True)
