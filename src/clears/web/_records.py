"""One record of a patient, as the record pages and the records API look it up."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clears._exceptions import NotFoundError
from clears.registry import Actor, Record, find_patient_id
from clears.registry.records import RecordTable, get_record

__all__ = ["patient_record"]


def patient_record(
    session: Session, *, actor: Actor, table: RecordTable, patient_id: str, record_id: int
) -> Record:
    """Record ``record_id`` of ``table`` if it belongs to ``patient_id``; 404 otherwise
    (the record pages and the API share it)."""
    found = get_record(session, actor=actor, table=table, record_id=record_id)
    if found.patient_id != find_patient_id(session, patient_id):  # as every lookup reads ids
        raise NotFoundError(f"no {table} record {record_id} for patient {patient_id!r}")
    return found
