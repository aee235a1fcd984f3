"""The safety worklist page: patients of the user's centres who need attention today."""

from __future__ import annotations

import datetime as dt
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web._worklist import WorklistCache, app_cache
from clears.web.deps import CurrentUser, RegistryDep, StateDep

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

#: Rows shown before "Show all" (the most urgent first).
PAGE_ROWS: Final = 200


def _cache(request: Request, protocol: str) -> WorklistCache:
    """The app's worklist cache, created on first use (one per app instance)."""
    return app_cache(request.app, protocol)


@router.get("/worklist")
def worklist_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    limit: int = PAGE_ROWS,
) -> Response:
    """Every patient of the user's centres whose situation fires a safety rule today."""
    cache = _cache(request, state.settings.protocol)
    view = cache.view(registry, actor=user.actor(), as_of=dt.date.today())
    shown = view.rows[: max(limit, 1)]
    return render(
        request,
        state,
        user,
        "worklist.html",
        view=view,
        rows=shown,
        more=len(shown) < len(view.rows),
        total=len(view.rows),
    )
