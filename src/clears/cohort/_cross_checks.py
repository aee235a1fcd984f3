"""Checks across cohort tables: unknown patients and overlapping dose periods.

The overlap rule (same patient and drug, same start day or each starting before the other
ends) is :mod:`clears.cohort._periods`, shared with the outcome time line and the exposure sums.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clears._exceptions import Problem
from clears.cohort._periods import find_overlaps

__all__ = ["check_cross"]


def _unknown_patients(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]
) -> list[Problem]:
    patients = tables["patients"]
    if "patient_id" not in patients.columns:
        return []
    known = set(patients["patient_id"].dropna())
    allowed = f"a patient_id listed in {files['patients']}"
    problems = []
    for table, frame in tables.items():
        if table == "patients" or "patient_id" not in frame.columns:
            continue
        ids = frame["patient_id"]
        unknown = ids.notna() & ~ids.isin(known)
        problems += [
            Problem(
                "patient_id", ids.iloc[i], "is not in patients", allowed, files[table], int(i) + 1
            )
            for i in np.flatnonzero(unknown.to_numpy())
        ]
    return problems


def _overlapping_periods(treatments: pd.DataFrame, file: str) -> list[Problem]:
    needed = {"patient_id", "drug", "start_date"}
    if not needed <= set(treatments.columns) or treatments.empty:
        return []
    ends = treatments["end_date"] if "end_date" in treatments.columns else None
    periods = pd.DataFrame(
        {
            "patient_id": treatments["patient_id"].astype(object),
            "drug": treatments["drug"].astype(object),
            "start": treatments["start_date"],
            "end": pd.NaT if ends is None else ends,
            "row": np.arange(1, len(treatments) + 1),
        }
    )
    return find_overlaps(periods, file)


def check_cross(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> list[Problem]:
    """Return every problem that involves more than one row or table."""
    return _unknown_patients(tables, files) + _overlapping_periods(
        tables["treatments"], files["treatments"]
    )
