"""Pages that record data: visits (CLASI body map, SLEDAI-2K, labs), treatment periods and
dose changes, adverse events, flares and concomitant medications; and editing any of them.

Every save goes through :mod:`clears.registry.records` (validated, audited, versioned). A
rejected save shows the form again with everything typed and each problem next to its
field; an edit made on a stale version shows the stored and the submitted value side by side
instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from clears._exceptions import ConflictError, InputError
from clears.instruments.clasi_definition import ACTIVITY_MAX, DAMAGE_MAX
from clears.registry.patients import get_patient
from clears.registry.records import RecordTable, add_record, update_record
from clears.web import _forms as forms
from clears.web._render import render
from clears.web._urls import SegmentRoute, patient_path
from clears.web.deps import CSRF, RegistryDep, StateDep, WriterUser
from clears.web.routes.api_records import patient_record
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

OtherTable = Literal["treatments", "adverse_events", "flares", "concomitant_medications"]

_TITLES: Mapping[str, str] = {
    "visits": "Visit",
    "treatments": "Treatment period (a dose change starts a new period)",
    "adverse_events": "Adverse event",
    "flares": "Flare",
    "concomitant_medications": "Concomitant medication (a dose change starts a new row)",
}


def _form_page(
    request: Request,
    state: StateDep,
    user: User,
    *,
    table: str,
    patient_id: str,
    values: Mapping[str, Any],
    error: InputError | ConflictError | None = None,
    record_id: int | None = None,
    version: int | None = None,
) -> Response:
    """The form with ``values``; a rejected save (422) lists its problems next to their
    fields, a stale edit (409) shows the conflict."""
    problems = list(error.problems) if isinstance(error, InputError) else []
    status = 200 if error is None else 422 if isinstance(error, InputError) else 409
    context: dict[str, Any] = {
        "table": table,
        "title": _TITLES[table],
        "patient_id": patient_id,
        "values": {
            k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in values.items()
        },
        "problems": problems,
        "problem_fields": {p.field for p in problems},
        "conflict": str(error) if isinstance(error, ConflictError) else "",
        "record_id": record_id,
        "version": version,
    }
    if table == "visits":
        context |= {
            "areas": forms.clasi_areas(),
            "clasi_patient": forms.clasi_patient_fields(),
            "sledai": forms.sledai_fields(),
            "labs": forms.lab_fields(),
            "activity_max": ACTIVITY_MAX,
            "damage_max": DAMAGE_MAX,
        }
        return render(request, state, user, "visit_form.html", status=status, **context)
    context["fields"] = forms.table_fields(table)
    return render(request, state, user, "record_form.html", status=status, **context)


def _save_new(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    table: RecordTable,
    patient_id: str,
    values: dict[str, str],
) -> Response:
    try:
        with registry.session() as session:
            add_record(
                session, actor=user.actor(), table=table, patient_id=patient_id, values=values
            )
    except InputError as exc:
        return _form_page(
            request, state, user, table=table, patient_id=patient_id, values=values, error=exc
        )
    return RedirectResponse(patient_path(patient_id), status_code=303)


def _check_patient(registry: RegistryDep, user: User, patient_id: str) -> None:
    with registry.session() as session:
        get_patient(session, actor=user.actor(), patient_id=patient_id)


@router.get("/patients/{patient_id}/visits/new")
def visit_form(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser, patient_id: str
) -> Response:
    """The visit form: CLASI body map with live totals, SLEDAI-2K, labs."""
    _check_patient(registry, user, patient_id)
    return _form_page(request, state, user, table="visits", patient_id=patient_id, values={})


@router.post("/patients/{patient_id}/visits/new", dependencies=[CSRF])
async def visit_save(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser, patient_id: str
) -> Response:
    """Save a visit."""
    values = forms.submitted(await request.form())
    kept = {k: v for k, v in forms.without_stale_totals(values).items() if v is not None}
    # Reading the form needs the event loop; validating and writing block, so they run in
    # the thread pool like the plain ``def`` routes (the loop keeps serving other requests).
    return await run_in_threadpool(
        _save_new, request, state, registry, user, "visits", patient_id, kept
    )


@router.get("/patients/{patient_id}/records/{table}/new")
def record_form(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: OtherTable,
) -> Response:
    """The form of a treatment period, adverse event, flare or concomitant medication."""
    _check_patient(registry, user, patient_id)
    return _form_page(request, state, user, table=table, patient_id=patient_id, values={})


@router.post("/patients/{patient_id}/records/{table}/new", dependencies=[CSRF])
async def record_save(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: OtherTable,
) -> Response:
    """Save a treatment period, adverse event, flare or concomitant medication."""
    values = forms.submitted(await request.form())
    return await run_in_threadpool(
        _save_new, request, state, registry, user, table, patient_id, values
    )


def _load(
    registry: RegistryDep, user: User, table: RecordTable, patient_id: str, record_id: int
) -> tuple[int, dict[str, Any]]:
    with registry.session() as session:
        record = patient_record(
            session, actor=user.actor(), table=table, patient_id=patient_id, record_id=record_id
        )
    return record.version, dict(record.data)


@router.get("/patients/{patient_id}/records/{table}/{record_id}/edit")
def edit_form(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: RecordTable,
    record_id: RecordId,
) -> Response:
    """Edit a record; the version read is carried in the form."""
    version, data = _load(registry, user, table, patient_id, record_id)
    return _form_page(
        request,
        state,
        user,
        table=table,
        patient_id=patient_id,
        values=data,
        record_id=record_id,
        version=version,
    )


@router.post("/patients/{patient_id}/records/{table}/{record_id}/edit", dependencies=[CSRF])
async def edit_save(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    table: RecordTable,
    record_id: RecordId,
) -> Response:
    """Save an edit made on the version read; a stale version shows both values."""
    form = await request.form()
    return await run_in_threadpool(
        _edit_save, request, state, registry, user, patient_id, table, record_id, form
    )


def _edit_save(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    table: RecordTable,
    record_id: int,
    form: FormData,
) -> Response:
    current_version, current = _load(registry, user, table, patient_id, record_id)
    typed = forms.submitted(form)
    raw_version = form.get("version")
    version = (
        int(raw_version)
        if isinstance(raw_version, str) and raw_version.isascii() and raw_version.isdigit()
        else -1
    )
    reason_value = form.get("reason")
    reason = reason_value if isinstance(reason_value, str) and reason_value.strip() else None
    # Cleared fields become blank; fields the form does not show are left alone.
    changes: dict[str, Any] = {name: typed.get(name) for name in _editable(table, current)}
    if table == "visits":
        changes = {
            "clasi_a": None,
            "clasi_d": None,
            "sledai": None,
            **forms.without_stale_totals(changes),
        }
    try:
        with registry.session() as session:
            update_record(
                session,
                actor=user.actor(),
                table=table,
                record_id=record_id,
                version=version,
                changes=changes,
                reason=reason,
            )
    except (ConflictError, InputError) as exc:
        # A stale edit is shown against the stored version, so saving it again is a choice
        # made knowing both values; a rejected one keeps the version it was made on.
        return _form_page(
            request,
            state,
            user,
            table=table,
            patient_id=patient_id,
            values=typed,
            error=exc,
            record_id=record_id,
            version=current_version if isinstance(exc, ConflictError) else version,
        )
    return RedirectResponse(patient_path(patient_id), status_code=303)


def _editable(table: str, current: Mapping[str, Any]) -> list[str]:
    if table == "visits":
        names = ["visit_date", "clasi_a", "clasi_d", "sledai"]
        names += [f.name for a in forms.clasi_areas() for f in a.fields]
        names += [f.name for f in forms.clasi_patient_fields()]
        names += [f.name for f in forms.sledai_fields()]
        names += [f.name for f in forms.lab_fields()]
    else:
        names = [f.name for f in forms.table_fields(table)]
    return [n for n in names if n != "locked" or n in current]
