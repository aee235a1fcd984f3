"""The record status dashboard: one centre's patients × visits, each cell a form status.

Rows are one page of the patient list (:func:`~clears.registry._patient_list.
patient_list_page`, keyset pages of the centre sorted by id), so a page costs the same on
page 1 and page 2,000 and whatever the registry's size. Columns are visit 1..N of the page's
patients in date order (at most :data:`MAX_VISIT_COLUMNS`, the rest counted), plus the
baseline form. The page's visits and their statuses are read with two queries keyed by the
page's patients and visits; the centre's counts per status are index counts on
``ix_form_statuses_centre_key_entity_status``, each stopped at
:data:`~clears.registry._patient_list.PATIENT_COUNT_LIMIT` like the list's total. Each row
counts the patient's unresolved (open or answered) data queries (``open_queries``), one
grouped count over the page's patients on ``ix_data_queries_patient_key_status``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._actor import Actor
from clears.registry._models import (
    ENTITY_TABLES,
    FORM_STATUSES,
    centres_table,
    data_columns,
    data_queries_table,
    form_statuses_table,
    patients_table,
)
from clears.registry._patient_list import (
    PATIENT_COUNT_LIMIT,
    PATIENT_PAGE_SIZE,
    PatientQuery,
    patient_list_page,
)
from clears.registry._required_fields import REQUIRED_FIELDS, missing_fields

__all__ = ["MAX_VISIT_COLUMNS", "GridCell", "GridRow", "StatusGrid", "status_grid"]

#: Visit columns shown; a patient's later visits are counted in ``more_visits``.
MAX_VISIT_COLUMNS: Final = 24

_v = ENTITY_TABLES["visits"]
_p = patients_table
_f = form_statuses_table
_q = data_queries_table


@dataclass(frozen=True, slots=True)
class GridCell:
    """One form: its table and id, the visit date (None for the baseline), its status
    (``not_set`` when none is stored) and how many required fields are blank."""

    table: str
    record_id: int
    date: dt.date | None
    status: str
    missing: int


@dataclass(frozen=True, slots=True)
class GridRow:
    """One patient: the baseline form, the visits in date order, the unresolved queries."""

    patient_id: str
    baseline: GridCell
    visits: tuple[GridCell, ...]
    more_visits: int
    open_queries: int = 0


@dataclass(frozen=True, slots=True)
class StatusGrid:
    """One page of the dashboard."""

    centre: str
    rows: tuple[GridRow, ...]
    columns: int
    page_counts: Mapping[str, int]
    centre_counts: Mapping[str, int]
    centre_counts_capped: frozenset[str]
    first: int
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None


def _counts(session: Session, centre_key: int) -> tuple[dict[str, int], frozenset[str]]:
    counts, capped = {}, set()
    for status in FORM_STATUSES:
        found = (
            sa.select(sa.literal(1))
            .select_from(_f)
            .where(_f.c.centre_key == centre_key, _f.c.entity == "visits", _f.c.status == status)
            .limit(PATIENT_COUNT_LIMIT + 1)
        )
        n = int(
            session.execute(sa.select(sa.func.count()).select_from(found.subquery())).scalar_one()
        )
        counts[status] = min(n, PATIENT_COUNT_LIMIT)
        if n > PATIENT_COUNT_LIMIT:
            capped.add(status)
    return counts, frozenset(capped)


def status_grid(
    session: Session,
    *,
    actor: Actor,
    centre: str,
    cursor: str | None = None,
    limit: int = PATIENT_PAGE_SIZE,
) -> StatusGrid:
    """One page of ``centre``'s record status dashboard.

    Raises
    ------
    InputError
        ``centre`` is not one of the actor's centres, or a bad cursor or limit (from the
        patient list, naming the parameter).
    """
    page = patient_list_page(
        session,
        actor=actor,
        query=PatientQuery(centre=centre, sort="id", limit=limit, cursor=cursor),
    )
    ids = [row.patient_id for row in page.rows]
    centre_key = int(
        session.execute(
            sa.select(centres_table.c.id).where(centres_table.c.code == centre)
        ).scalar_one()
    )
    keys: dict[int, str] = {}
    baseline: dict[int, dict[str, object]] = {}
    if ids:
        wanted = [_p.c[n] for n in REQUIRED_FIELDS["patients"]]
        for row in session.execute(
            sa.select(_p.c.id, _p.c.patient_id, *wanted).where(_p.c.patient_id.in_(ids))
        ):
            keys[int(row.id)] = str(row.patient_id)
            baseline[int(row.id)] = dict(row._mapping)
    visits: dict[int, list[sa.Row[tuple[object, ...]]]] = {k: [] for k in keys}
    if keys:
        names = [n for n in REQUIRED_FIELDS["visits"] if n in data_columns("visits")]
        query = (
            sa.select(_v.c.id, _v.c.patient_key, _v.c.visit_date, *(_v.c[n] for n in names))
            .where(_v.c.patient_key.in_(list(keys)))
            .order_by(_v.c.patient_key, _v.c.visit_date, _v.c.id)
        )
        for row in session.execute(query):
            visits[int(row.patient_key)].append(row)
    visit_ids = [int(r.id) for rows in visits.values() for r in rows[:MAX_VISIT_COLUMNS]]
    stored: dict[tuple[str, int], str] = {}
    for entity, record_ids in (("patients", list(keys)), ("visits", visit_ids)):
        if record_ids:
            query = sa.select(_f.c.record_id, _f.c.status).where(
                _f.c.entity == entity, _f.c.record_id.in_(record_ids)
            )
            stored |= {(entity, int(r.record_id)): str(r.status) for r in session.execute(query)}
    by_id = {pid: key for key, pid in keys.items()}
    unresolved = _unresolved_queries(session, list(keys))
    rows = []
    page_counts = dict.fromkeys(("not_set", *FORM_STATUSES), 0)
    for patient_id in ids:
        key = by_id[patient_id]
        base = GridCell(
            "patients",
            key,
            None,
            stored.get(("patients", key), "not_set"),
            len(missing_fields("patients", baseline[key])),
        )
        cells = tuple(
            GridCell(
                "visits",
                int(r.id),
                r.visit_date,
                stored.get(("visits", int(r.id)), "not_set"),
                len(missing_fields("visits", dict(r._mapping))),
            )
            for r in visits[key][:MAX_VISIT_COLUMNS]
        )
        for cell in cells:
            page_counts[cell.status] += 1
        more = max(0, len(visits[key]) - MAX_VISIT_COLUMNS)
        rows.append(GridRow(patient_id, base, cells, more, unresolved.get(key, 0)))
    counts, capped = _counts(session, centre_key)
    return StatusGrid(
        centre,
        tuple(rows),
        max((len(r.visits) for r in rows), default=0),
        page_counts,
        counts,
        capped,
        page.first,
        page.next_cursor,
        page.previous_cursor,
        page.total,
    )


def _unresolved_queries(session: Session, patient_keys: list[int]) -> dict[int, int]:
    """Open and answered data queries per patient of the page (the index on patient and
    status)."""
    if not patient_keys:
        return {}
    found = session.execute(
        sa.select(_q.c.patient_key, sa.func.count())
        .where(_q.c.patient_key.in_(patient_keys), _q.c.status.in_(("open", "answered")))
        .group_by(_q.c.patient_key)
    )
    return {int(key): int(n) for key, n in found}
