"""State of `/dashboard/storefront`: handle, name, bio, links, colour, currency, timezone and images,
with a preview that follows the form as the creator types."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.images import IMAGE_LIMITS, ImagePurpose
from creatorly.services.creators import service as creators
from creatorly.services.creators.rules import CREATOR_CURRENCIES, timezones
from creatorly.services.creators.schemas import CreatorProfile, ProfileInput
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import clear_selected_files, toast
from creatorly.ui.states.dashboard.uploads import read_capped
from creatorly.ui.states.events import Events

AVATAR_UPLOAD_ID = "storefront-avatar"
BANNER_UPLOAD_ID = "storefront-banner"


class StorefrontSettingsState(rx.State):
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    avatar_url: str = ""
    banner_url: str = ""
    storefront_url: str = ""
    currencies: list[str] = list(CREATOR_CURRENCIES)
    timezone_options: list[str] = []
    is_saving: bool = False

    def _show(self, profile: CreatorProfile) -> None:
        self.form = {
            "handle": profile.handle,
            "display_name": profile.display_name,
            "bio": profile.bio,
            "social_links": "\n".join(profile.social_links),
            "accent_color": profile.accent_color,
            "currency": profile.currency,
            "timezone": profile.timezone,
        }
        self.avatar_url, self.banner_url = profile.avatar_url, profile.banner_url
        self.storefront_url = routes.storefront(profile.handle)

    @rx.event
    async def load(self) -> Events:
        self.errors, self.timezone_options = {}, list(timezones())
        auth = await self.get_state(AuthState)
        try:
            self._show(await creators.get_my_profile(session_token=auth.session_token))
        except CreatorlyError:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        """Keep the preview in step with the form."""
        self.form = {**self.form, name: value}

    @rx.event
    async def save(self, form: dict[str, str]) -> Events:
        self.is_saving, self.errors = True, {}
        yield None
        auth = await self.get_state(AuthState)
        merged = {**self.form, **form}
        try:
            profile = await creators.update_profile(
                session_token=auth.session_token,
                profile=ProfileInput(**{name: merged.get(name, "") for name in ProfileInput.__slots__}),
            )
        except InvalidInput as error:
            self.errors = {error.field or "display_name": error.message}
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        self._show(profile)
        yield toast.success("Storefront saved.")

    async def _upload(self, chunks: rx.UploadChunkIterator, purpose: ImagePurpose) -> CreatorProfile:
        async with self:
            token = (await self.get_state(AuthState)).session_token
        label = "Avatars" if purpose is ImagePurpose.AVATAR else "Banners"
        data = await read_capped(chunks, max_bytes=IMAGE_LIMITS[purpose].max_bytes, label=label)
        return await creators.set_image(session_token=token, purpose=purpose, data=data)

    @rx.event(background=True)
    async def upload_avatar(self, chunks: rx.UploadChunkIterator) -> Events:
        try:
            profile = await self._upload(chunks, ImagePurpose.AVATAR)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        async with self:
            self.avatar_url = profile.avatar_url
            await clear_selected_files(self, AVATAR_UPLOAD_ID)
        yield toast.success("Avatar updated.")

    @rx.event(background=True)
    async def upload_banner(self, chunks: rx.UploadChunkIterator) -> Events:
        try:
            profile = await self._upload(chunks, ImagePurpose.BANNER)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        async with self:
            self.banner_url = profile.banner_url
            await clear_selected_files(self, BANNER_UPLOAD_ID)
        yield toast.success("Banner updated.")
