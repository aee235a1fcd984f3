"""The administrators' page: the accounts of their centres, added, re-roled, disabled,
enabled and given temporary passwords.

Only administrators reach it, and each sees and changes only the accounts whose centres
are all among theirs (the registry's scope rule, :func:`clears.registry.list_accounts`); a
network-wide administrator sees every account. Every change is a CSRF-protected form post,
audited by the registry. A new account and a reset get a temporary password, shown once on
the page that answers the post (never stored or audited), which the user must change at
their next sign-in. A refused change shows the page again with what was typed and why.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from clears._exceptions import ConflictError, InputError, Problem
from clears.registry import (
    Role,
    add_account,
    centre_codes,
    list_accounts,
    reset_password,
    set_disabled,
    set_full_name,
    set_role,
    temporary_password,
)
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, AdministratorUser, RegistryDep, StateDep
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, tags=["accounts"], include_in_schema=False)

_NO_TYPING: dict[str, Any] = {"username": "", "role": Role.investigator.value, "centres": ()}


def _page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    *,
    status: int = 200,
    typed: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    actor = user.actor()
    with registry.reading().session() as session:
        accounts = list_accounts(session, actor=actor)
        centres = centre_codes(session, actor=actor)
    return render(
        request,
        state,
        user,
        "accounts.html",
        status=status,
        accounts=accounts,
        centres=centres,
        roles=[r.value for r in Role],
        typed=typed or _NO_TYPING,
        **context,
    )


def _refused(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    problems: list[Problem],
    typed: dict[str, Any] | None = None,
) -> Response:
    return _page(request, state, registry, user, status=422, problems=problems, typed=typed)


@router.get("/admin/users", response_class=HTMLResponse)
def accounts_page(
    request: Request, state: StateDep, registry: RegistryDep, user: AdministratorUser
) -> Response:
    """The accounts this administrator manages."""
    return _page(request, state, registry, user)


@router.post("/admin/users", dependencies=[CSRF])
def add(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: AdministratorUser,
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=50)],
    centre: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Add an account with a temporary password (shown once)."""
    typed = {"username": username, "role": role, "centres": tuple(centre or ())}
    password = temporary_password(username.strip())
    try:
        with registry.session() as session:
            add_account(
                session,
                actor=user.actor(),
                username=username.strip(),
                role=role,
                centres=centre or (),
                password=password,
                must_change_password=True,
            )
    except InputError as exc:
        return _refused(request, state, registry, user, list(exc.problems), typed)
    shown = {"username": username.strip(), "password": password}
    return _page(
        request, state, registry, user, message=f"Added {username.strip()}.", temporary=shown
    )


@router.post("/admin/users/{username}/role", dependencies=[CSRF])
def change_role(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: AdministratorUser,
    username: str,
    role: Annotated[str, Form(max_length=50)],
) -> Response:
    """Give an account another role."""
    try:
        with registry.session() as session:
            set_role(session, actor=user.actor(), username=username, role=role)
    except InputError as exc:
        return _refused(request, state, registry, user, list(exc.problems))
    return _page(request, state, registry, user, message=f"{username} is now {role}.")


@router.post("/admin/users/{username}/name", dependencies=[CSRF])
def change_name(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: AdministratorUser,
    username: str,
    full_name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Set the full name an account's signatures print (21 CFR 11.50(a)(1))."""
    typed = {**_NO_TYPING, "name_of": username, "full_name": full_name}
    try:
        with registry.session() as session:
            changed = set_full_name(
                session, actor=user.actor(), username=username, full_name=full_name
            )
    except InputError as exc:
        return _refused(request, state, registry, user, list(exc.problems), typed)
    return _page(
        request, state, registry, user, message=f"{username} signs as {changed.full_name}."
    )


def _disabled(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    username: str,
    *,
    disabled: bool,
) -> Response:
    try:
        with registry.session() as session:
            set_disabled(session, actor=user.actor(), username=username, disabled=disabled)
    except ConflictError as exc:
        problem = Problem("account", username, str(exc))
        return _page(request, state, registry, user, status=409, problems=[problem])
    done = "disabled; their sessions ended" if disabled else "enabled"
    return _page(request, state, registry, user, message=f"{username} {done}.")


@router.post("/admin/users/{username}/disable", dependencies=[CSRF])
def disable(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: AdministratorUser,
    username: str,
) -> Response:
    """Disable an account: its sessions end at once, in every server process."""
    return _disabled(request, state, registry, user, username, disabled=True)


@router.post("/admin/users/{username}/enable", dependencies=[CSRF])
def enable(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: AdministratorUser,
    username: str,
) -> Response:
    """Enable a disabled account."""
    return _disabled(request, state, registry, user, username, disabled=False)


@router.post("/admin/users/{username}/reset", dependencies=[CSRF])
def reset(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: AdministratorUser,
    username: str,
) -> Response:
    """Give an account a temporary password (shown once; to be changed at sign-in)."""
    with registry.session() as session:
        password = reset_password(session, actor=user.actor(), username=username)
    shown = {"username": username, "password": password}
    return _page(
        request,
        state,
        registry,
        user,
        message=f"{username}'s password was reset; their sessions ended.",
        temporary=shown,
    )
