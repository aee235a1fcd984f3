"""Request dependencies: the registry, the signed-in user, role checks and CSRF.

Routes declare what they need with the ``Annotated`` aliases (``RegistryDep``,
``CurrentUser``, ``WriterUser``, ``ExporterUser``, ``AdministratorUser``) and write routes
add ``dependencies=[CSRF]``; nothing here runs at import time.

The signed-in user is read from the registry on every request (the session by its token's
hash, joined to the account: :class:`clears.registry.SessionStore`), so a sign-out, a
disabled account or a new role is seen by every server process at the next request. That
lookup is a plain ``def`` (FastAPI runs it in the thread pool, as it does the routes that
touch the database); the dependencies that only read memory (app state, role checks on the
user already read) are ``async def`` and stay on the event loop.

Scripts use API tokens instead (:mod:`clears.registry.tokens`): ``Authorization: Bearer
<token>`` is read on the JSON API (``/api/...``) only. A request carrying it is
authenticated by the token alone (never also by a cookie), so it needs no CSRF token: a
browser never adds that header to a cross-site request by itself. A read token may only
make ``GET`` and ``HEAD`` requests (403 naming its scope otherwise); the token's user acts on
the token's centres only, so another centre's patient is 404 as for a signed-in user.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Final

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from clears.cohort import SiteFields
from clears.quality import Rule
from clears.registry import Action, SessionStore, SignInLimiter, TokenScope, TokenStore, transaction
from clears.web._session_cookie import COOKIE, renew_later
from clears.web.security import csrf_token, csrf_valid
from clears.web.settings import Settings
from clears.web.users import User

__all__ = [
    "COOKIE",
    "CSRF",
    "AdministratorUser",
    "AppState",
    "CurrentUser",
    "ExporterUser",
    "Forbidden",
    "MustChangePassword",
    "NotSignedIn",
    "Registry",
    "RegistryDep",
    "SignedInUser",
    "StateDep",
    "SurveyIssuer",
    "WriterUser",
    "bearer_token",
    "csrf_for",
    "require_csrf",
]

#: Header carrying the CSRF token on JSON and fetch() requests.
CSRF_HEADER: Final = "x-csrf-token"

#: The paths where an ``Authorization: Bearer`` API token is read (the JSON API only).
API_PREFIX: Final = "/api/"

# Where a request notes the user name of its live session (in the ASGI scope's state).
_SIGNED_IN_AS: Final = "clears_signed_in_as"

#: Form bodies, whose ``csrf_token`` field is read.
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


class NotSignedIn(Exception):  # noqa: N818 - control flow, turned into 401 or a redirect
    """No live session: pages redirect to /login, the API answers 401."""


class MustChangePassword(Exception):  # noqa: N818 - control flow, turned into a redirect
    """Signed in with a temporary password: pages go to /account/password, the API 403."""


class Forbidden(Exception):  # noqa: N818 - control flow, turned into 403
    """Signed in, but the role does not allow this (or the CSRF token is wrong)."""


@dataclass(frozen=True)
class Registry:
    """The registry database of this app; every unit of work is one transaction.

    ``write=False`` (what a ``GET`` or ``HEAD`` request gets): every transaction only reads,
    takes no write lock and never waits for a writer, such as a long ``clears import``.
    """

    engine: sa.Engine
    write: bool = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction that commits before the response is sent (rolled back on error)."""
        with transaction(self.engine, write=self.write) as session:
            yield session

    def reading(self) -> Registry:
        """This registry for requests that only read."""
        return Registry(self.engine, write=False)


@dataclass(frozen=True)
class AppState:
    """Everything one app instance holds: settings, registry, and the registry's session
    and sign-in limit stores (shared with every other process on the same database)."""

    settings: Settings
    registry: Registry
    sessions: SessionStore
    limiter: SignInLimiter
    templates: Jinja2Templates
    #: The data-quality rules the patient page applies (bundled, merged with the site's file).
    quality_rules: tuple[Rule, ...]
    #: The site-defined fields of the site-fields file (none when it is not set).
    site_fields: SiteFields = field(default_factory=SiteFields)


async def get_state(request: Request) -> AppState:
    """The state of the app serving this request."""
    state: AppState = request.app.state.clears
    return state


StateDep = Annotated[AppState, Depends(get_state)]


#: Request methods that never change anything: their transactions only read.
_SAFE_METHODS: Final = frozenset({"GET", "HEAD"})


async def get_registry(request: Request, state: StateDep) -> Registry:
    """The registry of this app, read-only for ``GET`` and ``HEAD`` requests."""
    if request.method in _SAFE_METHODS:
        return state.registry.reading()
    return state.registry


RegistryDep = Annotated[Registry, Depends(get_registry)]


def bearer_token(request: Request) -> str | None:
    """The API token of an ``Authorization: Bearer`` header on a JSON API path, else
    ``None`` (pages, and any other scheme, use the session cookie)."""
    if not request.url.path.startswith(API_PREFIX):
        return None
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def _token_user(request: Request, state: AppState, secret: str) -> User:
    """The user of a live API token, narrowed to its centres; refused if its scope is read
    and the request is not."""
    use = TokenStore(state.registry.engine).get(secret)
    if use is None:
        raise NotSignedIn(
            "the API token is unknown, expired or revoked, or its user is disabled "
            "(the account menu's API tokens page lists yours)"
        )
    if use.scope is TokenScope.read and request.method not in _SAFE_METHODS:
        raise Forbidden(
            "this API token's scope is read: it may only read (GET); "
            "a token of scope write is needed to change data"
        )
    return use.user


def signed_in(request: Request, state: StateDep) -> User:
    """The user of the request's API token (on ``/api/``) or live session, enabled; else
    :class:`NotSignedIn`."""
    secret = bearer_token(request)
    if secret is not None:
        return _token_user(request, state, secret)
    token = request.cookies.get(COOKIE)
    use = state.sessions.use(token)
    if use is None or token is None:
        raise NotSignedIn
    if use.refreshed:  # the server's idle timer moved: the browser's cookie moves with it
        renew_later(request, token, state.settings)
    # whose pages these are: their CSRF token names the user (clears.web._kept_forms)
    request.scope.setdefault("state", {})[_SIGNED_IN_AS] = use.account.username
    return use.account


#: The signed-in user, even one who must still change a temporary password.
SignedInUser = Annotated[User, Depends(signed_in)]


async def current_user(user: SignedInUser) -> User:
    """The signed-in user, who has no temporary password left to change."""
    if user.must_change_password:
        raise MustChangePassword
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def permitted(action: Action, refusal: str) -> Callable[[User], Awaitable[User]]:
    """A dependency letting through a user whose role allows ``action``
    (:data:`clears.registry.PERMISSIONS`); others get 403 "the {role} role {refusal}"."""

    async def check(user: CurrentUser) -> User:
        if not user.may(action):
            raise Forbidden(f"the {user.role} role {refusal}")
        return user

    check.__name__ = f"may_{action}"
    return check


writer = permitted(Action.record, "is read-only")
exporter = permitted(Action.export, "may not export data")
administrator = permitted(Action.manage_accounts, "may not manage accounts")
survey_issuer = permitted(Action.issue_survey, "may not issue patient surveys")


WriterUser = Annotated[User, Depends(writer)]
ExporterUser = Annotated[User, Depends(exporter)]
AdministratorUser = Annotated[User, Depends(administrator)]
SurveyIssuer = Annotated[User, Depends(survey_issuer)]


def csrf_for(request: Request, state: AppState) -> str:
    """The CSRF token of the request's session ("" when signed out), naming the session's
    user and the time (:func:`clears.web.security.csrf_token`)."""
    session = request.cookies.get(COOKIE)
    if not session:
        return ""
    username = request.scope.get("state", {}).get(_SIGNED_IN_AS, "")
    return csrf_token(
        state.settings.secret_key.get_secret_value(),
        session,
        username=username,
        issued=int(time.time()),
    )


async def require_csrf(request: Request, state: StateDep) -> None:
    """Refuse a state-changing request without the session's CSRF token (form or header);
    a request authenticated by an API token needs none (see the module docstring)."""
    if bearer_token(request) is not None:
        return
    is_form = request.headers.get("content-type", "").startswith(_FORM_TYPES)
    session = request.cookies.get(COOKIE) or ""
    if not session and is_form and not request.url.path.startswith(API_PREFIX):
        # A page's form sent without a session (the browser dropped the ended session's
        # cookie): sign in first; the handler may keep what was typed (_kept_forms).
        raise NotSignedIn
    given = request.headers.get(CSRF_HEADER)
    if given is None and is_form:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not session or not csrf_valid(state.settings.secret_key.get_secret_value(), session, given):
        raise Forbidden("missing or invalid CSRF token; reload the page and try again")


#: Add to every state-changing route: ``dependencies=[CSRF]``.
CSRF = Depends(require_csrf)
