"""JSON API of form status, source data verification, the dashboard and missing data.

Who may call each write is :data:`clears.registry.PERMISSIONS` (``Action.set_form_status``,
``Action.verify``); every answer is scoped to the caller's centres (another centre's record
is 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from clears._exceptions import NotFoundError
from clears.registry import (
    REQUIRED_FIELDS,
    Action,
    centre_codes,
    centre_missing,
    patient_missing,
    record_status,
    set_form_status,
    status_grid,
    verification_marks,
    verify_fields,
    verify_record,
    withdraw_mark,
)
from clears.web._status_schemas import FormStatusUpdate, RecordStatusRead, VerificationCreate
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep, permitted
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, prefix="/api", tags=["api"])

StatusSetter = Annotated[
    User, Depends(permitted(Action.set_form_status, "may not set form statuses"))
]
Verifier = Annotated[User, Depends(permitted(Action.verify, "may not verify source data"))]


def _table(table: str) -> str:
    if table not in REQUIRED_FIELDS:
        raise NotFoundError(table)
    return table


def _read(registry: RegistryDep, user: User, table: str, record_id: int) -> RecordStatusRead:
    with registry.session() as session:
        status = record_status(session, actor=user.actor(), table=table, record_id=record_id)
        marks = verification_marks(session, actor=user.actor(), table=table, record_id=record_id)
    return RecordStatusRead.of(status, marks)


@router.get("/status/records/{table}/{record_id}")
def status_of_record(
    table: str, record_id: RecordId, registry: RegistryDep, user: CurrentUser
) -> RecordStatusRead:
    """A record's form status, blank required fields and verification marks (active, then
    the latest cleared ones with who cleared them and the version their change made)."""
    return _read(registry, user, _table(table), record_id)


@router.put("/status/records/{table}/{record_id}", dependencies=[CSRF])
def put_status(
    table: str,
    record_id: RecordId,
    body: FormStatusUpdate,
    registry: RegistryDep,
    user: StatusSetter,
) -> RecordStatusRead:
    """Mark a record's form incomplete or complete (422 lists the blank required fields)."""
    table = _table(table)
    with registry.session() as session:
        set_form_status(
            session,
            actor=user.actor(),
            role=user.role,
            table=table,
            record_id=record_id,
            status=body.status,
            version=body.version,
            reason=body.reason,
        )
    return _read(registry, user, table, record_id)


@router.post("/status/records/{table}/{record_id}/verifications", dependencies=[CSRF])
def post_verification(
    table: str,
    record_id: RecordId,
    body: VerificationCreate,
    registry: RegistryDep,
    user: Verifier,
) -> RecordStatusRead:
    """Verify fields of a record, or the whole (complete) record when no field is given."""
    table = _table(table)
    with registry.session() as session:
        if body.fields is None:
            verify_record(
                session,
                actor=user.actor(),
                role=user.role,
                table=table,
                record_id=record_id,
                version=body.version,
            )
        else:
            verify_fields(
                session,
                actor=user.actor(),
                role=user.role,
                table=table,
                record_id=record_id,
                version=body.version,
                fields=body.fields,
            )
    return _read(registry, user, table, record_id)


@router.delete("/status/records/{table}/{record_id}/verifications", dependencies=[CSRF])
def delete_verification(
    table: str,
    record_id: RecordId,
    registry: RegistryDep,
    user: Verifier,
    field: str | None = None,
) -> RecordStatusRead:
    """Withdraw the mark of ``field`` (no field: the whole-record mark); a verified record
    goes back to complete. The mark is kept, cleared by the caller."""
    table = _table(table)
    with registry.session() as session:
        withdraw_mark(
            session,
            actor=user.actor(),
            role=user.role,
            table=table,
            record_id=record_id,
            field=field,
        )
    return _read(registry, user, table, record_id)


@router.get("/status/grid")
def grid(
    registry: RegistryDep, user: CurrentUser, centre: str | None = None, cursor: str | None = None
) -> dict[str, Any]:
    """One page of a centre's record status dashboard (patients × visits); the first of the
    user's centres unless ``centre`` names one."""
    with registry.session() as session:
        codes = centre_codes(session, actor=user.actor())
        chosen = centre or (codes[0] if codes else None)
        if chosen is None:
            return {"centre": None, "rows": []}
        page = status_grid(session, actor=user.actor(), centre=chosen, cursor=cursor)
    return {
        "centre": page.centre,
        "centre_counts": dict(page.centre_counts),
        "centre_counts_capped": sorted(page.centre_counts_capped),
        "page_counts": dict(page.page_counts),
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
        "rows": [
            {
                "patient_id": row.patient_id,
                "baseline": {"record_id": row.baseline.record_id, "status": row.baseline.status},
                "visits": [
                    {
                        "record_id": c.record_id,
                        "visit_date": c.date.isoformat() if c.date else None,
                        "status": c.status,
                        "missing": c.missing,
                    }
                    for c in row.visits
                ],
                "more_visits": row.more_visits,
                "open_queries": row.open_queries,
            }
            for row in page.rows
        ],
    }


@router.get("/status/missing")
def missing(
    registry: RegistryDep, user: CurrentUser, centre: str | None = None
) -> list[dict[str, Any]]:
    """Blank required fields counted per centre, table and field."""
    with registry.session() as session:
        rows = centre_missing(session, actor=user.actor(), centre=centre)
    return [
        {
            "centre": r.centre,
            "table": r.table,
            "field": r.field,
            "missing": r.missing,
            "records": r.records,
        }
        for r in rows
    ]


@router.get("/patients/{patient_id}/missing")
def patient_missing_data(
    patient_id: str, registry: RegistryDep, user: CurrentUser
) -> list[dict[str, Any]]:
    """Each record of the patient with required fields blank, naming them."""
    with registry.session() as session:
        rows = patient_missing(session, actor=user.actor(), patient_id=patient_id)
    return [
        {
            "table": r.table,
            "record_id": r.record_id,
            "date": r.date.isoformat() if r.date else None,
            "missing": list(r.missing),
        }
        for r in rows
    ]
