"""The account menu's API tokens page: make one (shown once), list and revoke one's own.

Every signed-in user may make tokens for themself (a monitor only ``read`` ones), for some
or all of their centres, expiring within ``api_token_max_days``. The secret appears once,
on the page that answers the creation; afterwards only its label, scope, centres, dates
and last use are listed. Every form post is CSRF-protected and audited by the registry.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from clears._exceptions import InputError
from clears.registry import TokenScope, centre_codes, create_token, list_tokens, revoke_token
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, tags=["tokens"], include_in_schema=False)


def _page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    actor = user.actor()
    with registry.reading().session() as session:
        tokens = list_tokens(session, actor=actor, username=user.username)
        centres = centre_codes(session, actor=actor)
    return render(
        request,
        state,
        user,
        "tokens.html",
        status=status,
        tokens=tokens,
        centres=centres,
        scopes=[s.value for s in TokenScope] if user.can_write else [TokenScope.read.value],
        max_days=state.settings.api_token_max_days,
        now=dt.datetime.now(dt.UTC),
        **context,
    )


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser
) -> Response:
    """The signed-in user's API tokens, and the form to make one."""
    return _page(request, state, registry, user)


@router.post("/account/tokens", dependencies=[CSRF])
def create(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    label: Annotated[str, Form(max_length=200)],
    scope: Annotated[str, Form(max_length=20)],
    days: Annotated[int, Form()],
    centre: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Make a token; the page shows its secret this once."""
    try:
        with registry.session() as session:
            secret, token = create_token(
                session,
                actor=user.actor(),
                username=user.username,
                label=label,
                scope=scope,
                days=days,
                max_days=state.settings.api_token_max_days,
                centres=centre or (),
            )
    except InputError as exc:
        return _page(request, state, registry, user, status=422, problems=list(exc.problems))
    return _page(request, state, registry, user, created={"token": token, "secret": secret})


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CSRF])
def revoke(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    token_id: int,
) -> Response:
    """Revoke one of the user's tokens (refused at once, by every server process)."""
    with registry.session() as session:
        token = revoke_token(session, actor=user.actor(), username=user.username, token_id=token_id)
    return _page(request, state, registry, user, message=f"Token {token.label!r} revoked.")
