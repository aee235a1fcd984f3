"""Form status per record: not set, incomplete, complete, verified.

Every record (a patient's baseline row, a treatment period, visit, adverse event, flare or
concomitant medication) has one status, as in REDCap's record status dashboard:

- **not set** (grey): data was saved but nobody has declared the form's status yet (records
  imported, or stored before revision 0020). It is not "incomplete": nobody said so.
- **incomplete** (red) and **complete** (green): set by a role allowed
  :attr:`~clears.registry.Action.set_form_status` (data entry, investigators,
  administrators). "Complete" is refused while a required field
  (:data:`~clears.registry._required_fields.REQUIRED_FIELDS`) is blank, naming every
  missing field, unless the writer gives a reason why they stay missing (a test not done);
  the reason is kept in the audit trail and the missing fields stay in the missing-data
  report.
- **verified** (blue): the result of source data verification by a monitor
  (:mod:`clears.registry.verification`), never set here. An edit after it takes the record
  back to complete (:mod:`clears.registry._clearing`).

Every change is audited (entity ``form_status``) and scoped to the actor's centres; the
role check reads :data:`clears.registry.PERMISSIONS`. Sources: ICH E6(R3) §3.16.1 (data
handling: attributable, complete records); REDCap record status dashboard (form status
Incomplete / Unverified / Complete, grey when no data is saved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, Problem
from clears.registry._actor import Actor
from clears.registry._models import form_statuses_table
from clears.registry._permissions import Action
from clears.registry._records import patient_in_scope
from clears.registry._refused import require
from clears.registry._roles import Role
from clears.registry._status_rows import load_target, stored_status, write_status

__all__ = ["FormStatus", "RecordStatus", "patient_statuses", "record_status", "set_form_status"]


class FormStatus(StrEnum):
    """A record's form status (see the module docstring)."""

    not_set = "not_set"
    incomplete = "incomplete"
    complete = "complete"
    verified = "verified"


#: The statuses a writer may set.
_SETTABLE = (FormStatus.incomplete, FormStatus.complete)


@dataclass(frozen=True, slots=True)
class RecordStatus:
    """A record's status now: who set it, at which record version, and what is missing."""

    table: str
    record_id: int
    patient_id: str
    status: FormStatus
    version: int
    missing: tuple[str, ...]
    set_by: str | None = None
    set_at: dt.datetime | None = None
    set_at_version: int | None = None


def record_status(session: Session, *, actor: Actor, table: str, record_id: int) -> RecordStatus:
    """The status of one record in the actor's centres (:class:`NotFoundError` otherwise)."""
    target = load_target(session, actor=actor, table=table, record_id=record_id)
    stored = stored_status(session, table, record_id)
    if stored is None:
        return RecordStatus(
            table, record_id, target.patient_id, FormStatus.not_set, target.version, target.missing
        )
    return RecordStatus(
        table,
        record_id,
        target.patient_id,
        FormStatus(stored.status),
        target.version,
        target.missing,
        stored.set_by,
        stored.set_at,
        stored.record_version,
    )


def set_form_status(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    table: str,
    record_id: int,
    status: FormStatus | str,
    version: int | None = None,
    reason: str | None = None,
) -> RecordStatus:
    """Mark a record's form incomplete or complete.

    Parameters
    ----------
    version
        The record version the user saw; another one now is a conflict (None: not checked).
    reason
        Why required fields stay missing, to mark complete anyway.

    Raises
    ------
    RefusedError
        The role may not set form statuses.
    NotFoundError
        The record is unknown or of another centre.
    InputError
        A status other than incomplete or complete; a verified record (a monitor withdraws
        a verification, an edit clears it); complete with required fields missing and no
        reason (every missing field is named).
    ConflictError
        The record changed since ``version``.
    """
    require(role, Action.set_form_status)
    target = load_target(session, actor=actor, table=table, record_id=record_id)
    label = f"{table} record {record_id}"
    allowed = ", ".join(_SETTABLE)
    if status not in _SETTABLE:
        message = (
            "is set by source data verification (a monitor), not by a writer"
            if status == FormStatus.verified
            else "is not a status a writer sets"
        )
        raise InputError(
            Problem(
                "status", status, message, allowed, table, patient=target.patient_id, record=label
            )
        )
    wanted = FormStatus(status)
    if version is not None and version != target.version:
        raise ConflictError(
            f"{table} record {record_id} was changed since you read it (your version "
            f"{version}, now version {target.version}); its status was not changed.",
            version=target.version,
        )
    stored = stored_status(session, table, record_id)
    if stored is not None and stored.status == FormStatus.verified:
        raise InputError(
            Problem(
                "status",
                status,
                f"cannot be changed: the record was verified by {stored.set_by}; an edit of "
                "the record clears the verification, or a monitor withdraws it",
                "no change while verified",
                table,
                patient=target.patient_id,
                record=label,
            )
        )
    reason = reason.strip() if reason and reason.strip() else None
    if wanted is FormStatus.complete and target.missing and reason is None:
        raise InputError(
            Problem(
                "status",
                status,
                f"cannot be complete: required fields missing: {', '.join(target.missing)}",
                "fill them, or give a reason why they stay missing",
                table,
                patient=target.patient_id,
                record=label,
            )
        )
    if stored is None or stored.status != wanted or stored.record_version != target.version:
        write_status(session, actor=actor, target=target, status=wanted, reason=reason)
    return record_status(session, actor=actor, table=table, record_id=record_id)


def patient_statuses(
    session: Session, *, actor: Actor, patient_id: str
) -> Mapping[tuple[str, int], RecordStatus]:
    """The stored statuses of one patient's records, by (table, record id); a record not in
    it is "not set". One indexed query on the patient's rows.

    The ``missing`` and ``version`` of each are those stored when the status was set
    (:func:`record_status` reads the record itself).
    """
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    f = form_statuses_table
    rows = session.execute(sa.select(f).where(f.c.patient_key == patient.id)).all()
    return {
        (row.entity, row.record_id): RecordStatus(
            row.entity,
            row.record_id,
            patient.patient_id,
            FormStatus(row.status),
            row.record_version,
            (),
            row.set_by,
            row.set_at,
            row.record_version,
        )
        for row in rows
    }
