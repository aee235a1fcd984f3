"""Render a page template with what every page needs: the user and the CSRF token.

A form page its user returns to after signing in again shows what they had typed before
their session ended (:func:`clears.web._kept_forms.restore`), not yet saved."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from clears.web._kept_forms import KEPT_COOKIE, restore
from clears.web.deps import AppState, csrf_for
from clears.web.users import User

__all__ = ["render"]


def render(
    request: Request,
    state: AppState,
    user: User | None,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    """The template filled with ``context`` plus ``user`` and ``csrf`` (and, on the page a
    kept form returns to, its typed values)."""
    restored = restore(request, state, user, context)
    response = state.templates.TemplateResponse(
        request,
        template,
        {"user": user, "csrf": csrf_for(request, state), **(restored or context)},
        status_code=status,
    )
    if request.cookies.get(KEPT_COOKIE) and restored is not None:
        response.delete_cookie(KEPT_COOKIE, path=quote(request.url.path))
    return response
