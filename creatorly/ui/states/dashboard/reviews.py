"""State of `/dashboard/reviews`: the reviews of the creator's products and tiers, newest first, with one reply each."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.creators.service import NotACreator
from creatorly.services.reviews import creator as creator_reviews
from creatorly.services.reviews import service as reviews
from creatorly.services.reviews.schemas import CreatorReviewView
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events
from creatorly.ui.states.storefront.reviews import star_text


@dataclass
class CreatorReviewRow:
    id: str = ""  # text: the reply form sends it back as a hidden field
    target_label: str = ""
    reviewer_name: str = ""
    stars: str = ""
    rating_text: str = ""
    body: str = ""
    date: str = ""
    is_hidden: bool = False
    reply_body: str = ""
    can_reply: bool = False


def _row(view: CreatorReviewView) -> CreatorReviewRow:
    return CreatorReviewRow(
        id=str(view.id),
        target_label=view.target_label,
        reviewer_name=view.reviewer_name,
        stars=star_text(view.rating * 10),
        rating_text=f"{view.rating} out of 5 stars",
        body=view.body,
        date=view.created_at.strftime("%d %b %Y"),
        is_hidden=view.is_hidden,
        reply_body=view.reply_body,
        can_reply=view.replied_at is None and not view.is_hidden,
    )


class CreatorReviewsState(rx.State):
    is_loading: bool = True
    rows: list[CreatorReviewRow] = []
    page: int = 1
    has_more: bool = False
    replying_to: str = ""

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    async def _fetch(self) -> None:
        result = await creator_reviews.list_my_reviews(session_token=await self._token(), page=self.page)
        self.rows = [_row(view) for view in result.reviews]
        self.page, self.has_more, self.is_loading = result.page, result.has_more, False

    async def _refresh(self) -> Events:
        try:
            await self._fetch()
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)

    @rx.event
    async def load(self) -> Events:
        async for event in self._refresh():
            yield event

    @rx.event
    async def go_to_page(self, page: int) -> Events:
        self.page = max(int(page), 1)
        async for event in self._refresh():
            yield event

    @rx.event
    async def reply(self, form: dict[str, str]) -> Events:
        review_id = form.get("review_id", "")
        if not review_id.isdigit() or self.replying_to:
            return
        self.replying_to = review_id
        yield None
        try:
            await reviews.reply_to_review(
                session_token=await self._token(), review_id=int(review_id), text=form.get("reply", "")
            )
            await self._fetch()
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.replying_to = ""
        yield toast.success("Your reply is posted.")
