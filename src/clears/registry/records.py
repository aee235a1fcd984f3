"""Service functions for treatments, visits, adverse events, flares and medications.

Thin, keyword-only wrappers over the generic core (:mod:`clears.registry._records`): values
are validated like cohort rows and, with the patient's other records, by the cohort checks;
every call is scoped to the actor's centres; updates take the version that was read (an
older one is merged field by field with what changed since, and a field both changed
differently is a conflict showing both values), and changes to a locked visit or to a
visit dated before today need a reason. Everything is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy.orm import Session

from clears.cohort import SiteFields
from clears.registry import _records
from clears.registry._actor import Actor
from clears.registry._merge import state_at
from clears.registry._records import Record

__all__ = [
    "RecordTable",
    "add_record",
    "delete_record",
    "get_record",
    "lock_visit",
    "record_at",
    "update_record",
]

#: The per-patient tables these services write.
RecordTable = Literal["treatments", "visits", "adverse_events", "flares", "concomitant_medications"]


def add_record(
    session: Session,
    *,
    actor: Actor,
    table: RecordTable,
    patient_id: str,
    values: Mapping[str, Any],
    today: dt.date | None = None,
    site_fields: SiteFields | None = None,
    site_values: Mapping[str, Any] | None = None,
) -> Record:
    """Add a treatment period, visit, adverse event, flare or concomitant medication, with
    its values of the site-defined fields ``site_fields`` declares."""
    return _records.add(
        session,
        actor=actor,
        table=table,
        patient_id=patient_id,
        values=values,
        today=today,
        site_fields=site_fields,
        site_values=site_values,
    )


def get_record(session: Session, *, actor: Actor, table: RecordTable, record_id: int) -> Record:
    """One record by id, within the actor's centres."""
    return _records.get(session, actor=actor, table=table, record_id=record_id)


def record_at(
    session: Session, *, actor: Actor, table: RecordTable, record_id: int, version: int
) -> Mapping[str, Any] | None:
    """The values a record had at ``version`` (rebuilt from the audit trail), within the
    actor's centres; ``None`` when the trail cannot rebuild that version."""
    current = _records.get(session, actor=actor, table=table, record_id=record_id)
    if version == current.version:
        return current.data
    return state_at(
        session, table=table, record_id=record_id, version=version, current=current.data
    )


def update_record(
    session: Session,
    *,
    actor: Actor,
    table: RecordTable,
    record_id: int,
    version: int,
    changes: Mapping[str, Any],
    reason: str | None = None,
    today: dt.date | None = None,
    site_fields: SiteFields | None = None,
    site_values: Mapping[str, Any] | None = None,
) -> Record:
    """Change a record read at ``version`` (and its site values); see
    :func:`clears.registry._records.update`."""
    return _records.update(
        session,
        actor=actor,
        table=table,
        record_id=record_id,
        version=version,
        changes=changes,
        reason=reason,
        today=today,
        site_fields=site_fields,
        site_values=site_values,
    )


def delete_record(
    session: Session,
    *,
    actor: Actor,
    table: RecordTable,
    record_id: int,
    version: int,
    reason: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Delete a record read at ``version`` (audited, with the values it had)."""
    _records.delete(
        session,
        actor=actor,
        table=table,
        record_id=record_id,
        version=version,
        reason=reason,
        today=today,
    )


def lock_visit(
    session: Session,
    *,
    actor: Actor,
    record_id: int,
    version: int,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Record:
    """Lock a visit without a signature: from then on it refuses changes, deletion and new
    photographs until an administrator unlocks it (:func:`clears.registry.signatures.unlock`).
    """
    return _records.update(
        session,
        actor=actor,
        table="visits",
        record_id=record_id,
        version=version,
        changes={"locked": True},
        reason=reason,
        today=today,
    )
