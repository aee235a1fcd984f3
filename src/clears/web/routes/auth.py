"""Sign-in and sign-out.

The sign-in form is protected against login CSRF by a double-submit token (a random value in
a short-lived cookie that the form must echo); failures are rate limited per user name and
per client address, and the message never says which of name or password was wrong.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clears.web._urls import SegmentRoute
from clears.web.deps import COOKIE, CSRF, StateDep
from clears.web.security import verify_password

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, tags=["auth"])

_LOGIN_COOKIE: Final = "clears_login"


def _login_page(
    request: Request, state: StateDep, *, message: str = "", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(16)
    response = state.templates.TemplateResponse(
        request,
        "login.html",
        {"user": None, "login_token": token, "message": message},
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
    return _login_page(request, state)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    state: StateDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    login_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the credentials; start a session and go to the patient list."""
    expected = request.cookies.get(_LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, login_token):
        return _login_page(
            request, state, message="The form expired; please sign in again.", status=400
        )
    client = request.client.host if request.client else "unknown"
    keys = (f"user:{username}", f"ip:{client}")
    if any(state.limiter.blocked(key) for key in keys):
        return _login_page(
            request,
            state,
            status=429,
            message="Too many failed sign-ins; wait a few minutes and try again.",
        )
    user = state.users.get(username)
    if not verify_password(password, user.password_hash if user else None):
        for key in keys:
            state.limiter.record_failure(key)
        return _login_page(
            request, state, message="Unknown user name or wrong password.", status=401
        )
    for key in keys:
        state.limiter.reset(key)
    old = request.cookies.get(COOKIE)
    state.sessions.end(old)  # a new token at every sign-in (no session fixation)
    token = state.sessions.create(username)
    response = RedirectResponse("/patients", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=state.settings.cookie_secure,
        max_age=state.settings.session_minutes * 60,
    )
    response.delete_cookie(_LOGIN_COOKIE)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[CSRF])
def logout(request: Request, state: StateDep) -> Response:
    """End the session."""
    state.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
