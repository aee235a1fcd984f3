"""Checks across cohort tables: unknown patients and overlapping dose periods.

Each treatment row is one constant-dose period of one drug (DESIGN.md, "Cohort tables v1");
a dose change starts a new row. Two periods of the same patient and drug overlap when one
starts before the other ends. A period may start on the day the previous one ends (the usual
way a dose change is recorded), and a blank ``end_date`` means the period is ongoing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clears._exceptions import Problem
from clears.cohort._coerce import display_value

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


def _describe(drug: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
    until = "ongoing" if pd.isna(end) else f"to {display_value(end)}"
    return f"{drug} period from {display_value(start)} {until}"


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
    ).dropna(subset=["patient_id", "drug", "start"])
    # A period whose end is before its start is reported elsewhere; leave it out here.
    periods = periods[~(periods["end"] < periods["start"])]
    problems = []
    for (_, drug), group in periods.groupby(["patient_id", "drug"], sort=False):
        if len(group) < 2:
            continue
        ordered = group.sort_values(["start", "end"], na_position="last")
        starts = ordered["start"].to_numpy()
        ends_ = ordered["end"].fillna(pd.Timestamp.max).to_numpy()
        rows = ordered["row"].to_numpy()
        for i in range(len(ordered)):
            others = np.arange(len(ordered)) != i
            same_start = starts == starts[i]
            crossing = (starts[i] < ends_) & (starts < ends_[i])
            hits = np.flatnonzero(others & (same_start | crossing))
            if hits.size == 0:
                continue
            j = int(hits[0])
            other = _describe(str(drug), ordered["start"].iloc[j], ordered["end"].iloc[j])
            problems.append(
                Problem(
                    "start_date",
                    display_value(ordered["start"].iloc[i]),
                    f"this {drug} period overlaps the {other}",
                    "one dose period per patient and drug at a time; a new period may "
                    "start on the day the previous one ends",
                    file,
                    int(rows[i]),
                )
            )
    return problems


def check_cross(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> list[Problem]:
    """Return every problem that involves more than one row or table."""
    return _unknown_patients(tables, files) + _overlapping_periods(
        tables["treatments"], files["treatments"]
    )
