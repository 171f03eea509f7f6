"""Every query of moderation: cases, reports, and the reported content it reads and takes down."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, ModerationCase, Post, PostComment, Product, Report, User
from creatorly.services.moderation.errors import ReportTargetNotFound

# --- Cases and reports ---------------------------------------------------------------------------


async def active_case(session: AsyncSession, target_type: str, target_id: int) -> ModerationCase | None:
    """The target's open or appealed case, under a row lock (PostgreSQL)."""
    statement = (
        select(ModerationCase)
        .where(
            ModerationCase.target_type == target_type,
            ModerationCase.target_id == target_id,
            col(ModerationCase.status).in_(["open", "appealed"]),
        )
        .order_by(col(ModerationCase.id).desc())
        .with_for_update()
    )
    return (await session.exec(statement)).first()


async def cases_of_target(session: AsyncSession, target_type: str, target_id: int) -> Sequence[ModerationCase]:
    statement = (
        select(ModerationCase)
        .where(ModerationCase.target_type == target_type, ModerationCase.target_id == target_id)
        .order_by(col(ModerationCase.id).desc())
    )
    return (await session.exec(statement)).all()


async def reports_of_target(session: AsyncSession, target_type: str, target_id: int) -> Sequence[Report]:
    statement = (
        select(Report)
        .where(Report.target_type == target_type, Report.target_id == target_id)
        .order_by(col(Report.id).desc())
    )
    return (await session.exec(statement)).all()


async def reporter_emails(session: AsyncSession, case_id: int) -> list[str]:
    statement = select(Report.reporter_email).where(Report.case_id == case_id, Report.reporter_email != "")
    return sorted(set((await session.exec(statement)).all()))


async def cases_with_status(session: AsyncSession, statuses: list[str], *, limit: int) -> Sequence[ModerationCase]:
    statement = (
        select(ModerationCase)
        .where(col(ModerationCase.status).in_(statuses))
        .order_by(col(ModerationCase.updated_at).desc(), col(ModerationCase.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def category_counts(session: AsyncSession, case_ids: list[int]) -> dict[int, dict[str, int]]:
    if not case_ids:
        return {}
    statement = (
        select(Report.case_id, Report.category, func.count())
        .where(col(Report.case_id).in_(case_ids))
        .group_by(col(Report.case_id), col(Report.category))
    )
    counts: dict[int, dict[str, int]] = {}
    for case_id, category, count in (await session.exec(statement)).all():
        counts.setdefault(case_id, {})[category] = count
    return counts


async def decided_cases_of_creator(session: AsyncSession, creator_id: int) -> Sequence[ModerationCase]:
    statement = (
        select(ModerationCase)
        .where(ModerationCase.creator_id == creator_id, col(ModerationCase.decided_at).is_not(None))
        .order_by(col(ModerationCase.decided_at).desc(), col(ModerationCase.id).desc())
    )
    return (await session.exec(statement)).all()


async def case_for_update(session: AsyncSession, case_id: int) -> ModerationCase | None:
    statement = select(ModerationCase).where(ModerationCase.id == case_id).with_for_update()
    return (await session.exec(statement)).first()


async def add(session: AsyncSession, row: ModerationCase | Report) -> None:
    session.add(row)
    await session.flush()


async def count_report(session: AsyncSession, case_id: int, now: datetime) -> None:
    """One more report on the case, by one atomic UPDATE: reports arriving together never lose a count."""
    statement = (
        update(ModerationCase)
        .where(col(ModerationCase.id) == case_id)
        .values(report_count=col(ModerationCase.report_count) + 1, updated_at=now)
    )
    await session.exec(statement)


# --- The reported content ------------------------------------------------------------------------


async def creator_by_id(session: AsyncSession, creator_id: int) -> Creator | None:
    return await session.get(Creator, creator_id)


async def creator_user_id(session: AsyncSession, creator_id: int) -> int | None:
    creator = await session.get(Creator, creator_id)
    return None if creator is None else creator.user_id


async def product_with_creator(session: AsyncSession, product_id: int) -> tuple[Product, Creator] | None:
    statement = select(Product, Creator).join(Creator, col(Creator.id) == col(Product.creator_id))
    return (await session.exec(statement.where(Product.id == product_id))).first()


async def post_with_creator(session: AsyncSession, post_id: int) -> tuple[Post, Creator] | None:
    statement = select(Post, Creator).join(Creator, col(Creator.id) == col(Post.creator_id))
    return (await session.exec(statement.where(Post.id == post_id))).first()


async def comment_with_post(session: AsyncSession, comment_id: int) -> tuple[PostComment, Post, Creator] | None:
    statement = (
        select(PostComment, Post, Creator)
        .join(Post, col(Post.id) == col(PostComment.post_id))
        .join(Creator, col(Creator.id) == col(Post.creator_id))
        .where(PostComment.id == comment_id)
    )
    return (await session.exec(statement)).first()


async def product_for_update(session: AsyncSession, product_id: int) -> Product:
    product = await session.get(Product, product_id, with_for_update=True, populate_existing=True)
    if product is None:
        raise ReportTargetNotFound()
    return product


async def post_for_update(session: AsyncSession, post_id: int) -> Post:
    post = await session.get(Post, post_id, with_for_update=True, populate_existing=True)
    if post is None:
        raise ReportTargetNotFound()
    return post


async def comment_for_update(session: AsyncSession, comment_id: int) -> PostComment:
    comment = await session.get(PostComment, comment_id, with_for_update=True, populate_existing=True)
    if comment is None:
        raise ReportTargetNotFound()
    return comment


async def user_email(session: AsyncSession, user_id: int) -> str:
    user = await session.get(User, user_id)
    return "" if user is None else user.email


def _reports_by(user_id: int, email: str) -> Any:
    """By the account, or (when given) sent from its address while signed out."""
    by_account = col(Report.reporter_user_id) == user_id
    return or_(by_account, func.lower(col(Report.reporter_email)) == email.lower()) if email else by_account


async def reports_by(session: AsyncSession, *, user_id: int, email: str) -> Sequence[Report]:
    statement = select(Report).where(_reports_by(user_id, email)).order_by(col(Report.id))
    return (await session.exec(statement)).all()


async def forget_reporter(session: AsyncSession, *, user_id: int, email: str, replacement_email: str) -> None:
    """Reports stay (a decision and its appeal rest on them); who sent them does not."""
    await session.exec(
        update(Report)
        .where(_reports_by(user_id, email))
        .values(reporter_user_id=None, reporter_email=replacement_email, ip_hash="")
    )
