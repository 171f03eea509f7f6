"""A reporter's privacy rights: their reports in their data download; deleting the account forgets who reported."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.services.moderation import repository


async def export_reports_of(session: AsyncSession, *, user_id: int, email: str) -> list[dict[str, Any]]:
    """The reports the person sent, signed in or by their email."""
    return [
        {
            "target_type": report.target_type,
            "target_id": report.target_id,
            "category": report.category,
            "text": report.text,
            "created_at": report.created_at.isoformat(),
        }
        for report in await repository.reports_by(session, user_id=user_id, email=email)
    ]


async def forget_reporter(session: AsyncSession, *, user_id: int, email: str, replacement_email: str) -> None:
    """Keep the reports (decisions and appeals rest on them) without the person's account, email or IP hash."""
    await repository.forget_reporter(session, user_id=user_id, email=email, replacement_email=replacement_email)
