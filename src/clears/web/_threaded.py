"""A form route's one shape: read the form on the event loop, work in the thread pool.

Reading a request's form needs the event loop; validating and writing block on the
database, so they run in the thread pool like the plain ``def`` routes, and the loop keeps
serving other requests meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

__all__ = ["with_form"]


async def with_form(request: Request, handler: Callable[..., Response], *args: Any) -> Response:
    """``handler(*args, form)`` in the thread pool, ``form`` being the request's form."""
    form = await request.form()
    return await run_in_threadpool(handler, *args, form)
