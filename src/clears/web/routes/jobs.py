"""Background jobs in the web app: the job pages and the JSON API.

Cohort-wide work (the outcome table, the study report, exports) is submitted from the cohort
and report pages (or ``POST /api/jobs``) and run by the worker process, never inside a
request. ``/jobs/{id}`` shows the status and progress (refreshed by ``/static/jobs.js``
polling ``/api/jobs/{id}``, or by a ``<noscript>`` meta refresh), then the download and, for
an outcome table, its first rows. Users see their own jobs (network-wide users every job);
another user's job is a 404, as a patient of another centre is.
"""

from __future__ import annotations

import io
from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from clears.registry import RegistryBusyError, jobs
from clears.web._jobs import job_path, submit_for
from clears.web._render import render
from clears.web._urls import SegmentRoute, segment
from clears.web.deps import CSRF, CurrentUser, Registry, RegistryDep, StateDep
from clears.web.users import User

__all__ = [
    "OUTCOME_COLUMNS",
    "PREVIEW_ROWS",
    "api_router",
    "job_title",
    "router",
]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)
api_router = APIRouter(route_class=SegmentRoute, prefix="/api", tags=["jobs"])

#: Outcome columns the job page shows (the download has every ``clears outcomes`` column).
OUTCOME_COLUMNS: Final = (
    "patient_id",
    "baseline_clasi_a",
    "baseline_severity",
    "best_response",
    "response_at_assessment",
    "relapse",
    "exposure_patient_years",
    "discontinuation_reason",
)

#: A job number as a path parameter: the ``jobs.id`` column is a 32-bit integer on
#: PostgreSQL, so a larger number is refused (422) rather than sent to the database.
JobId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The job's number.")]

#: Rows of an outcome table shown on its job page.
PREVIEW_ROWS: Final = 50

#: A finished HTML report opened in the browser: its own inline styles and data: images
#: only, no script, in a sandbox (the app's pages keep their stricter policy).
_REPORT_VIEW_POLICY: Final = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
)


def job_title(job: jobs.Job) -> str:
    """What a job makes, in words.

    Examples
    --------
    >>> from types import SimpleNamespace as Job
    >>> job_title(Job(kind="export", parameters={"format": "fhir", "deidentified": True}))
    'Export: fhir, de-identified'
    >>> job_title(Job(kind="outcomes", parameters={"criteria": "cortes2012"}))
    'Outcome table: cortes2012'
    """
    p = job.parameters
    if job.kind == "outcomes":
        return f"Outcome table: {p.get('criteria')}"
    if job.kind == "report":
        return f"Study report: {str(p.get('format', '')).upper()}"
    return f"Export: {p.get('format')}{', de-identified' if p.get('deidentified') else ''}"


def _get(registry: Registry, user: User, job_id: int) -> jobs.Job:
    with registry.session() as session:
        return jobs.get(session, actor=user.actor(), job_id=job_id)


def _preview(registry: Registry, user: User, job: jobs.Job) -> list[dict[str, str]]:
    """The first rows of a finished outcome table, the shown columns only."""
    if job.kind != "outcomes" or not job.has_result:
        return []
    import pandas as pd

    with registry.session() as session:
        result = jobs.read_result(session, actor=user.actor(), job_id=job.id)
    frame = pd.read_csv(io.BytesIO(result.data), nrows=PREVIEW_ROWS, dtype=str)
    columns = [c for c in OUTCOME_COLUMNS if c in frame.columns]
    return [
        {c: ("" if pd.isna(row[c]) else str(row[c])) for c in columns}
        for _, row in frame.iterrows()
    ]


def _download(
    registry: Registry, writer: Registry, user: User, job_id: int, *, inline: bool = False
) -> Response:
    """The result as a download; ``writer`` records the first download (a ``GET`` gets a
    read-only ``registry``)."""
    job = _get(registry, user, job_id)
    if job.status != "done":
        return JSONResponse(
            {
                "detail": f"job {job_id} is {job.status}; no result to download",
                "status": job.status,
            },
            status_code=409,
        )
    with writer.session() as session:
        result = jobs.take_result(session, actor=user.actor(), job_id=job_id)
    headers = {"Content-Disposition": f'attachment; filename="{result.name}"'}
    if inline and result.media_type.startswith("text/html"):
        headers = {
            "Content-Disposition": f'inline; filename="{result.name}"',
            "Content-Security-Policy": _REPORT_VIEW_POLICY,
        }
    return Response(result.data, media_type=result.media_type, headers=headers)


@router.get("/jobs")
def jobs_page(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser
) -> Response:
    """The user's jobs, newest first."""
    with registry.session() as session:
        found = jobs.list_jobs(session, actor=user.actor())
    return render(request, state, user, "jobs.html", jobs=found)


@router.get("/jobs/{job_id}")
def job_page(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, job_id: JobId
) -> Response:
    """One job: status and progress while it runs; then its download (and first rows)."""
    job = _get(registry, user, job_id)
    return render(
        request,
        state,
        user,
        "job.html",
        job=job,
        title=job_title(job),
        rows=_preview(registry, user, job),
        columns=OUTCOME_COLUMNS,
        preview_rows=PREVIEW_ROWS,
    )


@router.get("/jobs/{job_id}/result")
def job_result(
    state: StateDep, registry: RegistryDep, user: CurrentUser, job_id: JobId, inline: bool = False
) -> Response:
    """The result of a finished job as a download (``inline=true`` opens an HTML report)."""
    return _download(registry, state.registry, user, job_id, inline=inline)


@router.post("/jobs/{job_id}/cancel", dependencies=[CSRF])
def job_cancel(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, job_id: JobId
) -> Response:
    """Cancel a queued or running job, back to its page; while an import holds the registry,
    the job's page again (503) saying the job was not cancelled yet and why."""
    try:
        with registry.session() as session:
            jobs.cancel(session, actor=user.actor(), job_id=job_id)
    except RegistryBusyError as exc:
        job = _get(registry.reading(), user, job_id)
        return render(
            request,
            state,
            user,
            "job.html",
            status=503,
            job=job,
            title=job_title(job),
            rows=_preview(registry.reading(), user, job),
            columns=OUTCOME_COLUMNS,
            preview_rows=PREVIEW_ROWS,
            busy=str(exc),
        )
    return RedirectResponse(job_path(job_id), status_code=303)


@api_router.post("/jobs", status_code=202, dependencies=[CSRF])
def api_submit(
    registry: RegistryDep,
    user: CurrentUser,
    kind: Annotated[str, Body(description="outcomes, report or export")],
    parameters: Annotated[dict[str, Any] | None, Body()] = None,
) -> JSONResponse:
    """Queue a job (``{"kind": "export", "parameters": {"format": "fhir"}}``); the answer is
    the job, also when an identical one was already queued or running."""
    job = submit_for(registry, user, kind, parameters or {})
    return JSONResponse(
        job.to_dict(), status_code=202, headers={"Location": f"/api/jobs/{segment(str(job.id))}"}
    )


@api_router.get("/jobs")
def api_list(registry: RegistryDep, user: CurrentUser) -> list[dict[str, Any]]:
    """The user's jobs, newest first."""
    with registry.session() as session:
        return [j.to_dict() for j in jobs.list_jobs(session, actor=user.actor())]


@api_router.get("/jobs/{job_id}")
def api_job(registry: RegistryDep, user: CurrentUser, job_id: JobId) -> dict[str, Any]:
    """One job: status, progress (0-1) and phase, timestamps, result name and size."""
    return _get(registry, user, job_id).to_dict()


@api_router.get(
    "/jobs/{job_id}/result",
    response_class=Response,
    responses={200: {"description": "the job's file"}, 409: {"description": "not done"}},
)
def api_result(
    state: StateDep, registry: RegistryDep, user: CurrentUser, job_id: JobId
) -> Response:
    """The result of a finished job (409 while it is not done)."""
    return _download(registry, state.registry, user, job_id)
