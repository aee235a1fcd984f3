"""How the audit pages show an entry of the trail (:func:`clears.registry.record_history` and
:func:`clears.registry.audit.history` read them)."""

from __future__ import annotations

from typing import Any, Literal

from clears.registry import AuditEntry

__all__ = ["AuditEntity", "entry_row"]

AuditEntity = Literal[
    "patients", "treatments", "visits", "adverse_events", "flares", "concomitant_medications"
]


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
