"""Pages of form status and source data verification (docs/data-management.md).

``/status``: the record status dashboard of one centre (patients × visits, one page of the
patient list at a time); ``/status/missing``: the centre's missing-data counts; a record's
status page (its fields, what is missing, the verification marks) with the forms that set
the status (writers) and verify fields or the record (monitors). Who may post each form is
:data:`clears.registry.PERMISSIONS` (``Action.set_form_status``, ``Action.verify``).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from clears._exceptions import InputError, NotFoundError
from clears.registry import (
    REQUIRED_FIELDS,
    Action,
    RecordTable,
    centre_codes,
    centre_missing,
    get_record,
    record_status,
    set_form_status,
    status_grid,
    verification_marks,
    verify_fields,
    verify_record,
    withdraw_mark,
)
from clears.registry.patients import get_patient
from clears.web._form_status import STATUS_LABELS
from clears.web._render import render
from clears.web._threaded import with_form
from clears.web._urls import SegmentRoute, patient_path, segment
from clears.web.deps import (
    CSRF,
    CurrentUser,
    RegistryDep,
    StateDep,
    permitted,
)
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

StatusSetter = Annotated[
    User, Depends(permitted(Action.set_form_status, "may not set form statuses"))
]
Verifier = Annotated[User, Depends(permitted(Action.verify, "may not verify source data"))]

#: Tables whose records have a status page (the baseline row and the five record tables).
_TABLES = tuple(REQUIRED_FIELDS)


def _centre(session: Session, user: User, centre: str | None) -> tuple[str | None, list[str]]:
    codes = centre_codes(session, actor=user.actor())
    return (centre if centre else (codes[0] if codes else None)), codes


@router.get("/status")
def dashboard(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    centre: str | None = None,
    cursor: str | None = None,
) -> Response:
    """The record status dashboard of one of the user's centres."""
    with registry.session() as session:
        chosen, codes = _centre(session, user, centre)
        context: dict[str, Any] = {"centres": codes, "centre": chosen, "labels": STATUS_LABELS}
        if chosen is None:
            return render(request, state, user, "status.html", grid=None, problems=[], **context)
        try:
            grid = status_grid(session, actor=user.actor(), centre=chosen, cursor=cursor)
        except InputError as exc:
            return render(
                request,
                state,
                user,
                "status.html",
                status=422,
                grid=None,
                problems=exc.problems,
                **context,
            )
    return render(request, state, user, "status.html", grid=grid, problems=[], **context)


@router.get("/status/missing")
def missing_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    centre: str | None = None,
) -> Response:
    """The missing-data counts of one of the user's centres, per table and field."""
    with registry.session() as session:
        chosen, codes = _centre(session, user, centre)
        rows = [] if chosen is None else centre_missing(session, actor=user.actor(), centre=chosen)
    return render(
        request, state, user, "status_missing.html", centres=codes, centre=chosen, rows=rows
    )


def _record_path(patient_id: str, table: str, record_id: int) -> str:
    return patient_path(patient_id, "records", segment(table), str(record_id), "status")


def _checked_table(table: str) -> str:
    if table not in _TABLES:
        raise NotFoundError(table)
    return table


def _owned(session: Session, user: User, patient_id: str, table: str, record_id: int) -> str:
    """The registered id of the patient when the record is theirs, else not found."""
    registered = get_patient(session, actor=user.actor(), patient_id=patient_id).patient_id
    status = record_status(session, actor=user.actor(), table=table, record_id=record_id)
    if status.patient_id != registered:
        raise NotFoundError(f"no {table} record {record_id} of patient {patient_id}")
    return registered


def _record_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    table: str,
    record_id: int,
    *,
    status: int = 200,
    problems: Any = (),
    typed: dict[str, Any] | None = None,
) -> Response:
    with registry.reading().session() as session:
        registered = _owned(session, user, patient_id, table, record_id)
        current = record_status(session, actor=user.actor(), table=table, record_id=record_id)
        if table == "patients":
            values = get_patient(session, actor=user.actor(), patient_id=registered).data
        else:
            values = get_record(
                session,
                actor=user.actor(),
                table=cast(RecordTable, table),
                record_id=record_id,
            ).data
        marks = verification_marks(session, actor=user.actor(), table=table, record_id=record_id)
    active = {m.field: m for m in marks if m.active}
    return render(
        request,
        state,
        user,
        "record_status.html",
        status=status,
        patient_id=registered,
        table=table,
        record=current,
        values=values,
        required=set(REQUIRED_FIELDS[table]),
        active=active,
        cleared=[m for m in marks if not m.active],
        labels=STATUS_LABELS,
        problems=list(problems),
        typed=typed or {},
        action=_record_path(registered, table, record_id),
        record_base=patient_path(registered, "records", segment(table), str(record_id)),
    )


@router.get("/patients/{patient_id}/records/{table}/{record_id}/status")
def record_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    table: str,
    record_id: int,
) -> Response:
    """One record's form status, missing fields and verification marks."""
    return _record_page(
        request, state, registry, user, patient_id, _checked_table(table), record_id
    )


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _version(form: Any) -> int | None:
    value = _text(form, "version")
    return int(value) if value is not None and value.isdigit() else None


@router.post("/patients/{patient_id}/records/{table}/{record_id}/status", dependencies=[CSRF])
async def set_status(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: StatusSetter,
    patient_id: str,
    table: str,
    record_id: int,
) -> Response:
    """Mark the record's form incomplete or complete (a reason lets it be complete with
    required fields missing)."""
    return await with_form(
        request, _set_status, request, state, registry, user, patient_id, table, record_id
    )


def _set_status(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    table: str,
    record_id: int,
    form: Any,
) -> Response:
    table = _checked_table(table)
    typed = {"status": _text(form, "status") or "", "reason": _text(form, "reason") or ""}
    try:
        with registry.session() as session:
            registered = _owned(session, user, patient_id, table, record_id)
            set_form_status(
                session,
                actor=user.actor(),
                role=user.role,
                table=table,
                record_id=record_id,
                status=typed["status"],
                version=_version(form),
                reason=typed["reason"] or None,
            )
    except InputError as exc:
        return _record_page(
            request,
            state,
            registry,
            user,
            patient_id,
            table,
            record_id,
            status=422,
            problems=exc.problems,
            typed=typed,
        )
    return RedirectResponse(_record_path(registered, table, record_id), status_code=303)


@router.post("/patients/{patient_id}/records/{table}/{record_id}/verify", dependencies=[CSRF])
async def verify(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: Verifier,
    patient_id: str,
    table: str,
    record_id: int,
) -> Response:
    """Mark the ticked fields verified, or the whole record (``whole=1``)."""
    return await with_form(
        request, _verify, request, state, registry, user, patient_id, table, record_id
    )


def _verify(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    table: str,
    record_id: int,
    form: Any,
) -> Response:
    table = _checked_table(table)
    fields = [str(f) for f in form.getlist("field")]
    version = _version(form) or 0
    try:
        with registry.session() as session:
            registered = _owned(session, user, patient_id, table, record_id)
            if _text(form, "whole"):
                verify_record(
                    session,
                    actor=user.actor(),
                    role=user.role,
                    table=table,
                    record_id=record_id,
                    version=version,
                )
            else:
                verify_fields(
                    session,
                    actor=user.actor(),
                    role=user.role,
                    table=table,
                    record_id=record_id,
                    version=version,
                    fields=fields,
                )
    except InputError as exc:
        return _record_page(
            request,
            state,
            registry,
            user,
            patient_id,
            table,
            record_id,
            status=422,
            problems=exc.problems,
            typed={"fields": fields},
        )
    return RedirectResponse(_record_path(registered, table, record_id), status_code=303)


@router.post("/patients/{patient_id}/records/{table}/{record_id}/withdraw", dependencies=[CSRF])
async def withdraw(
    request: Request,
    registry: RegistryDep,
    user: Verifier,
    patient_id: str,
    table: str,
    record_id: int,
) -> Response:
    """Withdraw the mark of one field (``field``), or the whole-record mark (no field)."""
    return await with_form(request, _withdraw, registry, user, patient_id, table, record_id)


def _withdraw(
    registry: RegistryDep, user: User, patient_id: str, table: str, record_id: int, form: Any
) -> Response:
    table = _checked_table(table)
    with registry.session() as session:
        registered = _owned(session, user, patient_id, table, record_id)
        withdraw_mark(
            session,
            actor=user.actor(),
            role=user.role,
            table=table,
            record_id=record_id,
            field=_text(form, "field"),
        )
    return RedirectResponse(_record_path(registered, table, record_id), status_code=303)
