"""Cohort pages: the outcome table under any criteria preset, and exports (every
``clears export`` format, optionally de-identified) for users allowed to export.

Both read the whole cohort of the user's centres, so neither runs inside the request: the
forms submit a background job (:mod:`clears.web.routes.jobs`) and land on its page; the JSON
API submits the same jobs (``POST /api/jobs``).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from clears.registry import RegistryBusyError, centre_codes, jobs
from clears.web._exports import ExportFormat
from clears.web._jobs import job_path, submit_for
from clears.web._presets import PRESETS, Preset
from clears.web._render import render
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, ExporterUser, RegistryDep, StateDep
from clears.web.users import User

__all__ = ["EXPORT_LABELS", "router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

#: The export formats offered on the cohort page, with their labels.
EXPORT_LABELS: Final = (
    ("csv", "Cohort tables, CSV"),
    ("parquet", "Cohort tables, Parquet"),
    ("redcap", "REDCap flat records"),
    ("fhir", "FHIR R4B bundle"),
    ("sdtm", "SDTM-shaped DM/EX/LB/AE"),
)

#: Recent jobs listed on the cohort page.
_RECENT: Final = 10


@router.get("/cohort")
def cohort_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    criteria: str = "aitmehdi2021",
) -> Response:
    """The forms that start an outcome table or an export, and the user's recent jobs."""
    return _cohort_page(request, state, registry, user, criteria)


def _cohort_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    criteria: str,
    *,
    busy: str = "",
    status: int = 200,
) -> Response:
    """The cohort page; ``busy``: why the job asked for was not started (503)."""
    preset = criteria if criteria in PRESETS else PRESETS[0]
    actor = user.actor()
    # Only reads: after a refused submission too, while an import holds the write lock.
    with registry.reading().session() as session:
        centres = centre_codes(session, actor=actor)
        recent = jobs.list_jobs(session, actor=actor, limit=_RECENT)
    return render(
        request,
        state,
        user,
        "cohort.html",
        status=status,
        presets=PRESETS,
        preset=preset,
        centres=centres,
        recent=recent,
        export_formats=EXPORT_LABELS,
        problems=[],
        busy=busy,
    )


@router.post("/cohort/outcomes", dependencies=[CSRF])
def outcomes_job(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    criteria: Annotated[Preset, Form()] = "aitmehdi2021",
) -> Response:
    """Start the outcome table of the user's centres under ``criteria``; go to the job (a
    registry busy with an import: the page again, the criteria kept, 503)."""
    try:
        job = submit_for(registry, user, "outcomes", {"criteria": criteria})
    except RegistryBusyError as exc:
        busy = f"the outcome table ({criteria}) was not started: {exc}"
        return _cohort_page(request, state, registry, user, criteria, busy=busy, status=503)
    return RedirectResponse(job_path(job.id), status_code=303)


@router.post("/cohort/export", dependencies=[CSRF])
def export_job(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: ExporterUser,
    format: Annotated[ExportFormat, Form()] = "csv",
    deidentified: Annotated[bool, Form()] = False,
) -> Response:
    """Start an export of the user's centres; go to the job (a registry busy with an
    import: the page again, saying which export was not started, 503)."""
    try:
        job = submit_for(registry, user, "export", {"format": format, "deidentified": deidentified})
    except RegistryBusyError as exc:
        which = f"{format}, {'de-identified' if deidentified else 'identified'}"
        busy = f"the export ({which}) was not started: {exc}"
        return _cohort_page(request, state, registry, user, PRESETS[0], busy=busy, status=503)
    return RedirectResponse(job_path(job.id), status_code=303)
