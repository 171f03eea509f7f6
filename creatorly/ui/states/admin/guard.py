"""The admin pages' door: who may stay, and where everyone else is sent (each action checks again)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from creatorly.errors import Forbidden
from creatorly.services.accounts.errors import NotAuthenticated, TwoFactorSetupRequired
from creatorly.services.admin import overview
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast

ADMINS_ONLY = "This page is for Creatorly admins only."


async def session_token_of(state: rx.State) -> str:
    return (await state.get_state(AuthState)).session_token


async def refusal(check: Callable[[], Awaitable[object]], path: str) -> list[Any]:
    """What to do with a visitor `check` refuses (sign in, turn on two-factor, or go away); [] lets them in."""
    try:
        await check()
    except NotAuthenticated:
        return [rx.redirect(f"{routes.SIGN_IN}?next={path}")]
    except TwoFactorSetupRequired as error:
        return [toast.error(error.message), rx.redirect(routes.ACCOUNT)]
    except Forbidden:
        return [toast.error(ADMINS_ONLY), rx.redirect(routes.ACCOUNT)]
    return []


async def admin_refusal(state: rx.State) -> list[Any]:
    """`refusal` for a page only admins (with two-factor on) may open."""
    token = await session_token_of(state)
    return await refusal(lambda: overview.check_access(session_token=token), state.router.url.path)
