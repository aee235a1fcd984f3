"""The audit trail of one record: a patient's baseline row or one of their records.

The registry answers the audit trail of a whole patient (:func:`clears.registry.audit.history`,
which also enforces the actor's centres); this module finds which patient a record belongs
to from the audit table itself (so a deleted record's history can still be read) and keeps
the entries of that one record. Reads only.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import NotFoundError
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._models import AuditEntry
from clears.registry._patient_ids import find_patient_id

__all__ = ["ENTITIES", "AuditEntity", "entry_row", "record_history"]

AuditEntity = Literal[
    "patients", "treatments", "visits", "adverse_events", "flares", "concomitant_medications"
]

#: The entities with a per-record audit view: the patient row and the five record tables
#: (treatments, visits, adverse events, flares, concomitant medications).
ENTITIES: Final = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)


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
    if entity not in ENTITIES:
        raise missing
    if entity == "patients":
        patient_id = find_patient_id(session, entity_id) or entity_id  # as every lookup
        entries = audit.history(session, actor=actor, patient_id=patient_id)
        return patient_id, [e for e in entries if e.entity == "patients"]
    if not (entity_id.isascii() and entity_id.isdigit()) or int(entity_id) > 2**63 - 1:
        raise missing
    key = int(entity_id)
    found = session.execute(
        sa.select(AuditEntry.patient_id)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == key)
        .distinct()
    ).scalars()
    owners = list(found)
    if len(owners) != 1 or owners[0] is None:
        raise missing
    patient_id = owners[0]
    entries = audit.history(session, actor=actor, patient_id=patient_id)
    return patient_id, [e for e in entries if e.entity == entity and e.entity_id == key]


def entry_row(e: AuditEntry) -> dict[str, Any]:
    """What the audit tables show of one entry (with the link target of its record)."""
    own = e.patient_id if e.entity == "patients" else e.entity_id
    return {
        "id": e.id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "own": own,
        "before": e.before,
        "after": e.after,
        "reason": e.reason,
        "hash": e.hash,
    }
