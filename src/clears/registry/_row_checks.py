"""Check one record against the patient's other records, with the cohort's own checks.

A record is saved only if the patient's records, with it added (or changed), pass
:func:`clears.cohort.validate` as far as that record is concerned: the same column parsers,
per-table checks (duplicates, end before start, future dates, dose ceilings, CTCAE grades
per term), instrument totals and cross-table checks (overlapping dose periods) that
``clears cohort validate`` runs on an export. Nothing is checked twice in two ways: the
problems are the cohort's, located at the record (its table, its id or "new record", its
patient). Problems of other, older records are not the new record's and do not block it.

A new record identical to a stored one is the cohort's duplicate-row rule
(:func:`clears.cohort._table_checks.duplicate_groups`); it is a conflict, not bad input, and
the problem names the stored record.

Rows that cannot change the verdict on the record are left out of the check, so that a save
costs about the same for a patient with one visit or with hundreds: the tables other than
the record's own and ``treatments``; in the record's own table (except ``treatments``, kept
whole for the overlap check) the rows that differ from it in a required column; and
optional columns blank in every row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, echoed
from clears.cohort import REQUIRED_COLUMNS, TABLES, Cohort, validate
from clears.cohort._coerce import display_value
from clears.cohort._table_checks import duplicate_groups
from clears.registry._merge import same, shown
from clears.registry._models import ENTITY_TABLES, Patient, data_columns
from clears.registry._patient_ids import REGISTERED_ID

__all__ = ["check_in_context", "lock_patient", "record_label"]

_DUPLICATE = "(whole row)"

#: The patient's rows are checked under a stand-in id: the patient row exists, and its id
#: is not the record's to check (problems name the real id).
_STAND_IN = REGISTERED_ID


def record_label(table: str, values: Mapping[str, Any], record_id: int | None) -> str:
    """How a problem names the record: ``record 12``, or for a new one its key (the
    required columns).

    Examples
    --------
    >>> record_label("flares", {"flare_date": "2024-02-01", "severity": "mild"}, None)
    'new record (flare_date 2024-02-01, severity mild)'
    >>> record_label("flares", {}, 12)
    'record 12'
    """
    if record_id is not None:
        return f"record {record_id}"
    key = [
        f"{name} {echoed(shown(values.get(name))) or '(blank)'}"
        for name in REQUIRED_COLUMNS[table]
        if name != "patient_id"
    ]
    return f"new record ({', '.join(key)})"


def lock_patient(session: Session, patient_key: int) -> None:
    """Serialise the writers of one patient until the end of the transaction.

    ``SELECT ... FOR UPDATE`` of the patient row on PostgreSQL (a second writer of the same
    patient waits, then reads what the first committed); SQLite transactions already hold
    the database's write lock.
    """
    session.execute(sa.select(Patient.id).where(Patient.id == patient_key).with_for_update())


def _stored(session: Session, table: str, patient_key: int) -> tuple[list[int], pd.DataFrame]:
    source = ENTITY_TABLES[table]
    names = [n for n in data_columns(table) if n in source.c]
    rows = session.execute(
        sa.select(source.c.id, *(source.c[n] for n in names))
        .where(source.c.patient_key == patient_key)
        .order_by(source.c.id)
    ).all()
    frame = pd.DataFrame([list(row[1:]) for row in rows], columns=names, dtype=object)
    return [int(row[0]) for row in rows], frame


def _relevant(
    table: str,
    frame: pd.DataFrame,
    keys: list[int],
    values: Mapping[str, Any],
    record_id: int | None,
) -> list[int]:
    """Positions of the stored rows the record is checked with.

    Every other dose period, for the overlap check; in the other tables only rows equal to
    the record in every required column, since the checks across rows of those tables
    (the duplicate rule) need at least that. The record being changed is left out.
    """
    required = [n for n in REQUIRED_COLUMNS[table] if n in frame.columns]
    positions = []
    for i, key in enumerate(keys):
        if key == record_id:
            continue
        if table == "treatments" or all(same(frame[n].iloc[i], values.get(n)) for n in required):
            positions.append(i)
    return positions


def _without_blank_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Leave out optional columns blank in every row (blank equals blank for every check,
    and a cohort may omit them)."""
    return frame.loc[:, frame.notna().any(axis=0).to_numpy()]


def _key_text(values: Mapping[str, Any]) -> str:
    shown = [f"{name} {echoed(display_value(v))}" for name, v in values.items() if v is not None]
    return ", ".join(shown[:6]) + (", ..." if len(shown) > 6 else "")


def check_in_context(
    session: Session,
    *,
    table: str,
    patient: Patient,
    centre: str,
    values: Mapping[str, Any],
    record_id: int | None = None,
    today: dt.date,
) -> None:
    """Refuse ``values`` (typed, as :func:`clears.registry._records.validate` returns them)
    unless the patient's records with them pass the cohort checks.

    ``record_id`` is the record being changed (left out of the stored rows), ``None`` for a
    new one.

    Raises
    ------
    ConflictError
        The record would be an exact copy of a stored record (named in the message and in
        ``problems``).
    InputError
        Any other problem of the record, as ``clears cohort validate`` words it.
    """
    tables: dict[str, pd.DataFrame] = {
        name: pd.DataFrame(columns=["patient_id", *REQUIRED_COLUMNS[name][1:]])
        for name in TABLES[1:]
    }
    ids: list[int] = []
    for name in dict.fromkeys([table, "treatments"]):
        keys, frame = _stored(session, name, patient.id)
        if name == table:
            keep = _relevant(table, frame, keys, values, record_id)
            frame = frame.iloc[keep].reset_index(drop=True)
            ids = [keys[i] for i in keep]
            row = {n: values.get(n) for n in frame.columns}
            frame = pd.concat([frame, pd.DataFrame([row], dtype=object)], ignore_index=True)
        tables[name] = _without_blank_columns(frame).assign(patient_id=_STAND_IN)
    own = {n: getattr(patient, n) for n in data_columns("patients")}
    tables["patients"] = _without_blank_columns(
        pd.DataFrame([{"patient_id": _STAND_IN, "centre": centre, **own}], dtype=object)
    )
    position = len(ids) + 1
    record = record_label(table, values, record_id)
    cohort = Cohort(
        patients=tables["patients"],
        treatments=tables["treatments"],
        visits=tables["visits"],
        adverse_events=tables["adverse_events"],
        flares=tables["flares"],
        concomitant_medications=tables["concomitant_medications"],
    )
    found = [
        dataclasses.replace(p, row=None, record=record, patient=patient.patient_id)
        for p in validate(cohort, today=today)
        if p.file == table and p.row == position
    ]
    copies = [p for p in found if p.field == _DUPLICATE]
    if copies:
        candidate = tables[table].drop(columns="patient_id")
        others = duplicate_groups(candidate).get(position - 1, ())
        names = ", ".join(f"{table} record {ids[i]}" for i in others if i < len(ids))
        problem = dataclasses.replace(
            copies[0],
            value=_key_text({n: values.get(n) for n in candidate.columns}),
            message=f"is a copy of {names}, already stored for patient {patient.patient_id}",
            allowed="each record once (change the stored record instead)",
        )
        raise ConflictError(
            f"{table}: patient {patient.patient_id} already has this record ({names}); "
            "nothing was saved",
            problems=[problem],
        )
    if found:
        raise InputError(found)
