"""The API documentation (Swagger UI) served from the app itself, within its own CSP.

FastAPI's built-in ``/docs`` loads Swagger UI from a CDN and starts it with an inline
script, both of which the app's ``Content-Security-Policy`` (``script-src 'self'``) blocks,
so the page stayed blank. Here the Swagger UI files come from the ``fastapi-offline``
package, which ships them (mounted at ``/docs/assets``), and the page starts Swagger UI
with ``/static/api_docs.js``, a file of the app: no inline script, nothing from elsewhere.

:func:`docs_router` adds ``/docs`` and ``/openapi.json``; with ``sign_in=True`` (production
settings, :attr:`clears.web.settings.Settings.docs_need_sign_in`) both need a signed-in
user, as every other page does.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from clears.web.deps import StateDep, current_user

__all__ = ["ASSETS_URL", "assets", "docs_router"]

#: Where the Swagger UI files are served (``templates/api_docs.html`` links them there).
ASSETS_URL = "/docs/assets"


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
