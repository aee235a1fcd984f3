"""Per-patient columns the patient list sorts on, kept in step with the records they summarise.

``patients.last_visit_key`` is the date of the patient's latest visit, or :data:`NO_VISIT`
(0001-01-01, before any visit) when there is none, so that the "last visit" sort of
:mod:`clears.registry._patient_list` reads an index (``ix_patients_last_visit_key`` and its
per-centre twin) instead of every patient's visits. The value is derived data, never typed by
anyone and not in the audit chain: every path that writes visits recomputes it from the
visits in the same transaction (:func:`refresh_last_visits`): the record services (a visit
added, changed or deleted), the importer (once for all the imported patients) and migration
0010 (every patient). A rename copies it with the patient's row (the visits are copied too).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._models import ENTITY_TABLES, patients_table

__all__ = ["NO_VISIT", "last_visit_of", "refresh_last_visits"]

#: The key of a patient without visits: earlier than every visit date, so last in the sort.
NO_VISIT: Final = dt.date.min

_p = patients_table
_v = ENTITY_TABLES["visits"]


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
