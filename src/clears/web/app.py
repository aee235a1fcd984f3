"""Build the web app: ``create_app(settings)`` wires settings, registry, accounts and routes.

Nothing happens at import time; each call returns an independent app (its own engine). The
accounts, sessions and sign-in limits live in the registry database, so apps (and server
processes) on one database share them: a session started by one works on every other.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from clears._exceptions import ConflictError, InputError, NotFoundError, echoed
from clears._version import __version__
from clears.cohort import SiteFields, load_site_fields
from clears.quality import Rule, bundled_rules, load_rules, merge_rules
from clears.registry import (
    RefusedError,
    RegistryBusyError,
    SessionStore,
    SignInLimiter,
    make_engine,
)
from clears.web._docs import ASSETS_URL, assets, docs_router, secured_openapi
from clears.web._edge import refuse_nul
from clears.web._headers import SecurityHeaders, headers_for
from clears.web._kept_forms import keep_typed
from clears.web._limits import BodyLimit
from clears.web._session_cookie import SessionCookieRenewal
from clears.web._urls import add_filters
from clears.web.deps import (
    AppState,
    Forbidden,
    MustChangePassword,
    NotSignedIn,
    Registry,
    bearer_token,
)
from clears.web.routes import (
    accounts,
    api,
    api_photos,
    api_queries,
    api_records,
    api_signatures,
    api_status,
    auth,
    cohort,
    jobs,
    pages,
    photos,
    queries,
    records,
    report,
    signatures,
    surveys,
    tokens,
    worklist,
)
from clears.web.routes import audit as audit_routes
from clears.web.routes import status as status_routes
from clears.web.settings import Settings

__all__ = ["ROUTERS", "THREADS", "app_state", "create_app", "page_templates"]

#: Worker threads for the blocking routes (database, reports). Writes to one SQLite file are
#: serialised anyway and Python runs one thread at a time, so more threads only add
#: switching; fewer requests in flight queue in order instead (benchmarks/bench_web.py).
THREADS: Final = 8

#: Every router of the app, in inclusion order (the isolation tests enumerate their routes).
ROUTERS: Final = (
    auth.router,
    accounts.router,
    tokens.router,
    pages.router,
    records.router,
    photos.router,
    surveys.router,
    signatures.router,
    queries.router,
    cohort.router,
    worklist.router,
    report.router,
    jobs.router,
    audit_routes.router,
    api.router,
    api_records.router,
    api_photos.router,
    api_signatures.router,
    api_queries.router,
    audit_routes.api_router,
    jobs.api_router,
    status_routes.router,
    api_status.router,
)

_HERE: Final = Path(__file__).parent

#: Seconds a client is told to wait (``Retry-After``) after a busy answer, at least.
_BUSY_RETRY: Final = 5


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error(request: Request, status: int, message: str, **extra: object) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, **extra}, status_code=status)
    state: AppState = request.app.state.clears
    return state.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": None, **extra},
        status_code=status,
    )


def _handlers(app: FastAPI) -> None:
    async def not_signed_in(request: Request, exc: Exception) -> Response:
        if bearer_token(request) is not None:  # RFC 6750: say the token is what failed
            return JSONResponse(
                {"detail": str(exc)},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        kept = await keep_typed(request, request.app.state.clears)  # a save: what was typed
        if kept is not None:
            return auth.login_page(
                request, request.app.state.clears, message=kept[1], status=401, kept=kept[0]
            )
        return RedirectResponse("/login", status_code=303)

    async def must_change(request: Request, _exc: Exception) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "change your temporary password first (/account/password)"},
                status_code=403,
            )
        return RedirectResponse("/account/password", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        return _error(request, 403, str(exc))

    async def not_found(request: Request, _exc: Exception) -> Response:
        # One message whether the record does not exist or belongs to another centre.
        return _error(request, 404, "not found")

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InputError)
        problems = [
            {
                **({"patient": p.patient} if p.patient is not None else {}),
                **({"record": f"{p.file} {p.record}"} if p.record is not None else {}),
                "field": p.field,
                "value": _jsonable(echoed(p.value)),
                "message": p.message,
                "allowed": p.allowed,
            }
            for p in exc.problems
        ]
        return _error(request, 422, "invalid input", problems=problems)

    async def conflict(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConflictError)
        # Retryable: nothing was written. Each field both changed, with both values, and
        # each stored record the save would have copied.
        detail: dict[str, object] = {"retryable": True}
        if exc.version is not None:
            detail["version"] = exc.version
        if exc.conflicts:
            detail["conflicts"] = [
                {"field": c.field, "yours": _jsonable(c.yours), "current": _jsonable(c.current)}
                for c in exc.conflicts
            ]
        if exc.problems:
            detail["problems"] = [
                {k: _jsonable(v) for k, v in p.to_dict().items()} for p in exc.problems
            ]
        return _error(request, 409, str(exc), **detail)

    async def busy(request: Request, exc: Exception) -> Response:
        # Retryable: nothing was written. While an import holds the registry, when it
        # should end (the forms catch this themselves and show what was typed again).
        assert isinstance(exc, RegistryBusyError)
        extra: dict[str, object] = {"retryable": True}
        wait = _BUSY_RETRY
        if exc.until is not None:
            extra["until"] = exc.until.isoformat(timespec="seconds")
            wait = max(int((exc.until - dt.datetime.now(dt.UTC)).total_seconds()), _BUSY_RETRY)
        response = _error(request, 503, str(exc), **extra)
        response.headers["Retry-After"] = str(wait)
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error(
            request, exc.status_code, "not found" if exc.status_code == 404 else str(exc.detail)
        )

    async def bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return _error(request, 422, "invalid request", problems=problems)

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(MustChangePassword, must_change)
    app.add_exception_handler(Forbidden, forbidden)
    # a service refusing the user's role (clears.registry.PERMISSIONS) is a 403 like a route's
    app.add_exception_handler(RefusedError, forbidden)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(InputError, invalid)
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(RegistryBusyError, busy)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@functools.cache
def page_templates() -> Jinja2Templates:
    """The page templates and their filters, made once per process and shared by its apps.

    They depend on nothing an app is given (settings, database), and Jinja keeps each
    template compiled in its environment, so a second app of the process (a test's, a
    benchmark's) does not compile them again.
    """
    templates = Jinja2Templates(directory=_HERE / "templates")
    add_filters(templates)
    templates.env.filters["echoed"] = echoed  # a value as messages echo it (cut when long)
    return templates


def app_state(settings: Settings, *, engine: sa.Engine | None = None) -> AppState:
    """What an app serving ``settings`` holds: the registry over ``engine`` (default: the
    engine of ``settings.db_url``, which must exist), its session and sign-in limit stores,
    and the page templates (see :func:`create_app`)."""
    bound = engine if engine is not None else make_engine(settings.db_url, must_exist=True)
    return AppState(
        settings=settings,
        registry=Registry(bound),
        sessions=SessionStore(bound, idle_seconds=settings.session_minutes * 60),
        limiter=SignInLimiter(
            bound,
            settings.login_attempts,
            settings.login_window_seconds,
            backoff_base=settings.login_backoff_seconds,
            backoff_cap=settings.login_backoff_cap_seconds,
        ),
        templates=page_templates(),
        quality_rules=site_rules(settings.quality_rules),
        site_fields=SiteFields()
        if settings.site_fields is None
        else load_site_fields(settings.site_fields),
    )


def site_rules(path: Path | None) -> tuple[Rule, ...]:
    """The bundled data-quality rules merged with the rules file at ``path`` (if any).

    Raises
    ------
    InputError
        The file cannot be read or has problems (each named with what is allowed).
    """
    rules = bundled_rules()
    if path is None:
        return tuple(rules)
    extra, disable = load_rules(path)
    return tuple(merge_rules(rules, extra, disable))


def create_app(
    settings: Settings,
    *,
    engine: sa.Engine | None = None,
    threads: int = THREADS,
) -> FastAPI:
    """Create the clears web app.

    Parameters
    ----------
    settings
        Validated settings (placeholder secrets are refused outside development).
    engine
        The registry engine; default: :func:`clears.registry._engine.make_engine` of
        ``settings.db_url`` with ``must_exist=True``, so that a missing SQLite file is an
        error, never a new empty database. ``clears serve`` passes
        :func:`clears.registry._open.open_registry`'s engine, which has also checked that
        the database is an initialised registry (``clears db init``).
    threads
        Size of the thread pool that runs the blocking routes, set when the server starts
        (the lifespan of the app; AnyIO's default is 40).
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="clears",
        version=__version__,
        description=(
            "Registry, decision support and outcomes for refractory cutaneous lupus "
            "erythematosus treated with lenalidomide or thalidomide. Sign in at /login; "
            "write requests need the X-CSRF-Token header (GET /api/me returns it). Scripts "
            "send an API token (the account menu's API tokens page) as Authorization: "
            "Bearer instead, and need no CSRF token."
        ),
        # Served by clears.web._docs from files of the app (FastAPI's use a CDN).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # No NUL anywhere in a request (clears.web._edge): PostgreSQL refuses it in text.
        dependencies=[Depends(refuse_nul)],
    )
    app.state.clears = app_state(settings, engine=engine)
    _handlers(app)

    # Pure ASGI layers (clears.web._headers, clears.web._limits); the body limit outermost,
    # so that a body is counted as it arrives, before any other layer can read it.
    app.add_middleware(SessionCookieRenewal)  # clears.web._session_cookie
    app.add_middleware(SecurityHeaders, headers=headers_for(hsts_seconds=settings.hsts_max_age))
    app.add_middleware(
        BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    app.mount(ASSETS_URL, assets(), name="docs-assets")
    app.include_router(docs_router(sign_in=settings.docs_need_sign_in))
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    # The schema names how each operation is authenticated (API token, session, CSRF).
    app.openapi = secured_openapi(app)  # type: ignore[method-assign]
    return app
