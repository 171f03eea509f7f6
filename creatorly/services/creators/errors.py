"""Creator errors other domains raise: a suspended creator's storefront takes no new orders."""

from __future__ import annotations

from creatorly.errors import CreatorlyError


class CreatorSuspended(CreatorlyError):
    """The creator's storefront is suspended by the platform: no new checkouts, tips, joins or payouts."""

    code = "creator_suspended"
    status = 409
    default_message = "This storefront is unavailable right now, so it can't take new orders."
