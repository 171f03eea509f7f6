"""State of the reviews on a product page and on a storefront's tiers: summary, sorted pages, the rating form."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.reviews import rules
from creatorly.services.reviews import service as reviews
from creatorly.services.reviews import tiers as tier_reviews
from creatorly.services.reviews.schemas import RatingSummary, ReviewsPage, ReviewTarget, ReviewView
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

SORT_NEWEST, SORT_HELPFUL = rules.SORT_NEWEST, rules.SORT_HELPFUL


@dataclass
class ReviewRow:
    id: int = 0
    reviewer_name: str = ""
    rating: int = 0
    stars: str = ""  # "★★★★☆", shown to sight only; rating_text is what readers hear
    rating_text: str = ""
    body: str = ""
    date: str = ""
    helpful_label: str = ""
    has_voted: bool = False
    is_mine: bool = False
    reply_body: str = ""
    report_href: str = ""


@dataclass
class TierRatingRow:
    tier_id: int = 0
    name: str = ""
    stars: str = ""
    summary_text: str = ""
    review_count: int = 0
    can_review: bool = False


def star_text(tenths: int) -> str:
    filled = (tenths + 5) // 10
    return "★" * filled + "☆" * (5 - filled)


def _row(view: ReviewView) -> ReviewRow:
    return ReviewRow(
        id=view.id,
        reviewer_name=view.reviewer_name,
        rating=view.rating,
        stars=star_text(view.rating * 10),
        rating_text=f"{view.rating} out of 5 stars",
        body=view.body,
        date=view.created_at.strftime("%d %b %Y") + (" (edited)" if view.is_edited else ""),
        helpful_label=f"Helpful ({view.helpful_count})",
        has_voted=view.has_voted,
        is_mine=view.is_mine,
        reply_body=view.reply_body,
        report_href=routes.report("review", view.id),
    )


class ReviewsMixin(rx.State, mixin=True):
    """One target's reviews: the page loads its target, then every handler re-checks the reader on the server."""

    is_reviews_loaded: bool = False
    review_count: int = 0
    average_label: str = ""
    average_stars: str = ""
    summary_text: str = ""
    review_rows: list[ReviewRow] = []
    review_sort: str = SORT_NEWEST
    review_page: int = 1
    has_more_reviews: bool = False
    can_review: bool = False
    has_my_review: bool = False
    my_rating: str = ""
    my_text: str = ""
    can_vote: bool = False
    review_form_version: int = 0  # bumped after loading so the form remounts with the stored values
    is_saving_review: bool = False
    _product_id: int = 0
    _tier_id: int = 0

    def _target(self) -> ReviewTarget | None:
        if self._product_id:
            return ReviewTarget(product_id=self._product_id)
        if self._tier_id:
            return ReviewTarget(tier_id=self._tier_id)
        return None

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    def _show_summary(self, summary: RatingSummary) -> None:
        self.review_count = summary.count
        self.average_label = summary.average_label if summary.count else ""
        self.average_stars = star_text(summary.average_tenths)
        self.summary_text = rules.summary_text(summary.average_tenths, summary.count)

    def _show(self, page: ReviewsPage, *, is_appended: bool = False) -> None:
        self._show_summary(page.summary)
        rows = [_row(view) for view in page.reviews]
        self.review_rows = [*self.review_rows, *rows] if is_appended else rows
        self.review_sort, self.review_page, self.has_more_reviews = page.sort, page.page, page.has_more
        self.can_review, self.can_vote = page.can_review, page.can_vote
        mine = page.my_review
        self.has_my_review = mine is not None
        self.my_rating, self.my_text = (str(mine.rating), mine.body) if mine else ("", "")
        self.review_form_version += 1
        self.is_reviews_loaded = True

    async def _reload(self, *, page: int = 1, is_appended: bool = False) -> None:
        target = self._target()
        if target is None:
            return
        shown = await reviews.reviews_page(
            target=target, session_token=await self._token(), sort=self.review_sort, page=page
        )
        self._show(shown, is_appended=is_appended)

    @rx.event
    async def sort_reviews(self, sort: str) -> None:
        self.review_sort = rules.checked_sort(sort)
        await self._reload()

    @rx.event
    async def more_reviews(self) -> None:
        await self._reload(page=self.review_page + 1, is_appended=True)

    async def _write(self, form: dict[str, str]) -> tuple[bool, str]:
        """(saved, message to show): the server decides who may rate; the form only asks."""
        target = self._target()
        if target is None:
            return False, "This page has changed. Reload it and try again."
        try:
            await reviews.write_review(
                session_token=await self._token(),
                target=target,
                rating=form.get("rating", ""),
                text=form.get("text", ""),
            )
        except CreatorlyError as error:
            return False, error.message
        return True, "Your review is updated." if self.has_my_review else "Thanks for your review!"

    @rx.event
    async def save_review(self, form: dict[str, str]) -> Events:
        if self.is_saving_review:
            return
        self.is_saving_review = True
        yield None
        try:
            is_saved, message = await self._write(form)
        finally:
            self.is_saving_review = False
        if not is_saved:
            yield toast.error(message)
            return
        await self._reload()
        yield toast.success(message)

    @rx.event
    async def mark_helpful(self, review_id: int) -> Events:
        try:
            await reviews.mark_helpful(session_token=await self._token(), review_id=int(review_id))
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        await self._reload(page=1)


class ProductReviewsState(ReviewsMixin, rx.State):
    """The reviews of the product named by the route `/{handle}/{slug}`."""

    @rx.event
    async def load(self) -> None:
        handle = str(getattr(self, "store_handle", "") or "")
        slug = str(getattr(self, "product_slug", "") or "")
        try:
            target = await reviews.product_target(handle=handle, slug=slug)
        except CreatorlyError:
            self._product_id, self.is_reviews_loaded, self.review_rows = 0, False, []
            return
        if target.product_id != self._product_id:
            self.review_sort = SORT_NEWEST
        self._product_id = target.product_id or 0
        await self._reload()


class TierReviewsState(ReviewsMixin, rx.State):
    """The storefront's tiers with their ratings; choosing one shows its reviews and, for its members, the form."""

    tier_ratings: list[TierRatingRow] = []
    chosen_tier_name: str = ""

    @rx.event
    async def load(self) -> None:
        handle = str(getattr(self, "store_handle", "") or "")
        try:
            ratings = await tier_reviews.tier_ratings(handle=handle, session_token=await self._token())
        except CreatorlyError:
            ratings = []
        self.tier_ratings = [
            TierRatingRow(
                tier_id=rating.tier_id,
                name=rating.name,
                stars=star_text(rating.summary.average_tenths),
                summary_text=rules.summary_text(rating.summary.average_tenths, rating.summary.count),
                review_count=rating.summary.count,
                can_review=rating.can_review,
            )
            for rating in ratings
        ]
        known = {rating.tier_id for rating in ratings}
        if self._tier_id not in known:
            self._tier_id, self.chosen_tier_name, self.is_reviews_loaded, self.review_rows = 0, "", False, []
        elif self._tier_id:
            await self._reload()

    @rx.event
    async def choose_tier(self, tier_id: int) -> None:
        chosen = next((row for row in self.tier_ratings if row.tier_id == int(tier_id)), None)
        if chosen is None:
            return
        self._tier_id, self.chosen_tier_name, self.review_sort = chosen.tier_id, chosen.name, SORT_NEWEST
        await self._reload()

    @rx.event
    async def save_tier_review(self, form: dict[str, str]) -> Events:
        is_saved, message = await self._write(form)
        if not is_saved:
            yield toast.error(message)
            return
        await self.load()
        yield toast.success(message)
