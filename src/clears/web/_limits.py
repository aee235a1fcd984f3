"""Request-size limits, applied as the body arrives and before anything parses it.

:class:`BodyLimit` is a pure ASGI middleware. A request that declares a ``Content-Length``
above its limit is refused on the app's first read of the body, before a single byte is
taken from the client; a request sent without one (``Transfer-Encoding: chunked``) is
counted chunk by chunk and refused as soon as the running count passes the limit. The
refusal is an HTTP 413 raised from ``receive``: the route never sees the body, and the
app's own error handler answers (JSON under ``/api/``, the error page elsewhere), signed in
or not, because FastAPI reads a body before it resolves a route's dependencies.

``multipart/form-data`` bodies (uploads) have their own, larger limit; every other body
(JSON, URL-encoded forms) has the general one. The limits are settings
(:attr:`clears.web.settings.Settings.max_body_bytes`, ``max_upload_bytes``).
"""

from __future__ import annotations

from typing import Final

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "TooLarge", "limit_for"]

_MULTIPART: Final = b"multipart/form-data"


class TooLarge(HTTPException):
    """413: the request body is larger than the limit (an ``HTTPException``, which FastAPI's
    body reading passes on to the app's handler rather than calling it a parse error)."""

    def __init__(self, limit: int, *, declared: int | None = None) -> None:
        size = f"{declared:,} bytes" if declared is not None else f"more than {limit:,} bytes"
        super().__init__(
            413,
            f"request body too large: {size}; at most {limit:,} bytes are accepted "
            "(CLEARS_MAX_BODY_BYTES, or CLEARS_MAX_UPLOAD_BYTES for uploads)",
        )
        self.limit = limit


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


def limit_for(scope: Scope, *, body: int, upload: int) -> int:
    """The byte limit of one request: ``upload`` for ``multipart/form-data``, else ``body``.

    Examples
    --------
    >>> limit_for({"headers": [(b"content-type", b"multipart/form-data; b=x")]}, body=1, upload=9)
    9
    >>> limit_for({"headers": [(b"content-type", b"application/json")]}, body=1, upload=9)
    1
    """
    kind = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
    return upload if kind == _MULTIPART else body


def _declared(scope: Scope) -> int | None:
    """The ``Content-Length`` as a number (``None`` when absent or not a number)."""
    raw = _header(scope, b"content-length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


class BodyLimit:
    """Refuse request bodies above a byte limit with 413, before the app reads them.

    Parameters
    ----------
    app
        The ASGI app to protect.
    max_body
        Limit of every body except uploads, in bytes.
    max_upload
        Limit of ``multipart/form-data`` bodies, in bytes.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        if max_body < 1 or max_upload < 1:
            raise ValueError(f"limits must be positive, not {max_body} and {max_upload}")
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a ``receive`` that counts the body's bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope, body=self.max_body, upload=self.max_upload)
        declared = _declared(scope)
        received = 0

        async def counted() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise TooLarge(limit, declared=declared)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        await self.app(scope, counted, send)
