"""JSON API for a patient's treatment periods, visits, adverse events and flares."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header

from clears.registry import claim_submission, settle_submission
from clears.registry.patients import timeline
from clears.registry.records import RecordTable, add_record, update_record
from clears.registry.verification import cleared_by_change
from clears.web._records import patient_record
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, WriterUser
from clears.web.schemas import RecordCreate, RecordId, RecordRead, RecordUpdate

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, prefix="/api/patients/{patient_id}", tags=["api"])


@router.get("/records/{table}")
def records(
    patient_id: str, table: RecordTable, state: StateDep, registry: RegistryDep, user: CurrentUser
) -> list[RecordRead]:
    """The patient's records of one table, in date order, with their site fields."""
    with registry.session() as session:
        found = timeline(session, actor=user.actor(), patient_id=patient_id)[table]
    return [RecordRead.of(record, state.site_fields) for record in found]


@router.post("/records/{table}", status_code=201, dependencies=[CSRF])
def add(
    patient_id: str,
    table: RecordTable,
    body: RecordCreate,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    idempotency_key: Annotated[str | None, Header(min_length=16, max_length=64)] = None,
) -> RecordRead:
    """Add a record (a dose change is a new treatment period).

    A retry with the same ``Idempotency-Key`` header (after a lost response, say) writes
    nothing and answers with the record the first request stored.
    """
    # One key per user: the stored token is a digest of both (and fits the token column).
    token = None
    if idempotency_key is not None:
        token = hashlib.sha256(f"{user.username}\0{idempotency_key}".encode()).hexdigest()
    with registry.session() as session:
        earlier = (
            None if token is None else claim_submission(session, actor=user.actor(), token=token)
        )
        if earlier is not None and earlier.isdigit():
            record = patient_record(
                session,
                actor=user.actor(),
                table=table,
                patient_id=patient_id,
                record_id=int(earlier),
            )
        else:
            record = add_record(
                session,
                actor=user.actor(),
                table=table,
                patient_id=patient_id,
                values=body.values,
                site_fields=state.site_fields,
                site_values=body.site_fields,
            )
            if token is not None:
                settle_submission(session, token=token, result=str(record.id))
    return RecordRead.of(record, state.site_fields)


@router.get("/records/{table}/{record_id}")
def record(
    patient_id: str,
    table: RecordTable,
    record_id: RecordId,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
) -> RecordRead:
    """One record, with its site fields."""
    with registry.session() as session:
        found = patient_record(
            session, actor=user.actor(), table=table, patient_id=patient_id, record_id=record_id
        )
    return RecordRead.of(found, state.site_fields)


@router.patch("/records/{table}/{record_id}", dependencies=[CSRF])
def update(
    patient_id: str,
    table: RecordTable,
    record_id: RecordId,
    body: RecordUpdate,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
) -> RecordRead:
    """Change a record read at ``version``; 409 with both values when it is stale."""
    with registry.session() as session:
        patient_record(
            session, actor=user.actor(), table=table, patient_id=patient_id, record_id=record_id
        )
        changed = update_record(
            session,
            actor=user.actor(),
            table=table,
            record_id=record_id,
            version=body.version,
            changes=body.changes,
            reason=body.reason,
            site_fields=state.site_fields,
            site_values=body.site_fields,
        )
        cleared = cleared_by_change(
            session, actor=user.actor(), table=table, record_id=record_id, version=changed.version
        )
    return RecordRead.of(changed, state.site_fields, cleared)
