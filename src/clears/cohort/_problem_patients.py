"""Name the patient of every problem found in a row of a per-patient cohort table.

A message such as "adverse_events, row 20" is hard to act on in a registry export of
thousands of rows; the patient id of that row goes with it (``Problem.patient``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pandas as pd

from clears._exceptions import Problem
from clears.cohort._coerce import is_blank

__all__ = ["name_patients"]


def name_patients(
    problems: Sequence[Problem], tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]
) -> list[Problem]:
    """``problems`` with ``patient`` set from the ``patient_id`` of the row each is about.

    ``tables`` are the tables the rows were counted in (row ``n`` is position ``n - 1``)
    and ``files`` the name each table is reported under. Problems of a whole table, of a
    row without a patient id, or that already name a patient are returned unchanged.

    Examples
    --------
    >>> events = pd.DataFrame({"patient_id": ["P01", "P02"]})
    >>> found = [Problem("grade", 4, "is too high", None, "adverse_events", 2)]
    >>> name_patients(found, {"adverse_events": events}, {"adverse_events": "adverse_events"})[
    ...     0
    ... ].patient
    'P02'
    """
    ids: dict[str, pd.Series] = {
        files.get(table, table): frame["patient_id"].reset_index(drop=True)
        for table, frame in tables.items()
        if isinstance(frame, pd.DataFrame) and "patient_id" in frame.columns
    }
    named = []
    for problem in problems:
        patient = _patient_at(ids.get(problem.file or ""), problem.row)
        if problem.patient is None and patient is not None:
            problem = dataclasses.replace(problem, patient=patient)
        named.append(problem)
    return named


def _patient_at(column: pd.Series | None, row: int | None) -> str | None:
    if column is None or row is None or not 1 <= row <= len(column):
        return None
    value = column.iloc[row - 1]
    return None if is_blank(value) else str(value)
