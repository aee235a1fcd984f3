"""Source data verification: a monitor marks fields, or a whole record, verified.

A mark stores the monitor, the time and the record version it was checked at. Marking the
whole record needs a complete form (:mod:`clears.registry.form_status`) and makes it
verified; so does marking, field by field, every required field. An edit of a verified
field (any edit, for a whole-record mark) clears the mark in the write path and tells the
saving user (:mod:`clears.registry._clearing`); a monitor may also withdraw a mark. Marks
are never deleted while their record exists; every mark and clearing is audited (entity
``verification``). Only the roles allowed :attr:`~clears.registry.Action.verify` may mark
or withdraw (monitors, administrators), scoped to their centres.

Source: ICH E6(R3) §3.11.4 (monitoring, source data verification of critical data) and
§3.16.1 (attributable changes); 21 CFR Part 11 §11.10(e).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, Problem
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._clearing import cleared_notice
from clears.registry._models import data_columns, verifications_table
from clears.registry._permissions import Action
from clears.registry._records import patient_in_scope
from clears.registry._refused import require
from clears.registry._required_fields import REQUIRED_FIELDS
from clears.registry._roles import Role
from clears.registry._status_rows import Target, load_target, stored_status, write_status

__all__ = [
    "Mark",
    "cleared_by_change",
    "marks",
    "patient_marks",
    "verify_fields",
    "verify_record",
    "withdraw_mark",
]

_m = verifications_table
#: Cleared marks shown with a record or patient, newest first.
RECENT_CLEARED = 20


@dataclass(frozen=True, slots=True)
class Mark:
    """One verification mark; ``field`` None marks the whole record."""

    id: int
    table: str
    record_id: int
    field: str | None
    record_version: int
    verified_by: str
    verified_at: dt.datetime
    cleared_by: str | None = None
    cleared_at: dt.datetime | None = None
    cleared_version: int | None = None

    @property
    def active(self) -> bool:
        """Not cleared."""
        return self.cleared_at is None

    @property
    def notice(self) -> str:
        """The sentence telling whoever cleared it (:func:`~._clearing.cleared_notice`)."""
        return cleared_notice(self.field, self.verified_by, self.verified_at)


def _mark(row: sa.Row[tuple[object, ...]]) -> Mark:
    m = row._mapping
    return Mark(
        int(m["id"]),
        str(m["entity"]),
        int(m["record_id"]),
        m["field"],
        int(m["record_version"]),
        str(m["verified_by"]),
        m["verified_at"],
        m["cleared_by"],
        m["cleared_at"],
        m["cleared_version"],
    )


def _checked(target: Target, version: int) -> None:
    if version != target.version:
        raise ConflictError(
            f"{target.table} record {target.record_id} was changed since you read it (your "
            f"version {version}, now version {target.version}); nothing was verified. Open it "
            "again and verify what it holds now.",
            version=target.version,
        )


def _active(session: Session, table: str, record_id: int) -> list[Mark]:
    rows = session.execute(
        sa.select(_m)
        .where(_m.c.entity == table, _m.c.record_id == record_id, _m.c.cleared_at.is_(None))
        .order_by(_m.c.id)
    ).all()
    return [_mark(r) for r in rows]


def _insert(
    session: Session, *, actor: Actor, target: Target, fields: Sequence[str | None]
) -> list[Mark]:
    now = dt.datetime.now(dt.UTC)
    changes = []
    for name in fields:
        key = session.execute(
            sa.insert(_m)
            .values(
                entity=target.table,
                record_id=target.record_id,
                patient_key=target.patient_key,
                field=name,
                record_version=target.version,
                verified_by=actor.user,
                verified_at=now,
            )
            .returning(_m.c.id)
        ).scalar_one()
        after = {
            "table": target.table,
            "record_id": target.record_id,
            "field": name,
            "record_version": target.version,
        }
        changes.append(
            audit.Change("insert", "verification", int(key), target.patient_id, None, after)
        )
    if changes:
        audit.append(session, actor=actor, changes=changes)
    return _active(session, target.table, target.record_id)


def _promote(session: Session, *, actor: Actor, target: Target, marks: Sequence[Mark]) -> None:
    """Make a complete record verified when the record, or every required field, is."""
    stored = stored_status(session, target.table, target.record_id)
    if stored is None or stored.status != "complete" or target.missing:
        return
    verified = {m.field for m in marks}
    if None in verified or set(REQUIRED_FIELDS[target.table]) <= verified:
        write_status(session, actor=actor, target=target, status="verified")


def verify_fields(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    table: str,
    record_id: int,
    version: int,
    fields: Sequence[str],
) -> list[Mark]:
    """Mark ``fields`` of a record read at ``version`` verified; return its active marks.

    Raises
    ------
    RefusedError
        The role may not verify.
    NotFoundError
        The record is unknown or of another centre.
    InputError
        No field, an unknown field (the record's fields are listed), or a blank one.
    ConflictError
        The record changed since ``version``: nothing is marked.
    """
    require(role, Action.verify)
    target = load_target(session, actor=actor, table=table, record_id=record_id)
    label = f"{table} record {record_id}"
    known = data_columns(table)
    problems = [
        Problem(
            "fields",
            name,
            "is not a field of the record",
            ", ".join(known),
            table,
            patient=target.patient_id,
            record=label,
        )
        for name in fields
        if name not in known
    ]
    problems += [
        Problem(
            "fields",
            name,
            "is blank: nothing to verify",
            "a filled field",
            table,
            patient=target.patient_id,
            record=label,
        )
        for name in fields
        if name in known and name not in target.values
    ]
    if not fields:
        problems.append(
            Problem(
                "fields",
                "",
                "names no field",
                "one or more fields",
                table,
                patient=target.patient_id,
                record=label,
            )
        )
    if problems:
        raise InputError(problems)
    _checked(target, version)
    already = {m.field for m in _active(session, table, record_id)}
    wanted = [name for name in dict.fromkeys(fields) if name not in already]
    marks = _insert(session, actor=actor, target=target, fields=wanted)
    _promote(session, actor=actor, target=target, marks=marks)
    return marks


def verify_record(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    table: str,
    record_id: int,
    version: int,
) -> list[Mark]:
    """Mark a whole complete record, read at ``version``, verified (its status becomes
    verified); return its active marks.

    Raises
    ------
    RefusedError, NotFoundError, ConflictError
        As :func:`verify_fields`.
    InputError
        The form is not complete (its status, and the missing fields, are named).
    """
    require(role, Action.verify)
    target = load_target(session, actor=actor, table=table, record_id=record_id)
    _checked(target, version)
    stored = stored_status(session, table, record_id)
    status = "not_set" if stored is None else stored.status
    if status not in ("complete", "verified") or target.missing:
        missing = f"; missing: {', '.join(target.missing)}" if target.missing else ""
        raise InputError(
            Problem(
                "status",
                status,
                f"the form is not complete{missing}: a writer marks it complete first",
                "complete",
                table,
                patient=target.patient_id,
                record=f"{table} record {record_id}",
            )
        )
    active = _active(session, table, record_id)
    if any(m.field is None for m in active):
        return active
    marks = _insert(session, actor=actor, target=target, fields=[None])
    _promote(session, actor=actor, target=target, marks=marks)
    return marks


def withdraw_mark(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    table: str,
    record_id: int,
    field: str | None = None,
) -> list[Mark]:
    """Withdraw the active mark of ``field`` (None: the whole-record mark); a verified record
    goes back to complete. Returns the record's active marks (nothing to withdraw: as is)."""
    require(role, Action.verify)
    target = load_target(session, actor=actor, table=table, record_id=record_id)
    found = [m for m in _active(session, table, record_id) if m.field == field]
    if not found:
        return _active(session, table, record_id)
    now = dt.datetime.now(dt.UTC)
    ids = [m.id for m in found]
    session.execute(
        sa.update(_m)
        .where(_m.c.id.in_(ids))
        .values(cleared_by=actor.user, cleared_at=now, cleared_version=target.version)
    )
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "update",
                "verification",
                m.id,
                target.patient_id,
                {"table": table, "record_id": record_id, "field": m.field},
                {"table": table, "record_id": record_id, "field": m.field, "withdrawn": True},
                "withdrawn by a monitor",
            )
            for m in found
        ],
    )
    stored = stored_status(session, table, record_id)
    if stored is not None and stored.status == "verified":
        write_status(session, actor=actor, target=target, status="complete", reason="withdrawn")
    return _active(session, table, record_id)


def marks(session: Session, *, actor: Actor, table: str, record_id: int) -> list[Mark]:
    """A record's active marks and its latest cleared ones (at most
    :data:`RECENT_CLEARED`), in the actor's centres."""
    load_target(session, actor=actor, table=table, record_id=record_id)
    cleared = session.execute(
        sa.select(_m)
        .where(_m.c.entity == table, _m.c.record_id == record_id, _m.c.cleared_at.is_not(None))
        .order_by(_m.c.id.desc())
        .limit(RECENT_CLEARED)
    ).all()
    return _active(session, table, record_id) + [_mark(r) for r in cleared]


def patient_marks(session: Session, *, actor: Actor, patient_id: str) -> list[Mark]:
    """A patient's active marks and latest cleared ones (at most :data:`RECENT_CLEARED`)."""
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    active = session.execute(
        sa.select(_m)
        .where(_m.c.patient_key == patient.id, _m.c.cleared_at.is_(None))
        .order_by(_m.c.id)
    ).all()
    cleared = session.execute(
        sa.select(_m)
        .where(_m.c.patient_key == patient.id, _m.c.cleared_at.is_not(None))
        .order_by(_m.c.id.desc())
        .limit(RECENT_CLEARED)
    ).all()
    return [_mark(r) for r in [*active, *cleared]]


def cleared_by_change(
    session: Session, *, actor: Actor, table: str, record_id: int, version: int
) -> list[str]:
    """What the change that made ``version`` of a record cleared, as notices for its user."""
    load_target(session, actor=actor, table=table, record_id=record_id)
    rows = session.execute(
        sa.select(_m)
        .where(
            _m.c.entity == table,
            _m.c.record_id == record_id,
            _m.c.cleared_version == version,
            _m.c.cleared_at.is_not(None),
        )
        .order_by(_m.c.id)
    ).all()
    return [_mark(r).notice for r in rows]
