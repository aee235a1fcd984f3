"""Sign-in, sign-out and changing one's own password.

The sign-in form is protected against login CSRF by a double-submit token (a random value in
a short-lived cookie that the form must echo); failures are limited per client address and
slowed per user name (a back-off that never locks the real user out,
:class:`clears.registry.SignInLimiter`), counted in the registry so that every server
process sees them, and the message never says which of name or password was wrong. A user
signed in with a temporary password (an administrator's reset) is sent to
``/account/password`` until they choose one.

A save that met an ended session answers with this sign-in page, which says that what was
typed is kept and carries the kept form's random handle (:mod:`clears.web._kept_forms`);
when the same user signs in, they go back to that form, shown with what they typed.
"""

from __future__ import annotations

import hmac
import math
import secrets
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clears._exceptions import InputError, Problem
from clears.registry import (
    MIN_PASSWORD_LENGTH,
    KeptFormStore,
    authenticate,
    change_own_password,
)
from clears.web._kept_forms import set_kept_cookie
from clears.web._render import render
from clears.web._session_cookie import set_session_cookie
from clears.web._urls import SegmentRoute
from clears.web.deps import COOKIE, CSRF, RegistryDep, SignedInUser, StateDep

__all__ = ["login_page", "router"]

router = APIRouter(route_class=SegmentRoute, tags=["auth"])

_LOGIN_COOKIE: Final = "clears_login"


def login_page(
    request: Request, state: StateDep, *, message: str = "", status: int = 200, kept: str = ""
) -> Response:
    """The sign-in page with ``message``; ``kept``: the handle of a form kept for after the
    sign-in (:mod:`clears.web._kept_forms`)."""
    token = secrets.token_urlsafe(16)
    response = state.templates.TemplateResponse(
        request,
        "login.html",
        {"user": None, "login_token": token, "message": message, "kept": kept},
        status_code=status,
    )
    response.set_cookie(
        _LOGIN_COOKIE,
        token,
        max_age=600,
        httponly=True,
        samesite="strict",
        secure=state.settings.cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, state: StateDep) -> Response:
    """The sign-in page."""
    return login_page(request, state)


_KEPT_HANDLE: Final = 64  # the longest handle read (clears.registry.KeptFormStore's are 43)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    login_token: Annotated[str, Form(max_length=200)] = "",
    kept: Annotated[str, Form(max_length=_KEPT_HANDLE)] = "",
) -> Response:
    """Check the credentials; start a session and go to the patient list, or to the form
    this user's ended session left (what they typed kept)."""
    expected = request.cookies.get(_LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, login_token):
        return login_page(
            request,
            state,
            message="The form expired; please sign in again.",
            status=400,
            kept=kept,
        )
    # The address the connection comes from: uvicorn replaces it by X-Forwarded-For only
    # when the connection is from a trusted proxy (CLEARS_TRUSTED_PROXIES, clears serve).
    client = request.client.host if request.client else "unknown"
    keys = (f"user:{username}", f"ip:{client}")
    wait = state.limiter.wait_seconds(name=keys[0], address=keys[1])
    if wait > 0:
        seconds = math.ceil(wait)
        response = login_page(
            request,
            state,
            status=429,
            message=f"Too many failed sign-ins; wait {seconds} s and try again.",
            kept=kept,
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    with registry.session() as session:
        user = authenticate(session, username=username, password=password)
    if user is None:
        state.limiter.record_failure(keys)
        return login_page(
            request,
            state,
            message="Unknown user name or wrong password.",
            status=401,
            kept=kept,
        )
    state.limiter.reset(keys)
    # A new token at every sign-in (no session fixation); the old one ends.
    token = state.sessions.create(user.username, replacing=request.cookies.get(COOKIE))
    form = None if user.must_change_password else _kept_form(state, kept, user.username)
    target = "/account/password" if user.must_change_password else form or "/patients"
    response = RedirectResponse(quote(target), status_code=303)
    response = set_session_cookie(response, token, state.settings)
    response.delete_cookie(_LOGIN_COOKIE)
    if form is not None:
        set_kept_cookie(response, kept, form, state)
    return response


def _kept_form(state: StateDep, handle: str, username: str) -> str | None:
    """The path of the form kept under ``handle`` for this user (never another's)."""
    path = KeptFormStore(state.registry.engine).waiting(handle, username=username)
    if path is None or not path.startswith("/") or path.startswith("//"):
        return None
    return path


@router.post("/logout", include_in_schema=False, dependencies=[CSRF])
def logout(request: Request, state: StateDep) -> Response:
    """End the session, in every server process."""
    state.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/account/password", response_class=HTMLResponse, include_in_schema=False)
def password_form(request: Request, state: StateDep, user: SignedInUser) -> Response:
    """The form to change one's own password."""
    return render(request, state, user, "account_password.html", minimum=MIN_PASSWORD_LENGTH)


@router.post("/account/password", include_in_schema=False, dependencies=[CSRF])
def change_password(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: SignedInUser,
    current_password: Annotated[str, Form(max_length=1000)],
    new_password: Annotated[str, Form(max_length=1000)],
    repeat_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Change one's own password; every session of the user ends and this one starts anew."""
    try:
        if new_password != repeat_password:
            raise InputError(Problem("repeat_password", None, "differs from the new password"))
        with registry.session() as session:
            change_own_password(
                session, username=user.username, current=current_password, new=new_password
            )
    except InputError as exc:
        return render(
            request,
            state,
            user,
            "account_password.html",
            status=422,
            minimum=MIN_PASSWORD_LENGTH,
            problems=exc.problems,
        )
    token = state.sessions.create(user.username)
    return set_session_cookie(RedirectResponse("/patients", status_code=303), token, state.settings)
