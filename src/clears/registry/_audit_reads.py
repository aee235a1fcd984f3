"""Reads of the audit trail the apps need: one record's entries, and each patient's last entry.

:func:`clears.registry.audit.history` answers the trail of a whole patient (and enforces the
actor's centres); :func:`record_history` finds which patient a record belongs to from the
audit table itself (so a deleted record's history can still be read) and keeps the entries of
that one record. :func:`last_entry_ids` is the cheap change detector of per-patient caches:
every write appends an entry naming the patient, so a patient whose last entry id is
unchanged has unchanged records. Reads only.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import NotFoundError
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._models import AuditEntry, audit_table, centres_table, patients_table
from clears.registry._patient_ids import find_patient_id

__all__ = ["AUDITED_ENTITIES", "last_entry_ids", "record_history"]

#: The entities with a per-record audit view: the patient row and the five record tables
#: (treatments, visits, adverse events, flares, concomitant medications).
AUDITED_ENTITIES: Final = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)

_LARGEST_ID: Final = 2**63 - 1


def record_history(
    session: Session, *, actor: Actor, entity: str, entity_id: str
) -> tuple[str, list[AuditEntry]]:
    """The owning patient and the audit entries of one record, oldest first.

    Parameters
    ----------
    entity
        ``patients`` (then ``entity_id`` is the pseudonymous patient id) or a record table
        (then ``entity_id`` is the record's number).

    Raises
    ------
    NotFoundError
        Unknown entity or record, no audit entry, or a patient outside the actor's
        centres (the same answer for all, so other centres' records cannot be probed).
    """
    missing = NotFoundError(f"no {entity} record {entity_id!r} in your centres")
    if entity not in AUDITED_ENTITIES:
        raise missing
    if entity == "patients":
        patient_id = find_patient_id(session, entity_id) or entity_id  # as every lookup
        entries = audit.history(session, actor=actor, patient_id=patient_id)
        return patient_id, [e for e in entries if e.entity == "patients"]
    if not (entity_id.isascii() and entity_id.isdigit()) or int(entity_id) > _LARGEST_ID:
        raise missing
    key = int(entity_id)
    owners = list(
        session.execute(
            sa.select(AuditEntry.patient_id)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == key)
            .distinct()
        ).scalars()
    )
    if len(owners) != 1 or owners[0] is None:
        raise missing
    patient_id = owners[0]
    entries = audit.history(session, actor=actor, patient_id=patient_id)
    return patient_id, [e for e in entries if e.entity == entity and e.entity_id == key]


def last_entry_ids(session: Session, *, actor: Actor) -> dict[str, int]:
    """The actor's patients with the id of each one's last audit entry (0 when none).

    One grouped query over the indexed ``audit_log.patient_id``; no clinical rows are read.
    """
    last = (
        sa.select(audit_table.c.patient_id, sa.func.max(audit_table.c.id).label("last_id"))
        .where(audit_table.c.patient_id.is_not(None))
        .group_by(audit_table.c.patient_id)
        .subquery()
    )
    query = (
        sa.select(patients_table.c.patient_id, sa.func.coalesce(last.c.last_id, 0))
        .select_from(
            patients_table.join(centres_table, patients_table.c.centre_key == centres_table.c.id)
        )
        .outerjoin(last, last.c.patient_id == patients_table.c.patient_id)
    )
    if not actor.all_centres:
        query = query.where(centres_table.c.code.in_(sorted(actor.centres)))
    return {str(pid): int(entry) for pid, entry in session.execute(query)}
