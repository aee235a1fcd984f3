"""The session cookie: its one definition, and its renewal while the user is active.

The registry ends a session ``session_minutes`` after its last use, moving the expiry forward
at most every :attr:`clears.registry.SessionStore.touch_seconds`. The browser's cookie must
last as long, or an active user would be signed out when the ``Max-Age`` given at sign-in
runs out. So when a request moves the server's expiry (:meth:`SessionStore.use` says
``refreshed``), :func:`renew_later` notes the cookie again, with a full ``Max-Age``, and
:class:`SessionCookieRenewal` (pure ASGI) adds it to that request's response, whatever the
route returned (a page, JSON, a redirect, an error), unless the route set or removed the
session cookie itself (signing in or out, a new password).
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clears.web.settings import Settings

__all__ = ["COOKIE", "SessionCookieRenewal", "renew_later", "session_cookie", "set_session_cookie"]

#: Name of the session cookie.
COOKIE: Final = "clears_session"

# Where a request notes the renewed cookie for the middleware (in the ASGI scope's state).
_NOTED: Final = "clears_session_cookie"


def session_cookie(token: str, settings: Settings) -> str:
    """The ``Set-Cookie`` value of a session: ``HttpOnly``, ``SameSite=Strict``, ``Secure``
    outside development, and a ``Max-Age`` of the idle timeout.

    Examples
    --------
    >>> value = session_cookie("t0k", Settings(environment="development"))
    >>> value.split("; ")[:2], "Max-Age=1800" in value, "Secure" in value
    (['clears_session=t0k', 'HttpOnly'], True, False)
    """
    holder = Response()
    holder.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        max_age=settings.session_minutes * 60,
    )
    return holder.headers["set-cookie"]


def set_session_cookie(response: Response, token: str, settings: Settings) -> Response:
    """Give ``response`` the session cookie of ``token`` (sign-in, a new password)."""
    response.headers.append("set-cookie", session_cookie(token, settings))
    return response


def renew_later(request: Request, token: str, settings: Settings) -> None:
    """Note that this request's response renews the session cookie of ``token``."""
    request.scope.setdefault("state", {})[_NOTED] = session_cookie(token, settings)


class SessionCookieRenewal:
    """Add the session cookie :func:`renew_later` noted to the response of that request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # shared with the request's copies of the scope

        async def send_renewed(message: Message) -> None:
            noted = state.pop(_NOTED, None) if message["type"] == "http.response.start" else None
            if noted is not None:
                headers = MutableHeaders(scope=message)
                own = f"{COOKIE}="
                if not any(value.startswith(own) for value in headers.getlist("set-cookie")):
                    headers.append("set-cookie", noted)
            await send(message)

        await self.app(scope, receive, send_renewed)
