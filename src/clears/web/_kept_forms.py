"""What was typed into a form whose save met an ended session: kept across the sign-in.

A clinician who leaves a form open past the idle timeout (``CLEARS_SESSION_MINUTES``) and
presses Save is asked to sign in again, and finds the form as they left it, not yet saved:

1. The save arrives without a live session (the browser has dropped the cookie, or the
   registry has ended the session). If the route is one that records patient data and has
   a form page at the same path (:func:`keeps`, read from the app's routes), and the form's
   CSRF token says, under the app's secret key, which user the page was rendered for
   (:func:`clears.web.security.form_owner`), the fields (never the CSRF token, the form
   token or a password) are kept in the registry for that user and that path
   (:class:`clears.registry.KeptFormStore`), and the sign-in page says so, carrying only a
   random handle.
2. After that same user signs in, they are sent to the form's page with the handle in a
   short-lived ``HttpOnly``, ``SameSite=Strict`` cookie for that path only; the page takes
   the fields once and shows them with a fresh CSRF token and form token
   (:func:`restore`). Nothing is saved until they press Save.

Why it is safe: the typed values travel only in request bodies and the registry, never in a
URL or a log; the registry (not one process's memory) holds them, so any server process
can serve the sign-in; a different user signing in gets nothing (the row is for one user
name); a forged cross-site POST cannot plant values into someone's form, because it has
no CSRF token the server issued (the owner part is an HMAC under the secret key, which
only a page rendered for that user carries), and a request a browser marks as cross-site
(``Sec-Fetch-Site``) is never kept. The JSON API keeps answering 401.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from clears._exceptions import InputError
from clears.registry import KeptFormStore
from clears.web._forms import submitted
from clears.web.deps import API_PREFIX, COOKIE, AppState
from clears.web.security import csrf_valid, form_owner
from clears.web.users import User

__all__ = [
    "KEPT_COOKIE",
    "KEPT_MODULES",
    "every_route",
    "keep_typed",
    "keeps",
    "kept_paths",
    "restore",
    "set_kept_cookie",
]

#: The cookie that carries a kept form's handle to its page after sign-in.
KEPT_COOKIE: Final = "clears_kept"

#: The route modules whose forms record patient data (enrolment, visits and records).
KEPT_MODULES: Final = frozenset({"clears.web.routes.pages", "clears.web.routes.records"})

#: Form fields never kept: the tokens of the old page, and any password.
_NOT_KEPT: Final = frozenset({"csrf_token", "form_token"})

#: ``Sec-Fetch-Site`` values of a request that did not come from this site's own pages.
_FOREIGN: Final = frozenset({"cross-site", "same-site"})


def every_route(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """The app's routes, with those of every included router in place of the router (the
    routers of clears are included without a prefix)."""
    found: list[BaseRoute] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found.extend(every_route(inner.routes) if inner is not None else [route])
    return found


def _form_pages(routes: Iterable[BaseRoute]) -> set[str]:
    return {
        route.path_format
        for route in every_route(routes)
        if isinstance(route, APIRoute) and "GET" in (route.methods or ())
    }


def keeps(route: BaseRoute, routes: Iterable[BaseRoute]) -> bool:
    """Whether a save to ``route`` that meets an ended session keeps what was typed: a
    ``POST`` of a page (not the JSON API) that records patient data, whose path also has a
    page to return to."""
    return (
        isinstance(route, APIRoute)
        and "POST" in (route.methods or ())
        and not route.path_format.startswith(API_PREFIX)
        and getattr(route.endpoint, "__module__", "") in KEPT_MODULES
        and route.path_format in _form_pages(routes)
    )


def kept_paths(routes: Iterable[BaseRoute]) -> list[str]:
    """The path templates of every route that keeps what was typed (:func:`keeps`).

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> from clears.web.routes import pages
    >>> app = FastAPI()
    >>> app.include_router(pages.router)
    >>> kept_paths(app.routes)
    ['/patients/new']
    """
    every = every_route(routes)
    return sorted(
        route.path_format for route in every if isinstance(route, APIRoute) and keeps(route, every)
    )


def _owner(request: Request, state: AppState, given: str | None) -> str | None:
    """Whose form this is: the user its CSRF token names, when the server issued it (and,
    with the ended session's cookie still sent, it is that session's token)."""
    secret = state.settings.secret_key.get_secret_value()
    cookie = request.cookies.get(COOKIE)
    if cookie and not csrf_valid(secret, cookie, given):
        return None
    return form_owner(secret, given, now=int(time.time()))


async def keep_typed(request: Request, state: AppState) -> tuple[str, str] | None:
    """Keep what a page's save without a live session typed; return the handle and the
    sign-in page's message, or ``None`` (not such a save: plain sign-in).

    The handle is ``""`` when the save could not be kept (too large), and the message says
    so."""
    route = request.scope.get("route")
    if request.method != "POST" or route is None or not keeps(route, request.app.routes):
        return None
    if request.headers.get("sec-fetch-site", "") in _FOREIGN:
        return None
    form = await request.form()
    token = form.get("csrf_token")
    owner = _owner(request, state, token if isinstance(token, str) else None)
    if owner is None:
        return None
    fields = {
        name: value
        for name, value in form.items()
        if isinstance(value, str) and name not in _NOT_KEPT and "password" not in name
    }
    try:
        handle = KeptFormStore(state.registry.engine).keep(
            username=owner, path=request.url.path, fields=fields
        )
    except InputError as exc:
        problem = exc.problems[0]
        return "", (
            f"Your session ended before this was saved, and the form could not be kept "
            f"({problem.value}; {problem.allowed}). Sign in again and enter it anew."
        )
    return handle, (
        f"Your session ended before this was saved. What you typed is kept: sign in again "
        f"as {owner} to return to the form, check it and save it."
    )


def set_kept_cookie(response: Response, handle: str, path: str, state: AppState) -> Response:
    """Give ``response`` the cookie that brings a kept form's handle to its page only."""
    response.set_cookie(
        KEPT_COOKIE,
        handle,
        max_age=int(KeptFormStore(state.registry.engine).keep_seconds),
        path=quote(path),
        httponly=True,
        samesite="strict",
        secure=state.settings.cookie_secure,
    )
    return response


def restore(
    request: Request, state: AppState, user: User | None, context: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The page context with a kept form's fields in place of its values (``kept_form``
    set, for the page's notice), when this is the form's page after its user signed in
    again; else ``None``. The fields are taken once."""
    handle = request.cookies.get(KEPT_COOKIE)
    if not handle or user is None or request.method != "GET" or "values" not in context:
        return None
    fields = KeptFormStore(state.registry.engine).take(
        handle, username=user.username, path=request.url.path
    )
    if fields is None:
        return None
    restored = dict(context) | {"values": submitted(fields), "kept_form": True}
    version = fields.get("version", "")
    if "version" in context and version.isascii() and version.isdigit() and len(version) < 12:
        restored["version"] = int(version)
    if "reason" in context:
        restored["reason"] = fields.get("reason", "")
    return restored
