"""The report page: the study report of ``clears report`` for the user's centres.

Building the report reads the whole cohort and derives every analysis, so it runs as a
background job: ``/cohort/report`` offers the formats (the standalone HTML document of
``clears report``, or its tables as DOCX or XLSX) and ``POST /cohort/report`` submits the
job and lands on its page, where the result is downloaded (or, for HTML, opened). Any
signed-in user may build the report: it holds aggregate tables and figures of the centres
they can already see.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from clears.registry import RegistryBusyError
from clears.web import _report
from clears.web._jobs import job_path, submit_for
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)


@router.get("/cohort/report")
def report_page(request: Request, state: StateDep, user: CurrentUser) -> Response:
    """The formats of the study report, each started as a job."""
    return render(request, state, user, "report.html", criteria=_report.CRITERIA, chosen="html")


@router.post("/cohort/report", dependencies=[CSRF])
def report_job(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    format: Annotated[_report.ReportFormat, Form()] = "html",
) -> Response:
    """Start the study report of the user's centres in ``format``; go to the job (a
    registry busy with an import: the form again, the format kept, 503)."""
    try:
        job = submit_for(
            registry, user, "report", {"format": format, "criteria": list(_report.CRITERIA)}
        )
    except RegistryBusyError as exc:
        return render(
            request,
            state,
            user,
            "report.html",
            status=503,
            criteria=_report.CRITERIA,
            chosen=format,
            problems=[],
            busy=f"the report was not started: {exc}",
        )
    return RedirectResponse(job_path(job.id), status_code=303)
