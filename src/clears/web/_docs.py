"""The API documentation (Swagger UI) served from the app itself, within its own CSP.

FastAPI's built-in ``/docs`` loads Swagger UI from a CDN and starts it with an inline
script, both of which the app's ``Content-Security-Policy`` (``script-src 'self'``) blocks,
so the page stayed blank. Here the Swagger UI files come from the ``fastapi-offline``
package, which ships them (mounted at ``/docs/assets``), and the page starts Swagger UI
with ``/static/api_docs.js``, a file of the app: no inline script, nothing from elsewhere.

:func:`docs_router` adds ``/docs`` and ``/openapi.json``; with ``sign_in=True`` (production
settings, :attr:`clears.web.settings.Settings.docs_need_sign_in`) both need a signed-in
user, as every other page does.

:func:`secured_openapi` gives the schema its security: the three ways a request is
authenticated (:data:`SECURITY_SCHEMES`: an API token as ``Authorization: Bearer``, the
session cookie, and the session's CSRF token in ``X-CSRF-Token``), and on each operation
the ones it accepts, read from the dependencies of its route (so the schema cannot claim a
credential the route does not check): a route that needs a signed-in user accepts an API
token on ``/api/...`` (of scope ``write`` for anything but ``GET`` and ``HEAD``) or the
session cookie, with the CSRF token when the route checks it. Swagger UI shows an
**Authorize** button for them, and sends the token pasted there with every request it
makes. The schemes are those of OpenAPI 3.1 (`Security Scheme Object
<https://spec.openapis.org/oas/v3.1.0#security-scheme-object>`_; bearer tokens: RFC 6750;
roles in a requirement of a non-OAuth scheme: `Security Requirement Object
<https://spec.openapis.org/oas/v3.1.0#security-requirement-object>`_).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Depends, FastAPI, Request, routing
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from clears.web.deps import (
    API_PREFIX,
    COOKIE,
    StateDep,
    current_user,
    require_csrf,
    signed_in,
)

__all__ = [
    "API_TOKEN_SCHEME",
    "ASSETS_URL",
    "CSRF_SCHEME",
    "SECURITY_SCHEMES",
    "SESSION_SCHEME",
    "assets",
    "docs_router",
    "operation_security",
    "secured_openapi",
]

#: Where the Swagger UI files are served (``templates/api_docs.html`` links them there).
ASSETS_URL = "/docs/assets"

#: Names of the security schemes in ``components.securitySchemes``.
API_TOKEN_SCHEME: Final = "apiToken"
SESSION_SCHEME: Final = "session"
CSRF_SCHEME: Final = "csrfToken"

#: The role a write request asks of an API token (its scope; a read token may only read).
_WRITE_SCOPE: Final = "write"

#: Request methods a read token may make.
_READ_METHODS: Final = frozenset({"GET", "HEAD"})

#: How a request is authenticated, as OpenAPI 3.1 security schemes.
SECURITY_SCHEMES: Final[dict[str, dict[str, str]]] = {
    API_TOKEN_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "clears API token (clears_...)",
        "description": (
            "An API token, sent as Authorization: Bearer <token> on /api/... only: made on "
            "the account menu's API tokens page (/account/tokens) or with 'clears tokens "
            "create', shown once. Scope read: GET only; scope write: reads and writes. The "
            "token alone authenticates the request (no cookie, no CSRF token). Paste it "
            "under Authorize to try the API with it."
        ),
    },
    SESSION_SCHEME: {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": (
            "The session cookie set by signing in at /login; the browser sends it by "
            "itself (it is HttpOnly: nothing to enter here)."
        ),
    },
    CSRF_SCHEME: {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",  # the header clears.web.deps.require_csrf reads
        "description": (
            "With the session cookie, every write request needs the session's CSRF token "
            "(csrf_token in the answer of GET /api/me). Not needed with an API token."
        ),
    },
}


def assets() -> StaticFiles:
    """The Swagger UI files that ``fastapi-offline`` ships (``swagger-ui-bundle.js``,
    ``swagger-ui.css``), as a static-file app to mount at :data:`ASSETS_URL`."""
    return StaticFiles(directory=Path(str(files("fastapi_offline") / "static")))


def docs_router(*, sign_in: bool) -> APIRouter:
    """The ``/docs`` page and the ``/openapi.json`` schema, for signed-in users only when
    ``sign_in`` is true."""
    router = APIRouter(
        include_in_schema=False, dependencies=[Depends(current_user)] if sign_in else []
    )

    @router.get("/openapi.json")
    def openapi(request: Request) -> JSONResponse:
        """The OpenAPI schema of the JSON API."""
        return JSONResponse(request.app.openapi())

    @router.get("/docs")
    def docs(request: Request, state: StateDep) -> Response:
        """Swagger UI over :func:`openapi`."""
        return state.templates.TemplateResponse(
            request,
            "api_docs.html",
            {"schema": "/openapi.json", "title": request.app.title},
        )

    return router


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    """Every dependency a route's dependant calls, at any depth."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def operation_security(*, path: str, method: str, dependant: Any) -> list[dict[str, list[str]]]:
    """The OpenAPI security requirements of one operation, from its route's dependencies.

    Alternatives, any one of which suffices: an API token (on ``/api/...`` only; role
    ``write`` for a method other than ``GET``/``HEAD``), or the session cookie (with the CSRF
    token when the route checks it). Empty when the route needs nobody signed in.
    """
    called = set(_calls(dependant))
    if signed_in not in called:
        return []
    session: dict[str, list[str]] = {SESSION_SCHEME: []}
    if require_csrf in called:
        session[CSRF_SCHEME] = []
    if not path.startswith(API_PREFIX):
        return [session]
    roles = [] if method.upper() in _READ_METHODS else [_WRITE_SCOPE]
    return [{API_TOKEN_SCHEME: roles}, session]


def _secured(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """A copy of ``schema`` with :data:`SECURITY_SCHEMES` and each operation's requirements."""
    secured = copy.deepcopy(schema)
    secured.setdefault("components", {})["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    paths = secured.get("paths", {})
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, routing.APIRoute) or not route.include_in_schema:
            continue
        operations = paths.get(route.path_format, {})
        for method in route.methods or ():
            operation = operations.get(method.lower())
            if operation is None:
                continue
            requirements = operation_security(
                path=str(route.path_format), method=method, dependant=route.dependant
            )
            if requirements:
                operation["security"] = requirements
    return secured


def secured_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` with security: FastAPI's schema of ``app`` (rebuilt when its routes
    change), with the security schemes and each operation's requirements added to a copy.

    Assign the result to ``app.openapi`` once the app is built.
    """
    plain = app.openapi
    made: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (FastAPI's schema, its copy)

    def openapi() -> dict[str, Any]:
        schema = plain()
        if not made or made[0][0] is not schema:
            made[:] = [(schema, _secured(schema, app))]
        return made[0][1]

    return openapi
