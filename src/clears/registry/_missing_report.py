"""The missing-data report: required fields left blank, per patient and per centre.

What is required is :data:`~clears.registry._required_fields.REQUIRED_FIELDS`. Per patient,
every record of the patient is read (one patient's records) and each blank required field
named. Per centre, the database counts: one aggregate query per table, grouped by centre,
over the centre's patients (``ix_patients_centre_id_key``) and their records (the
``patient_key`` index of each table); no record is brought into Python, so the answer is a
fixed number of rows (tables × required fields × centres) whatever the registry's size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import InputError, Problem
from clears.registry._actor import Actor
from clears.registry._models import ENTITY_TABLES, centres_table, patients_table
from clears.registry._required_fields import REQUIRED_FIELDS, missing_fields
from clears.registry.patients import timeline

__all__ = ["CentreMissing", "RecordMissing", "centre_missing", "patient_missing"]

_p = patients_table
_c = centres_table


@dataclass(frozen=True, slots=True)
class RecordMissing:
    """One record of a patient with required fields blank."""

    table: str
    record_id: int
    date: dt.date | None
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CentreMissing:
    """For one centre, table and required field: the records where it is blank, of all the
    centre's records of that table."""

    centre: str
    table: str
    field: str
    missing: int
    records: int


def _date_of(data: Mapping[str, object]) -> dt.date | None:
    """The record's first date (visit, start, onset, flare date)."""
    value = next((v for k, v in data.items() if k.endswith("_date")), None)
    return value if isinstance(value, dt.date) else None


def patient_missing(session: Session, *, actor: Actor, patient_id: str) -> list[RecordMissing]:
    """Each record of the patient with a required field blank, in table and date order.

    Raises
    ------
    NotFoundError
        The patient is unknown or of another centre.
    """
    found = []
    for table, records in timeline(session, actor=actor, patient_id=patient_id).items():
        for record in records:
            missing = missing_fields(table, record.data)
            if missing:
                found.append(
                    RecordMissing(
                        table,
                        record.id,
                        None if table == "patients" else _date_of(record.data),
                        missing,
                    )
                )
    return found


def _centres(session: Session, actor: Actor, centre: str | None) -> list[tuple[int, str]]:
    rows = [(int(k), str(c)) for k, c in session.execute(sa.select(_c.c.id, _c.c.code))]
    visible = sorted((r for r in rows if actor.can_see(r[1])), key=lambda r: r[1])
    if centre is None:
        return visible
    chosen = [r for r in visible if r[1] == centre]
    if not chosen:
        raise InputError(
            Problem(
                "centre", centre, "is not one of your centres", ", ".join(c for _, c in visible)
            )
        )
    return chosen


def centre_missing(
    session: Session, *, actor: Actor, centre: str | None = None
) -> list[CentreMissing]:
    """Blank required fields counted per centre (one of the actor's, or all of them), table
    and field, in centre and table order; fields blank nowhere are included (missing 0).

    Raises
    ------
    InputError
        ``centre`` is not one of the actor's centres.
    """
    centres = _centres(session, actor, centre)
    if not centres:
        return []
    codes = dict(centres)
    result: list[CentreMissing] = []
    for table, fields in REQUIRED_FIELDS.items():
        source = ENTITY_TABLES[table]
        query = sa.select(
            _p.c.centre_key, sa.func.count().label("records"), *_sums(source, table)
        ).select_from(source)
        if table != "patients":
            query = query.join(_p, source.c.patient_key == _p.c.id)
        query = query.where(_p.c.centre_key.in_(list(codes))).group_by(_p.c.centre_key)
        counted = {int(r.centre_key): r._mapping for r in session.execute(query)}
        for key, code in centres:
            row = counted.get(key)
            for name in fields:
                missing = 0 if row is None else int(row[f"m_{name}"])
                records = 0 if row is None else int(row["records"])
                result.append(CentreMissing(code, table, name, missing, records))
    return sorted(result, key=lambda r: (r.centre, list(REQUIRED_FIELDS).index(r.table)))


def _sums(source: sa.Table, table: str) -> list[sa.ColumnElement[int]]:
    return [
        sa.func.coalesce(sa.func.sum(sa.case((source.c[name].is_(None), 1), else_=0)), 0).label(
            f"m_{name}"
        )
        for name in REQUIRED_FIELDS[table]
    ]
