"""Creator use cases: become a creator, edit the storefront profile, upload avatar and banner images."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.images import ImagePurpose, ImageRejected, ProcessedImage, process_image
from creatorly.kit.markdown import render_markdown
from creatorly.kit.streams import single_chunk
from creatorly.models import Creator
from creatorly.models.enums import Role
from creatorly.providers.registry import get_storage
from creatorly.services.accounts import authorization
from creatorly.services.accounts import service as accounts
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import SYSTEM, Actor
from creatorly.services.creators import repository, rules
from creatorly.services.creators.errors import CreatorSuspended
from creatorly.services.creators.rules import HandleUnavailable
from creatorly.services.creators.rules import normalize_handle as normalize_handle_text
from creatorly.services.creators.schemas import CreatorProfile, ProfileInput
from creatorly.services.tips import jar as tip_jar


class NotACreator(NotFound):
    code = "not_a_creator"
    default_message = "Set up your storefront first."


def media_url(key: str | None) -> str:
    return f"{settings.resolved_public_url}/media/{key.removeprefix('media/')}" if key else ""


def to_profile(creator: Creator) -> CreatorProfile:
    assert creator.id is not None
    return CreatorProfile(
        id=creator.id,
        handle=creator.handle,
        display_name=creator.display_name,
        bio=creator.bio_markdown,
        bio_html=render_markdown(creator.bio_markdown),
        social_links=list(json.loads(creator.social_links or "[]")),
        accent_color=creator.accent_color,
        currency=creator.default_currency,
        timezone=creator.timezone,
        avatar_url=media_url(creator.avatar_key),
        banner_url=media_url(creator.banner_key),
    )


async def add_creator(
    session: AsyncSession, *, user_id: int, handle: str, display_name: str, bio_markdown: str, currency: str
) -> Creator:
    """Make a user a creator in the caller's transaction (seed data, onboarding)."""
    normalized, skeleton = await _available_handle(session, handle)
    creator = Creator(
        user_id=user_id,
        handle=normalized,
        handle_skeleton=skeleton,
        display_name=display_name,
        bio_markdown=bio_markdown,
        default_currency=currency,
    )
    return await repository.add(session, creator)


async def _available_handle(
    session: AsyncSession, raw: str, *, except_creator_id: int | None = None
) -> tuple[str, str]:
    """Reserved words and look-alikes of taken handles are refused before the character rules."""
    handle, skeleton = rules.handle_and_skeleton(raw)
    if await repository.is_skeleton_taken(session, skeleton, except_creator_id=except_creator_id):
        raise HandleUnavailable("That handle is taken. Try another one.", field="handle")
    rules.check_handle_characters(handle)
    return handle, skeleton


async def find_creator_of(session: AsyncSession, user_id: int) -> Creator | None:
    """The user's creator profile, or None for someone without a storefront."""
    return await repository.get_by_user(session, user_id)


async def creator_of(session: AsyncSession, user_id: int) -> Creator:
    """The signed-in user's creator profile, or NotACreator (answered as not found)."""
    creator = await repository.get_by_user(session, user_id)
    if creator is None or creator.id is None:
        raise NotACreator()
    return creator


async def become_creator(*, session_token: str, profile: ProfileInput) -> CreatorProfile:
    """Onboarding: claim a handle and set up the storefront; the account gains the creator role."""
    user = await authorization.require_user(session_token)
    values = _checked(profile)
    try:
        async with db.transaction() as session:
            if await repository.get_by_user(session, user.id) is not None:
                raise HandleUnavailable("You already have a storefront.", field="handle")
            creator = await add_creator(
                session,
                user_id=user.id,
                handle=profile.handle,
                display_name=values["display_name"],
                bio_markdown=values["bio_markdown"],
                currency=values["default_currency"],
            )
            _apply(creator, values)
            await accounts.grant_role(session, user.id, Role.CREATOR)
            return to_profile(creator)
    except IntegrityError:
        raise HandleUnavailable("That handle is taken. Try another one.", field="handle") from None


async def my_suspension_reason(*, session_token: str) -> str | None:
    """The reason an admin gave for suspending the signed-in creator's storefront; None when it isn't suspended."""
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        creator = await repository.get_by_user(session, user.id)
    if creator is None or not is_suspended(creator):
        return None
    return creator.suspension_reason


async def get_my_profile(*, session_token: str) -> CreatorProfile:
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        return to_profile(await creator_of(session, user.id))


async def update_profile(*, session_token: str, profile: ProfileInput) -> CreatorProfile:
    user = await authorization.require_user(session_token)
    values = _checked(profile)
    try:
        async with db.transaction() as session:
            creator = await creator_of(session, user.id)
            handle, skeleton = await _available_handle(session, profile.handle, except_creator_id=creator.id)
            creator.handle, creator.handle_skeleton = handle, skeleton
            _apply(creator, values)
            assert creator.id is not None
            await tip_jar.follow_store_currency(session, creator.id, creator.default_currency)
            return to_profile(creator)
    except IntegrityError:
        raise HandleUnavailable("That handle is taken. Try another one.", field="handle") from None


def _checked(profile: ProfileInput) -> dict[str, str]:
    return {
        "display_name": rules.check_display_name(profile.display_name),
        "bio_markdown": rules.check_bio(profile.bio),
        "social_links": rules.check_social_links(profile.social_links),
        "accent_color": rules.check_accent_color(profile.accent_color),
        "default_currency": rules.check_currency(profile.currency),
        "timezone": rules.check_timezone(profile.timezone),
    }


def _apply(creator: Creator, values: dict[str, str]) -> None:
    for name, value in values.items():
        setattr(creator, name, value)
    creator.updated_at = utc_now()


async def set_image(*, session_token: str, purpose: ImagePurpose, data: bytes) -> CreatorProfile:
    """Replace the avatar or banner: checked, re-encoded without metadata, stored under a new key."""
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        creator_id = (await creator_of(session, user.id)).id
    image = await checked_image(data, purpose)
    key = f"media/creators/{creator_id}/{purpose.value}-{secrets.token_hex(8)}.{image.extension}"
    await get_storage().save(key, single_chunk(image.data), max_bytes=len(image.data))
    async with db.transaction() as session:
        creator = await creator_of(session, user.id)
        attribute = "avatar_key" if purpose is ImagePurpose.AVATAR else "banner_key"
        previous = getattr(creator, attribute)
        setattr(creator, attribute, key)
        creator.updated_at = utc_now()
        profile = to_profile(creator)
    if previous:
        await get_storage().delete(previous)
    return profile


async def checked_image(data: bytes, purpose: ImagePurpose) -> ProcessedImage:
    """Decode and re-encode off the event loop; a refused image becomes a message for the form."""
    try:
        return await asyncio.to_thread(process_image, data, purpose=purpose)
    except ImageRejected as error:
        raise InvalidInput(str(error), field=purpose.value) from None


async def creator_by_handle(session: AsyncSession, handle: str) -> Creator | None:
    """A storefront's creator by (case-insensitive) handle, in the caller's transaction."""
    return await repository.get_by_handle(session, normalize_handle_text(handle))


def is_suspended(creator: Creator) -> bool:
    """Whether an admin has suspended the creator (their public pages answer as not found)."""
    return creator.suspended_at is not None


def check_trading(creator: Creator) -> None:
    """Raise CreatorSuspended when the creator may not take new orders, tips, members or payouts."""
    if is_suspended(creator):
        raise CreatorSuspended()


async def public_creator_by_handle(session: AsyncSession, handle: str) -> Creator | None:
    """The creator behind a public page: None for an unknown handle and for a suspended creator."""
    creator = await creator_by_handle(session, handle)
    return None if creator is None or is_suspended(creator) else creator


async def trading_creator_by_handle(session: AsyncSession, handle: str) -> Creator | None:
    """The creator a new checkout is for: None when unknown, CreatorSuspended when suspended."""
    creator = await creator_by_handle(session, handle)
    if creator is not None:
        check_trading(creator)
    return creator


async def is_creator_suspended(session: AsyncSession, creator_id: int) -> bool:
    """Whether the creator with this id is suspended (payouts ask by id)."""
    creator = await session.get(Creator, creator_id)
    return creator is not None and is_suspended(creator)


MAX_PLATFORM_FEE_PERCENT = Decimal(50)
MAX_HOLD_PERIOD_DAYS = 90


class CreatorNotFound(NotFound):
    code = "creator_not_found"
    default_message = "No creator has that handle."


@dataclass(frozen=True, slots=True)
class SaleTerms:
    """What the platform keeps from a creator's sale and how long the creator's share is held."""

    platform_fee_percent: Decimal
    hold_days: int


def checked_platform_fee_percent(value: Decimal | None) -> Decimal | None:
    """None keeps the platform default; otherwise 0–50 with at most two decimals (the column's scale)."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or exponent < -2:
        raise InvalidInput("The platform fee may have at most two decimals.", field="platform_fee_percent")
    if not Decimal(0) <= value <= MAX_PLATFORM_FEE_PERCENT:
        raise InvalidInput("The platform fee must be between 0 and 50 percent.", field="platform_fee_percent")
    return value


def checked_hold_period_days(value: int | None) -> int | None:
    """None keeps the platform default; otherwise a whole number of days from 0 to 90."""
    if value is None:
        return None
    if isinstance(value, bool) or not 0 <= value <= MAX_HOLD_PERIOD_DAYS:
        raise InvalidInput("The hold period must be between 0 and 90 days.", field="hold_period_days")
    return value


async def set_creator_terms(
    *,
    handle: str,
    platform_fee_percent: Decimal | None,
    hold_period_days: int | None,
    actor: Actor = SYSTEM,
    reason: str = "",
) -> None:
    """Admin: give one creator their own platform fee and hold period; None returns to the platform default."""
    fee = checked_platform_fee_percent(platform_fee_percent)
    hold = checked_hold_period_days(hold_period_days)
    async with db.transaction() as session:
        creator = await creator_by_handle(session, handle)
        if creator is None:
            raise CreatorNotFound()
        await audit.record(
            session,
            actor=actor,
            action="creator.terms_changed",
            target_type="creator",
            target_id=creator.handle,
            creator_id=creator.id,
            before={"platform_fee_percent": creator.platform_fee_percent, "hold_period_days": creator.hold_period_days},
            after={"platform_fee_percent": fee, "hold_period_days": hold},
            reason=reason,
        )
        creator.platform_fee_percent, creator.hold_period_days = fee, hold
        creator.updated_at = utc_now()
        session.add(creator)


def platform_sale_terms() -> SaleTerms:
    """The platform's default fee and hold, the ones the ledger applies to a creator without terms of their own."""
    return SaleTerms(platform_fee_percent=Decimal(settings.platform_fee_percent), hold_days=settings.hold_period_days)


async def sale_terms(session: AsyncSession, creator_id: int) -> SaleTerms:
    """The creator's fee and hold, or the platform defaults where the admin has set none."""
    creator = await session.get(Creator, creator_id)
    if creator is None:
        raise CreatorNotFound()
    db.keep_loaded(session, creator)  # the sale's analytics read it again in this transaction
    fee = settings.platform_fee_percent if creator.platform_fee_percent is None else creator.platform_fee_percent
    hold = settings.hold_period_days if creator.hold_period_days is None else creator.hold_period_days
    return SaleTerms(platform_fee_percent=Decimal(fee), hold_days=hold)


@dataclass(frozen=True, slots=True)
class CreatorTerms:
    """A creator's own fee and hold as an admin set them; None means the platform default applies."""

    platform_fee_percent: Decimal | None
    hold_period_days: int | None


async def get_creator_terms(*, handle: str) -> CreatorTerms:
    """Admin: the fee and hold set for one creator (None where the platform default applies)."""
    async with db.transaction() as session:
        creator = await creator_by_handle(session, handle)
        if creator is None:
            raise CreatorNotFound()
        return CreatorTerms(
            platform_fee_percent=creator.platform_fee_percent, hold_period_days=creator.hold_period_days
        )
