"""JSON API: the signed-in user, patients, decision support, audit, live scoring, outcomes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError
from clears.instruments import clasi
from clears.registry import audit, patient_list_page
from clears.registry.patients import create_patient, get_patient, update_patient
from clears.registry.verification import cleared_by_change
from clears.web import _patient_view as view
from clears.web._cohort import cohort_for
from clears.web._enrol import id_refusal
from clears.web._exports import ExportFormat
from clears.web._patient_list import (
    ListRequest,
    PatientListPage,
    list_query,
    list_request,
    to_json,
)
from clears.web._presets import Preset
from clears.web._urls import SegmentRoute
from clears.web._worklist import app_cache
from clears.web.deps import (
    CSRF,
    CurrentUser,
    ExporterUser,
    RegistryDep,
    StateDep,
    WriterUser,
    csrf_for,
)
from clears.web.schemas import AuditRead, Me, PatientCreate, PatientRead, PatientUpdate
from clears.web.users import ALL_CENTRES, User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, prefix="/api", tags=["api"])


@router.get("/me")
def me(request: Request, state: StateDep, user: CurrentUser) -> Me:
    """Who is signed in, what they may do, and the CSRF token for writes."""
    return Me(
        username=user.username,
        role=str(user.role),
        centres=sorted(user.centres - {ALL_CENTRES}) or [ALL_CENTRES],
        can_write=user.can_write,
        can_export=user.can_export,
        csrf_token=csrf_for(request, state),
    )


@router.get("/patients")
def patients(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    given: Annotated[ListRequest, Depends(list_request)],
) -> PatientListPage:
    """One page of the patients of the user's centres (docs/web.md, "The patient list").

    ``q`` is an id prefix (any letter case); ``filter`` (repeated or comma-separated) is
    ``on_treatment``, ``alerts``, ``overdue``, ``incomplete`` or ``unscreened``; ``sort`` is
    ``id``, ``last_visit`` or ``centre``; ``limit`` 1 to 200 (default 50); ``cursor`` the
    ``next_cursor`` or ``previous_cursor`` of a page with the same parameters. A bad
    parameter answers 422 naming it and the allowed values.
    """
    query = list_query(
        given, as_of=dt.date.today(), protocol=app_cache(request.app, state.settings.protocol).label
    )
    with registry.session() as session:
        page = patient_list_page(session, actor=user.actor(), query=query)
    return to_json(query, page)


@router.post("/patients", status_code=201, dependencies=[CSRF])
def enrol(body: PatientCreate, registry: RegistryDep, user: WriterUser) -> PatientRead:
    """Enrol a patient in one of the user's centres; an id the registry holds already is 409
    with one answer, whichever centre holds it (``docs/security.md``)."""
    try:
        with registry.session() as session:
            record = create_patient(
                session,
                actor=user.actor(),
                patient_id=body.patient_id,
                centre=body.centre,
                values=body.values,
            )
    except ConflictError as exc:
        raise id_refusal(body.patient_id) from exc
    return PatientRead.of(record)


@router.get("/patients/{patient_id}")
def patient(
    patient_id: str, state: StateDep, registry: RegistryDep, user: CurrentUser
) -> PatientRead:
    """One patient's baseline record, with its site fields."""
    with registry.session() as session:
        found = get_patient(session, actor=user.actor(), patient_id=patient_id)
    return PatientRead.of(found, state.site_fields)


@router.patch("/patients/{patient_id}", dependencies=[CSRF])
def patient_update(
    patient_id: str, body: PatientUpdate, state: StateDep, registry: RegistryDep, user: WriterUser
) -> PatientRead:
    """Change a patient's baseline values and site fields (409 with both values if the
    version is stale)."""
    with registry.session() as session:
        record = update_patient(
            session,
            actor=user.actor(),
            patient_id=patient_id,
            version=body.version,
            changes=body.changes,
            reason=body.reason,
            site_fields=state.site_fields,
            site_values=body.site_fields,
        )
        cleared = cleared_by_change(
            session,
            actor=user.actor(),
            table="patients",
            record_id=record.id,
            version=record.version,
        )
    return PatientRead.of(record, state.site_fields, cleared)


def _registered(session: Session, user: User, patient_id: str) -> str:
    """The registered id ``patient_id`` names (looked up as everywhere; 404 if none)."""
    return get_patient(session, actor=user.actor(), patient_id=patient_id).patient_id


@router.get("/patients/{patient_id}/advice")
def advice(
    patient_id: str,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Decision support (dose, monitoring, alerts, eligibility) with its sources."""
    with registry.session() as session:
        patient_id = _registered(session, user, patient_id)
        cohort = cohort_for(session, actor=user.actor(), patient_ids=[patient_id], all_columns=True)
    return view.advice(
        cohort, patient_id, as_of=as_of or dt.date.today(), protocol=state.settings.protocol
    )


@router.get("/patients/{patient_id}/response")
def response(
    patient_id: str,
    registry: RegistryDep,
    user: CurrentUser,
    criteria: Preset = "aitmehdi2021",
) -> dict[str, Any]:
    """Response status under a criteria preset."""
    with registry.session() as session:
        patient_id = _registered(session, user, patient_id)
        cohort = cohort_for(session, actor=user.actor(), patient_ids=[patient_id])
    return view.response_status(cohort, patient_id, criteria)


@router.get("/patients/{patient_id}/audit")
def patient_audit(patient_id: str, registry: RegistryDep, user: CurrentUser) -> list[AuditRead]:
    """Every audited change to the patient and their records, oldest first."""
    with registry.session() as session:
        patient_id = _registered(session, user, patient_id)
        entries = audit.history(session, actor=user.actor(), patient_id=patient_id)
        return [AuditRead.model_validate(e) for e in entries]


@router.post("/score/clasi", dependencies=[CSRF])
def score_clasi(
    payload: dict[str, Any], _user: CurrentUser, partial: bool = True
) -> dict[str, Any]:
    """Score CLASI from nested items (``clears score clasi`` JSON); partial by default, so
    the body-map form can show running totals while items are entered."""
    return clasi.score_mapping(payload, partial=partial).to_dict()


def _moved_to_jobs(kind: str, parameters: dict[str, Any]) -> JSONResponse:
    """410: cohort-wide work is a background job now; the answer says how to ask for it."""
    submit = {"kind": kind, "parameters": parameters}
    return JSONResponse(
        {
            "detail": (
                f"the {kind} of a whole cohort is a background job: POST /api/jobs with "
                f"{json.dumps(submit)}, follow GET /api/jobs/{{id}} until its status is done, "
                "then GET /api/jobs/{id}/result"
            ),
            "submit": {"method": "POST", "url": "/api/jobs", "json": submit},
        },
        status_code=410,
    )


_GONE: dict[int | str, dict[str, Any]] = {
    410: {"description": "a background job now: the answer says how to submit it"}
}


@router.get("/cohort/outcomes", responses=_GONE, status_code=410)
def outcomes(user: CurrentUser, criteria: Preset = "aitmehdi2021") -> JSONResponse:
    """Per-patient outcomes of a whole cohort: a background job (``POST /api/jobs`` with
    ``{"kind": "outcomes", "parameters": {"criteria": ...}}``); this answers 410 with that
    request, so that no request reads and derives a whole registry."""
    return _moved_to_jobs("outcomes", {"criteria": criteria})


@router.get("/cohort/export", responses=_GONE, status_code=410)
def export(
    user: ExporterUser, format: ExportFormat = "csv", deidentified: bool = False
) -> JSONResponse:
    """A whole cohort's export: a background job (``POST /api/jobs`` with ``{"kind":
    "export", "parameters": {"format": ..., "deidentified": ...}}``); this answers 410 with
    that request. Roles that may not export still get 403."""
    return _moved_to_jobs("export", {"format": format, "deidentified": deidentified})
