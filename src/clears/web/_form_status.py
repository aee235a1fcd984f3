"""What the patient page's form-status section and the record status page show.

The labels and colours of the four statuses (REDCap's dashboard: grey for no status, red
incomplete, green complete; blue here for verified by a monitor), and the per-record rows
of one patient built from the records the page already read, with the patient's stored
statuses and verification marks (docs/data-management.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from clears.registry import (
    Actor,
    FormStatus,
    Mark,
    Record,
    missing_fields,
    patient_statuses,
    patient_verification_marks,
)

__all__ = ["STATUS_LABELS", "RecordLine", "StatusSection", "status_section"]

#: The label shown for each status (its CSS class is ``status-<value>``).
STATUS_LABELS: Final[Mapping[str, str]] = {
    FormStatus.not_set: "not set",
    FormStatus.incomplete: "incomplete",
    FormStatus.complete: "complete",
    FormStatus.verified: "verified",
}


@dataclass(frozen=True)
class RecordLine:
    """One record of the patient: its status, what is missing and how many marks it has."""

    table: str
    record_id: int
    version: int
    date: dt.date | None
    status: str
    set_by: str | None
    missing: tuple[str, ...]
    verified_fields: int
    whole_record: bool


@dataclass(frozen=True)
class StatusSection:
    """The patient page's form-status section."""

    lines: tuple[RecordLine, ...]
    cleared: tuple[Mark, ...]


def _date(record: Record) -> dt.date | None:
    value = next((v for k, v in record.data.items() if k.endswith("_date")), None)
    return value if isinstance(value, dt.date) else None


def status_section(
    session: Session, *, actor: Actor, records: Mapping[str, Sequence[Record]]
) -> StatusSection:
    """The section for the patient whose records (:func:`clears.registry.timeline`) are
    ``records``: two indexed queries on the patient's statuses and marks."""
    patient_id = records["patients"][0].patient_id
    stored = patient_statuses(session, actor=actor, patient_id=patient_id)
    marks = patient_verification_marks(session, actor=actor, patient_id=patient_id)
    active = [m for m in marks if m.active]
    lines = []
    for table, rows in records.items():
        for record in rows:
            status = stored.get((table, record.id))
            own = [m for m in active if (m.table, m.record_id) == (table, record.id)]
            lines.append(
                RecordLine(
                    table,
                    record.id,
                    record.version,
                    None if table == "patients" else _date(record),
                    FormStatus.not_set if status is None else status.status,
                    None if status is None else status.set_by,
                    missing_fields(table, record.data),
                    sum(1 for m in own if m.field is not None),
                    any(m.field is None for m in own),
                )
            )
    return StatusSection(tuple(lines), tuple(m for m in marks if not m.active))
