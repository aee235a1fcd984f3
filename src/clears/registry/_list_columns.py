"""Per-patient columns the patient list sorts on, kept in step with the records they summarise.

``patients.last_visit_key`` is the date of the patient's latest visit, or :data:`NO_VISIT`
(0001-01-01, before any visit) when there is none, so that the "last visit" sort of
:mod:`clears.registry._patient_list` reads an index (``ix_patients_last_visit_key`` and its
per-centre twin) instead of every patient's visits. The value is derived data, never typed by
anyone and not in the audit chain: every path that writes visits recomputes it from the
visits in the same transaction (:func:`refresh_last_visits`): the record services (a visit
added, changed or deleted), the importer (once for all the imported patients) and migration
0010 (every patient). A rename copies it with the patient's row (the visits are copied too).

A patient's worklist summary (``worklist_summaries``, the alert and overdue counts the web
app's screening stored) describes the records as they were when it was computed. Every
write to a patient's records appends an audit entry naming the patient, and
:func:`clears.registry.audit.append` calls :func:`forget_summaries` for those patients in
the same transaction: the summary is gone once the write commits, and the patient is "not
yet screened" until screened again. A stored summary is therefore current for as long as it
exists, and the list's filters read it from an index without consulting the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._models import ENTITY_TABLES, patients_table, worklist_summaries_table

__all__ = ["NO_VISIT", "forget_summaries", "last_visit_of", "refresh_last_visits"]

#: The key of a patient without visits: earlier than every visit date, so last in the sort.
NO_VISIT: Final = dt.date.min

_p = patients_table
_v = ENTITY_TABLES["visits"]
_s = worklist_summaries_table
_SEEN: Final = "clears.worklist_summaries"
#: Patient ids per ``DELETE`` (within every backend's limit of bound parameters).
_CHUNK: Final = 5_000


def last_visit_of(patient: sa.ColumnElement[int]) -> sa.ColumnElement[dt.date]:
    """The last visit key computed from the visits of ``patient`` (a patient row id column):
    their latest ``visit_date``, or :data:`NO_VISIT`."""
    latest = (
        sa.select(sa.func.max(_v.c.visit_date)).where(_v.c.patient_key == patient).scalar_subquery()
    )
    return sa.func.coalesce(latest, sa.literal(NO_VISIT, sa.Date()))


def refresh_last_visits(session: Session, where: sa.ColumnElement[bool]) -> None:
    """Recompute ``last_visit_key`` of the patients matching ``where`` (a condition on
    ``patients``) from their visits, in one set-based ``UPDATE``.

    Recomputing a patient whose visits did not change writes the value already stored, so a
    caller may name a range wider than the patients it wrote.
    """
    session.execute(
        sa.update(_p).where(where).values(last_visit_key=last_visit_of(_p.c.id)),
        execution_options={"synchronize_session": False},
    )


def forget_summaries(session: Session, patient_ids: Iterable[str | None]) -> None:
    """Remove the worklist summaries of the patients named ``patient_ids`` (``None`` names no
    patient: a centre, an account), one ``DELETE`` per :data:`_CHUNK` ids.

    A registry older than revision 0009 has no summaries: a rename, the way to fix patient
    ids before revision 0007, runs there too."""
    named = sorted({pid for pid in patient_ids if pid is not None})
    if not named or not _has_summaries(session):
        return
    for start in range(0, len(named), _CHUNK):
        keys = sa.select(_p.c.id).where(_p.c.patient_id.in_(named[start : start + _CHUNK]))
        session.execute(
            sa.delete(_s).where(_s.c.patient_key.in_(keys)),
            execution_options={"synchronize_session": False},
        )


def _has_summaries(session: Session) -> bool:
    """Whether the database has ``worklist_summaries``; once seen, remembered for the
    connection (a table of the shipped history is never dropped but by a downgrade)."""
    connection = session.connection()
    if connection.info.get(_SEEN):
        return True
    present = sa.inspect(connection).has_table(_s.name)
    if present:
        connection.info[_SEEN] = True
    return present
