"""Security headers on every response, as a pure ASGI middleware.

:data:`SECURITY_HEADERS` are sent on every answer (pages, the JSON API, errors, static
files) unless the route set the header itself. :func:`headers_for` adds
``Strict-Transport-Security`` where the settings ask for it (production, unless a proxy in
front sends it). Being pure ASGI (not Starlette's ``BaseHTTPMiddleware``) it passes the
request's ``receive`` through untouched, so an error raised while a body is read (the 413 of
:mod:`clears.web._limits`) reaches the app's error handlers as itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SECURITY_HEADERS", "SecurityHeaders", "headers_for", "hsts_value"]

#: Sent on every response unless the route set the header.
SECURITY_HEADERS: Final[Mapping[str, str]] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "Cache-Control": "no-store",
}


def hsts_value(max_age: int) -> str:
    """The ``Strict-Transport-Security`` value for ``max_age`` seconds.

    Examples
    --------
    >>> hsts_value(31536000)
    'max-age=31536000; includeSubDomains'
    """
    return f"max-age={max_age}; includeSubDomains"


def headers_for(*, hsts_seconds: int) -> dict[str, str]:
    """The headers to send: :data:`SECURITY_HEADERS`, with HSTS when ``hsts_seconds > 0``.

    Examples
    --------
    >>> "Strict-Transport-Security" in headers_for(hsts_seconds=0)
    False
    >>> headers_for(hsts_seconds=60)["Strict-Transport-Security"]
    'max-age=60; includeSubDomains'
    """
    headers = dict(SECURITY_HEADERS)
    if hsts_seconds > 0:
        headers["Strict-Transport-Security"] = hsts_value(hsts_seconds)
    return headers


class SecurityHeaders:
    """Add ``headers`` to each HTTP response that does not already carry them.

    Parameters
    ----------
    app
        The ASGI app.
    headers
        Header names and values (:func:`headers_for`).
    """

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    present.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
