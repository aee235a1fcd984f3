"""The report page: the study report of ``clears report`` for the user's centres.

``/cohort/report`` shows the report inside the app (tables, figures as ``data:`` PNG images,
methods text, warnings); ``/cohort/report/download`` gives the standalone HTML document of
``clears report`` or its tables as DOCX or XLSX. Any signed-in user may read the report:
it holds aggregate tables and figures of the centres they can already see.
"""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import Response

from clears.registry import centre_codes
from clears.web import _report
from clears.web._cohort import cohort_for, relabel
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CurrentUser, Registry, RegistryDep, StateDep
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)


def _built(registry: Registry, user: User) -> _report.Built:
    actor = user.actor()
    with registry.session() as session:
        cohort = cohort_for(session, actor=actor)
        centres = centre_codes(session, actor=actor)
    return _report.build(relabel(cohort, centres))


@router.get("/cohort/report")
def report_page(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser
) -> Response:
    """The study report of the user's centres, with DOCX and XLSX downloads."""
    built = _built(registry, user)
    return render(
        request,
        state,
        user,
        "report.html",
        report=built.report,
        error=built.error,
        criteria=_report.CRITERIA,
        b64=lambda data: base64.b64encode(data).decode("ascii"),
    )


@router.get("/cohort/report/download")
def report_download(
    registry: RegistryDep, user: CurrentUser, format: _report.ReportFormat = "html"
) -> Response:
    """The report as a file: standalone HTML (as ``clears report`` writes it), DOCX or XLSX."""
    built = _built(registry, user)
    if built.report is None:
        return Response(
            f"no report: {built.error}", status_code=409, media_type="text/plain; charset=utf-8"
        )
    data, media = _report.rendered(built.report, format)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="clears-report.{format}"'},
    )
