"""Render a page template with what every page needs: the user and the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

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
    """The template filled with ``context`` plus ``user`` and ``csrf``."""
    return state.templates.TemplateResponse(
        request,
        template,
        {"user": user, "csrf": csrf_for(request, state), **context},
        status_code=status,
    )
