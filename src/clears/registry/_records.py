"""The generic service core: validate, scope, version and audit one record of any entity.

Values are checked exactly as a cohort file would be (:mod:`clears.cohort` parsers, the
instrument definitions for item columns, the per-table checks such as end before start and
the dose ceilings, and the CLASI totals against complete items), so a record written through
the services is always a valid cohort row. Every read and write is scoped by the acting
user's centres; a patient outside them is "not found".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.cohort import REQUIRED_COLUMNS
from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item, derive_totals, instrument_modules
from clears.cohort._schema import schema_of
from clears.cohort._table_checks import check_table, dose_without_unit
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._models import (
    ENTITY_TABLES,
    AdverseEvent,
    Base,
    Centre,
    ConcomitantMedication,
    Flare,
    Patient,
    Treatment,
    Visit,
    data_columns,
    item_fields,
)

__all__ = [
    "CLASSES",
    "Record",
    "add",
    "delete",
    "get",
    "patient_in_scope",
    "python",
    "to_record",
    "update",
]

#: Mapped class of each cohort table.
CLASSES: Mapping[str, type[Base]] = {
    "patients": Patient,
    "treatments": Treatment,
    "visits": Visit,
    "adverse_events": AdverseEvent,
    "flares": Flare,
    "concomitant_medications": ConcomitantMedication,
}


@dataclass(frozen=True, slots=True)
class Record:
    """A record as read back: entity, database id, patient, version and values."""

    entity: str
    id: int
    patient_id: str
    version: int
    data: Mapping[str, Any]


def python(value: object) -> Any:
    """A pandas/numpy cell as a plain Python value (``None`` for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        return python(value.item())
    return value


def validate(table: str, values: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Check one record's values as a one-row cohort table; return them typed.

    Raises
    ------
    InputError
        Every problem: unknown fields, bad values (with the allowed ones), missing required
        values, and the per-table checks.
    """
    known = schema_of(table)
    items = {f.column: f for f in item_fields()} if table == "visits" else {}
    allowed_names = (
        set(data_columns(table))
        | set(REQUIRED_COLUMNS[table])
        | ({"locked"} if table == "visits" else set())
    )
    problems = [
        Problem(name, None, "unknown field", ", ".join(sorted(allowed_names)), table)
        for name in values
        if name not in allowed_names
    ]
    typed: dict[str, pd.Series] = {}
    for name in [*REQUIRED_COLUMNS[table], *values]:
        if name in typed or name == "locked" or (name not in known and name not in items):
            continue
        series = pd.Series([values.get(name)], dtype=object)
        if name in known:
            typed[name], found = coerce_column(
                series, known[name], required=name in REQUIRED_COLUMNS[table], file=table
            )
        else:
            typed[name], found = coerce_item(series, items[name], file=table)
        problems += [Problem(p.field, p.value, p.message, p.allowed, table) for p in found]
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(typed, index=pd.RangeIndex(1))
    found = check_table(table, frame, today=today, file=table)
    if table == "concomitant_medications":
        given = pd.DataFrame({"dose_unit": [values.get("dose_unit")]}, dtype=object)
        found += dose_without_unit(frame, given, table)
    if table == "visits":
        frame, totals = derive_totals(frame, instrument_modules(), file=table)
        found += totals
    if found:
        raise InputError([Problem(p.field, p.value, p.message, p.allowed, table) for p in found])
    result = {
        name: python(frame[name].iloc[0])
        for name in frame.columns
        if name not in ("patient_id", "centre")
    }
    if "locked" in values:
        result["locked"] = bool(values["locked"])
    return result


def patient_in_scope(session: Session, *, actor: Actor, patient_id: str) -> Patient:
    """The patient, if the actor's centres include theirs; else :class:`NotFoundError`."""
    row = session.execute(
        sa.select(Patient, Centre.code)
        .join(Centre, Patient.centre_key == Centre.id)
        .where(Patient.patient_id == patient_id)
    ).first()
    if row is None or not actor.can_see(row[1]):
        raise NotFoundError(f"no patient {patient_id!r} in your centres")
    patient: Patient = row[0]
    return patient


def _values(table: str, obj: Base) -> dict[str, Any]:
    names = list(data_columns(table)) + (["locked"] if table == "visits" else [])
    values = {name: getattr(obj, name) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def to_record(table: str, obj: Base, patient_id: str) -> Record:
    return Record(
        table,
        int(cast(Any, obj).id),
        patient_id,
        int(cast(Any, obj).version),
        _values(table, obj),
    )


def _load(session: Session, *, actor: Actor, table: str, record_id: int) -> tuple[Base, str, str]:
    cls = CLASSES[table]
    if table == "patients":
        query = (
            sa.select(cls, Patient.patient_id, Centre.code)
            .join(Centre, Patient.centre_key == Centre.id)
            .where(Patient.id == record_id)
        )
    else:
        key = ENTITY_TABLES[table].c.patient_key
        query = (
            sa.select(cls, Patient.patient_id, Centre.code)
            .join(Patient, key == Patient.id)
            .join(Centre, Patient.centre_key == Centre.id)
            .where(ENTITY_TABLES[table].c.id == record_id)
        )
    row = session.execute(query).first()
    if row is None or not actor.can_see(row[2]):
        raise NotFoundError(f"no {table} record {record_id} in your centres")
    return row[0], row[1], row[2]


def get(session: Session, *, actor: Actor, table: str, record_id: int) -> Record:
    """One record by id, within the actor's centres."""
    obj, patient_id, _ = _load(session, actor=actor, table=table, record_id=record_id)
    return to_record(table, obj, patient_id)


def add(
    session: Session,
    *,
    actor: Actor,
    table: str,
    patient_id: str,
    values: Mapping[str, Any],
    today: dt.date | None = None,
) -> Record:
    """Add one treatment, visit, adverse event or flare to a patient in the actor's centres."""
    if table == "patients" or table not in CLASSES:
        raise ValueError(f"add() takes a per-patient table, not {table!r}")
    # Validate before the first statement: on SQLite that statement takes the write lock
    # (BEGIN IMMEDIATE), so other writers wait only for the SQL, not for the validation.
    # An unknown patient is still reported before invalid values.
    typed: dict[str, Any] = {}
    invalid: InputError | None = None
    try:
        typed = validate(
            table, {**values, "patient_id": patient_id}, today=today or dt.date.today()
        )
    except InputError as exc:
        invalid = exc
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    if invalid is not None:
        raise invalid
    obj = CLASSES[table](patient_key=patient.id, **typed)
    session.add(obj)
    session.flush()
    record = to_record(table, obj, patient_id)
    audit.append(
        session,
        actor=actor,
        changes=[audit.Change("insert", table, record.id, patient_id, None, record.data)],
    )
    return record


def _stale(table: str, record: Record, version: int, changes: Mapping[str, Any]) -> ConflictError:
    lines = [
        f"{table} record {record.id} was changed by someone else since you read it "
        f"(your version {version}, current version {record.version}); nothing was overwritten."
    ]
    for name, yours in changes.items():
        lines.append(f"  {name}: yours {yours!r}, current {record.data.get(name)!r}")
    return ConflictError("\n".join(lines))


def _needs_reason(table: str, before: Mapping[str, Any], today: dt.date) -> bool:
    """Changes to a locked visit, or to a visit dated before today, need a reason."""
    if table != "visits":
        return False
    visit_date = before.get("visit_date")
    return bool(before.get("locked")) or (visit_date is not None and visit_date < today)


def _reason_problem(
    table: str, reason: str | None, before: Mapping[str, Any], today: dt.date
) -> None:
    if _needs_reason(table, before, today) and not (reason and reason.strip()):
        raise InputError(
            Problem(
                "reason",
                reason,
                "is required to change a locked or past visit",
                "a non-blank reason",
                table,
            )
        )


def update(
    session: Session,
    *,
    actor: Actor,
    table: str,
    record_id: int,
    version: int,
    changes: Mapping[str, Any],
    reason: str | None = None,
    today: dt.date | None = None,
) -> Record:
    """Change some values of a record read at ``version``; refuse if it changed since.

    Raises
    ------
    ConflictError
        The stored version is not ``version``; the message shows your value and the current
        one for every field you changed; nothing is written.
    InputError
        Invalid values, or a missing reason for a locked or past visit.
    """
    today = today or dt.date.today()
    obj, patient_id, centre = _load(session, actor=actor, table=table, record_id=record_id)
    current = to_record(table, obj, patient_id)
    if current.version != version:
        raise _stale(table, current, version, changes)
    if "patient_id" in changes or "centre" in changes:
        raise InputError(
            Problem(
                next(iter(set(changes) & {"patient_id", "centre"})),
                None,
                "cannot be changed",
                "the other fields",
                table,
            )
        )
    _reason_problem(table, reason, current.data, today)
    merged = {**current.data, **changes}
    merged = {name: value for name, value in merged.items() if value is not None}
    merged |= {"patient_id": patient_id} | ({"centre": centre} if table == "patients" else {})
    typed = validate(table, merged, today=today)
    for name in set(current.data) | set(typed):
        setattr(obj, name, typed.get(name))
    try:
        session.flush()
    except StaleDataError as exc:  # changed by another transaction between read and write
        raise ConflictError(
            f"{table} record {record_id} was changed by someone else while saving; "
            "nothing was overwritten"
        ) from exc
    after = to_record(table, obj, patient_id)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change("update", table, after.id, patient_id, current.data, after.data, reason)
        ],
    )
    return after


def delete(
    session: Session,
    *,
    actor: Actor,
    table: str,
    record_id: int,
    version: int,
    reason: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Delete a record read at ``version`` (same conflict and reason rules as :func:`update`)."""
    today = today or dt.date.today()
    obj, patient_id, _ = _load(session, actor=actor, table=table, record_id=record_id)
    current = to_record(table, obj, patient_id)
    if current.version != version:
        raise _stale(table, current, version, {})
    _reason_problem(table, reason, current.data, today)
    session.delete(obj)
    session.flush()
    audit.append(
        session,
        actor=actor,
        changes=[audit.Change("delete", table, current.id, patient_id, current.data, None, reason)],
    )
