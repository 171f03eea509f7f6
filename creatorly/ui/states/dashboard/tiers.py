"""States of `/dashboard/tiers` (the tier ladder with prices and members) and `/dashboard/tiers/{id}` (the editor)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.creators.service import NotACreator
from creatorly.services.memberships import tiers
from creatorly.services.memberships.content_schemas import TierInput
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class TierListItem:
    id: int = 0
    name: str = ""
    prices: str = ""
    is_published: bool = False
    members: str = ""
    edit_url: str = ""
    is_first: bool = False
    is_last: bool = False


class TiersState(rx.State):
    is_loading: bool = True
    tiers: list[TierListItem] = []

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        try:
            rows = await tiers.list_my_tiers(session_token=await self._token())
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.tiers = [
            TierListItem(
                id=row.id,
                name=row.name,
                prices=" · ".join(row.price_labels) or "No price",
                is_published=row.is_published,
                members=f"{row.member_count}" if row.member_cap is None else f"{row.member_count} / {row.member_cap}",
                edit_url=routes.tier_editor(row.id),
                is_first=index == 0,
                is_last=index == len(rows) - 1,
            )
            for index, row in enumerate(rows)
        ]
        self.is_loading = False

    @rx.event
    async def create(self) -> Events:
        try:
            tier_id = await tiers.create_tier(
                session_token=await self._token(), values=TierInput(name="New tier", price_monthly="5")
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.redirect(routes.tier_editor(tier_id))

    @rx.event
    async def set_published(self, tier_id: int, is_published: bool) -> Events:
        try:
            await tiers.set_tier_published(
                session_token=await self._token(), tier_id=tier_id, is_published=is_published
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Published on your storefront." if is_published else "Hidden from your storefront.")
        yield TiersState.load

    @rx.event
    async def move(self, tier_id: int, direction: int) -> Events:
        try:
            await tiers.move_tier(session_token=await self._token(), tier_id=tier_id, direction=direction)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield TiersState.load

    @rx.event
    async def delete(self, tier_id: int) -> Events:
        try:
            await tiers.delete_tier(session_token=await self._token(), tier_id=tier_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Tier deleted.")
        yield TiersState.load


class TierEditorState(rx.State):
    is_loading: bool = True
    is_found: bool = False
    is_published: bool = False
    currency: str = ""
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    is_saving: bool = False
    _tier_id: int = 0

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading, self.errors = True, {}
        raw_id = str(getattr(self, "edit_tier_id", "") or "")
        self._tier_id = int(raw_id) if raw_id.isdigit() else 0
        try:
            detail = await tiers.get_my_tier(session_token=await self._token(), tier_id=self._tier_id)
        except CreatorlyError:
            self.is_found, self.is_loading = False, False
            return
        self.form = {name: str(value) for name, value in asdict(detail.values).items()}
        self.is_published, self.currency, self.is_found, self.is_loading = (
            detail.is_published,
            detail.currency,
            True,
            False,
        )
        yield None

    @rx.event
    async def save(self, form: dict[str, str]) -> Events:
        self.is_saving, self.errors = True, {}
        yield None
        values = TierInput(**{name: str(form.get(name, self.form.get(name, ""))) for name in TierInput.__slots__})
        try:
            await tiers.update_tier(session_token=await self._token(), tier_id=self._tier_id, values=values)
        except InvalidInput as error:
            self.errors = {error.field or "name": error.message}
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        yield toast.success("Saved.")
        yield TierEditorState.load

    @rx.event
    async def set_published(self, is_published: bool) -> Events:
        try:
            await tiers.set_tier_published(
                session_token=await self._token(), tier_id=self._tier_id, is_published=is_published
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.is_published = is_published
        yield toast.success("Published on your storefront." if is_published else "Hidden from your storefront.")
