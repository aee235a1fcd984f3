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


def _group_codes(periods: pd.DataFrame) -> np.ndarray:
    """One code per (patient, drug) pair, numbered in order of first appearance."""
    patient, _ = pd.factorize(periods["patient_id"])
    drug, drugs = pd.factorize(periods["drug"])
    pair = patient.astype(np.int64) * max(len(drugs), 1) + drug
    codes, _ = pd.factorize(pair)
    return codes


def _nanoseconds(values: pd.Series, missing: int) -> np.ndarray:
    """Dates as int64 nanoseconds, ``missing`` for NaT."""
    stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    numbers = stamps.astype(np.int64)
    return np.where(np.isnat(stamps), missing, numbers)


def _overlap_problem(periods: pd.DataFrame, i: int, j: int, file: str) -> Problem:
    drug = periods["drug"].iloc[i]
    other = _describe(str(drug), periods["start"].iloc[j], periods["end"].iloc[j])
    return Problem(
        "start_date",
        display_value(periods["start"].iloc[i]),
        f"this {drug} period overlaps the {other}",
        "one dose period per patient and drug at a time; a new period may "
        "start on the day the previous one ends",
        file,
        int(periods["row"].iloc[i]),
    )


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
    if len(periods) < 2:
        return []
    # One stable sort by (patient and drug, start, end; ongoing last), then each period is
    # compared with the periods before it in its group: it overlaps one of them when it starts
    # on the same day as the previous one or before the latest end so far.
    group = _group_codes(periods)
    start = _nanoseconds(periods["start"], 0)
    end = _nanoseconds(periods["end"], np.iinfo(np.int64).max)
    order = np.lexsort((end, start, group))
    g, s, e = group[order], start[order], end[order]
    latest = pd.Series(e).groupby(g).cummax().to_numpy()
    same_group = g[1:] == g[:-1]
    hit = same_group & ((s[1:] == s[:-1]) | (latest[:-1] > s[1:]))
    flagged = np.unique(g[1:][hit])
    if flagged.size == 0:
        return []
    # Messages only for the groups with an overlap, naming for each period involved the
    # first other period (in sorted order) it overlaps.
    bounds = np.searchsorted(g, flagged), np.searchsorted(g, flagged, side="right")
    problems = []
    for lo, hi in zip(*bounds, strict=True):
        starts, ends_, rows = s[lo:hi], e[lo:hi], order[lo:hi]
        for i in range(hi - lo):
            others = np.arange(hi - lo) != i
            crossing = (starts[i] < ends_) & (starts < ends_[i])
            hits = np.flatnonzero(others & ((starts == starts[i]) | crossing))
            if hits.size:
                problems.append(_overlap_problem(periods, int(rows[i]), int(rows[hits[0]]), file))
    return problems


def check_cross(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> list[Problem]:
    """Return every problem that involves more than one row or table."""
    return _unknown_patients(tables, files) + _overlapping_periods(
        tables["treatments"], files["treatments"]
    )
