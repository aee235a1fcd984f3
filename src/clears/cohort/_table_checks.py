"""Checks of one typed cohort table on its own: duplicates, date order, future dates, doses,
and adverse-event grades that do not exist for their CTCAE v5.0 term.

Every check reports each offending row, so the result does not depend on the order of the
rows (a duplicate is reported on every copy, not only on the "second" one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.cohort._coerce import display_value, is_blank
from clears.cohort._ids import id_key
from clears.cohort._model import DATE_COLUMNS
from clears.cohort._schema import DOSE_MAXIMUM
from clears.instruments.ctcae import VERSION, find_term

__all__ = ["check_table", "dose_without_unit", "duplicate_groups"]

#: Pairs of (start, end) date columns: the end may not come before the start.
_INTERVALS = {
    "treatments": ("start_date", "end_date"),
    "adverse_events": ("onset_date", "end_date"),
    "concomitant_medications": ("start_date", "end_date"),
}


def _rows(mask: pd.Series | np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def _row_hashes(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """One 64-bit hash per row, combined column by column.

    Equal rows get equal hashes (``-0.0`` and ``0.0``, and every NaN, hash alike); unequal
    rows may collide, which the exact comparison after it sorts out. Only arrays of one
    value per row are held, never a copy of the table (``DataFrame.duplicated`` factorises
    every column at once: 8 bytes a cell, benchmarks/bench_validate.py).
    """
    combined: np.ndarray[Any, np.dtype[np.uint64]] = np.zeros(len(frame), dtype=np.uint64)
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if pd.api.types.is_float_dtype(column.dtype):
            column = (column + 0.0).where(column.notna(), np.nan)
        hashed = pd.util.hash_pandas_object(column, index=False).to_numpy(dtype=np.uint64)
        combined = np.bitwise_xor(np.multiply(combined, np.uint64(1_000_003)), hashed)
    return combined


def duplicate_groups(frame: pd.DataFrame) -> dict[int, tuple[int, ...]]:
    """The rule for identical rows: each duplicated row (0-based) and its copies.

    Two rows are duplicates when every cell is equal; blank cells compare equal to each
    other and to nothing else. Rows without a copy are left out.

    Examples
    --------
    >>> duplicate_groups(pd.DataFrame({"a": [1, 2, 1], "b": [None, None, None]}))
    {0: (2,), 2: (0,)}
    """
    if frame.empty or frame.shape[1] == 0:
        return {}
    # A hash per row finds the candidate rows without a Python tuple per row (blanks hash
    # alike, as below); the exact keys are then built only for those few rows.
    candidates = np.flatnonzero(pd.Series(_row_hashes(frame)).duplicated(keep=False).to_numpy())
    if candidates.size == 0:
        return {}
    missing = object()
    keys = {
        int(i): tuple(missing if is_blank(v) and not isinstance(v, str) else v for v in row)
        for i, row in zip(
            candidates,
            frame.iloc[candidates].itertuples(index=False, name=None),
            strict=True,
        )
    }
    rows_of: dict[tuple[object, ...], list[int]] = {}
    for i, key in keys.items():
        rows_of.setdefault(key, []).append(i)
    return {
        i: tuple(j for j in rows_of[key] if j != i)
        for i, key in keys.items()
        if len(rows_of[key]) > 1
    }


def _duplicate_rows(frame: pd.DataFrame, file: str) -> list[Problem]:
    return [
        Problem(
            "(whole row)",
            None,
            f"is a duplicate: {len(others) + 1} identical rows in this table",
            "each row once",
            file,
            i + 1,
        )
        for i, others in duplicate_groups(frame).items()
    ]


def _term_grades(term: object) -> tuple[str, tuple[int, ...]] | None:
    """The CTCAE term text and its grades, or ``None`` for a term CTCAE does not list."""
    if not isinstance(term, str):
        return None
    try:
        found = find_term(term)
    except InputError:
        return None  # a MedDRA term outside the CTCAE list: graded by the generic scale
    return found.term, found.available


def _grades_per_term(events: pd.DataFrame, file: str) -> list[Problem]:
    """A grade that CTCAE v5.0 writes as "–" for the event's term (fatigue stops at 3)."""
    if not {"term", "grade"} <= set(events.columns) or events.empty:
        return []
    terms = events["term"].astype(object)
    known = {term: _term_grades(term) for term in pd.unique(terms.dropna())}
    grades = pd.to_numeric(events["grade"], errors="coerce")
    graded = grades.isin(range(1, 6)).to_numpy(dtype=bool)  # others: refused by the range
    problems = []
    for i in _rows(graded & terms.notna().to_numpy()):
        found = known.get(terms.iloc[i])
        if found is None or int(grades.iloc[i]) in found[1]:
            continue
        problems.append(
            Problem(
                "grade",
                display_value(events["grade"].iloc[i]),
                f"grade {int(grades.iloc[i])} does not exist for {found[0]} in {VERSION}",
                ", ".join(str(g) for g in found[1]),
                file,
                i + 1,
            )
        )
    return problems


_ONCE = "each patient_id once (ids that differ only by letter case are one patient)"


def _duplicate_patients(patients: pd.DataFrame, file: str) -> list[Problem]:
    if "patient_id" not in patients.columns:
        return []
    # Ids that differ only by letter case name one patient (``_ids.id_key``).
    ids = patients["patient_id"]
    keys = ids.map(lambda value: id_key(str(value)), na_action="ignore")
    counts = keys.map(keys.value_counts(dropna=True))
    return [
        Problem(
            "patient_id",
            ids.iloc[i],
            f"appears in {int(counts.iloc[i])} rows",
            _ONCE,
            file,
            i + 1,
        )
        for i in _rows(keys.notna() & keys.duplicated(keep=False))
    ]


def _end_before_start(table: str, frame: pd.DataFrame, file: str) -> list[Problem]:
    start, end = _INTERVALS.get(table, ("", ""))
    if start not in frame.columns or end not in frame.columns:
        return []
    backwards = frame[end] < frame[start]
    return [
        Problem(
            end,
            display_value(frame[end].iloc[i]),
            f"is before {start} {display_value(frame[start].iloc[i])}",
            f"a date on or after {start}, or blank",
            file,
            i + 1,
        )
        for i in _rows(backwards)
    ]


def _future_dates(table: str, frame: pd.DataFrame, today: dt.date, file: str) -> list[Problem]:
    limit = pd.Timestamp(today)
    problems = []
    for column in DATE_COLUMNS[table]:
        if column not in frame.columns:
            continue
        values = frame[column]
        problems += [
            Problem(
                column,
                display_value(values.iloc[i]),
                f"is in the future (today is {today.isoformat()})",
                f"a date up to {today.isoformat()}",
                file,
                i + 1,
            )
            for i in _rows(values > limit)
        ]
    if table == "patients" and "birth_year" in frame.columns:
        years = frame["birth_year"]
        problems += [
            Problem(
                "birth_year",
                display_value(years.iloc[i]),
                f"is in the future (today is {today.isoformat()})",
                f"a year up to {today.year}",
                file,
                i + 1,
            )
            for i in _rows((years > today.year).fillna(False))
        ]
    return problems


def _implausible_doses(treatments: pd.DataFrame, file: str) -> list[Problem]:
    if not {"drug", "dose_mg_per_day"} <= set(treatments.columns):
        return []
    maximum = treatments["drug"].map(DOSE_MAXIMUM).astype("float64")
    dose = treatments["dose_mg_per_day"].astype("float64")
    return [
        Problem(
            "dose_mg_per_day",
            display_value(dose.iloc[i]),
            f"is above the plausible maximum for {treatments['drug'].iloc[i]}",
            f"0 to {maximum.iloc[i]:g} mg/day for {treatments['drug'].iloc[i]}",
            file,
            i + 1,
        )
        for i in _rows(dose > maximum)
    ]


def dose_without_unit(medications: pd.DataFrame, raw: pd.DataFrame, file: str) -> list[Problem]:
    """A medication dose means nothing without its unit (mg/day, mg/week, IU/day...).

    ``medications`` is the typed table and ``raw`` the table as given (same rows): a unit
    that was given but refused is reported by its parser, not again here.
    """
    if "dose" not in medications.columns or medications.empty:
        return []
    given = raw["dose_unit"].reset_index(drop=True) if "dose_unit" in raw.columns else None
    blank = pd.Series(True, index=medications.index) if given is None else given.map(is_blank)
    unitless = medications["dose"].notna() & blank.astype(bool)
    return [
        Problem(
            "dose_unit",
            None,
            f"is blank while dose is {display_value(medications['dose'].iloc[i])}",
            "the unit of the dose (see clears.cohort.DOSE_UNITS), or a blank dose",
            file,
            i + 1,
        )
        for i in _rows(unitless)
    ]


def check_table(table: str, frame: pd.DataFrame, *, today: dt.date, file: str) -> list[Problem]:
    """Return every problem of one typed table that needs no other table."""
    problems = _duplicate_rows(frame, file)
    problems += _end_before_start(table, frame, file)
    problems += _future_dates(table, frame, today, file)
    if table == "patients":
        problems += _duplicate_patients(frame, file)
    if table == "treatments":
        problems += _implausible_doses(frame, file)
    if table == "adverse_events":
        problems += _grades_per_term(frame, file)
    return problems
