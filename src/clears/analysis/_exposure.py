"""Exposure to the studied drug in patient-years, from the treatments table.

Exposure is the sum of the dose-period lengths ``end_date - start_date`` in days, divided by
365.25 (a Julian year): :func:`clears.outcomes._exposure.period_days`, the definition
:func:`clears.outcomes.derive` uses for ``exposure_patient_years``. Here the periods come
straight from the treatments table and an ongoing period runs to the data cut-off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.cohort._periods import days, overlapping_pairs
from clears.outcomes._exposure import DAYS_PER_YEAR, period_days

__all__ = ["DAYS_PER_YEAR", "exposure_by_patient", "exposure_years"]


def exposure_years(
    treatments: pd.DataFrame,
    *,
    drug: str = "lenalidomide",
    data_cutoff: pd.Timestamp | str | None = None,
) -> pd.Series:
    """Patient-years on ``drug`` per patient: the sum of ``end_date - start_date`` days / 365.25.

    An ongoing period (blank ``end_date``) runs to ``data_cutoff``; periods are cut at
    ``data_cutoff`` when given. Overlapping periods of the drug are refused (as
    :func:`clears.outcomes.derive` does).

    Raises
    ------
    InputError
        An ongoing period without ``data_cutoff``, an end before its start, or overlapping
        periods (the rule of :mod:`clears.cohort._periods`); each problem names the row
        (1-based).

    Examples
    --------
    >>> tr = pd.DataFrame({"patient_id": ["p1", "p1"], "drug": ["lenalidomide"] * 2,
    ...                    "start_date": pd.to_datetime(["2020-01-01", "2020-07-01"]),
    ...                    "end_date": pd.to_datetime(["2020-07-01", None])})
    >>> # 182 + 366 days to 2021-07-02 = 548 days / 365.25
    >>> round(float(exposure_years(tr, data_cutoff="2021-07-02")["p1"]), 4)
    1.5003
    """
    cutoff = None if data_cutoff is None else pd.Timestamp(data_cutoff)
    cols = ["patient_id", "drug", "start_date"]
    missing = [c for c in cols if c not in treatments.columns]
    if missing:
        raise InputError(
            [Problem(c, None, "column not found in treatments", ", ".join(cols)) for c in missing]
        )
    periods = treatments[treatments["drug"] == drug]
    start = pd.to_datetime(periods["start_date"])
    end = (
        pd.to_datetime(periods["end_date"])
        if "end_date" in periods
        else pd.Series(pd.NaT, index=periods.index)
    )
    problems = []
    rows = {index: i + 1 for i, index in enumerate(treatments.index)}
    for index in periods.index[end.isna().to_numpy()]:
        if cutoff is None:
            problems.append(
                Problem(
                    "end_date",
                    None,
                    "ongoing period needs data_cutoff",
                    "a date",
                    "treatments",
                    rows[index],
                )
            )
    end = end.fillna(cutoff) if cutoff is not None else end
    if cutoff is not None:
        end = end.where(end <= cutoff, cutoff)
        start = start.where(start <= cutoff, cutoff)
    for index in periods.index[(end < start).to_numpy()]:
        problems.append(
            Problem(
                "end_date",
                str(end[index].date()),
                "ends before its start",
                f"on or after {start[index].date()}",
                "treatments",
                rows[index],
            )
        )
    frame = pd.DataFrame({"pid": periods["patient_id"], "start": start, "end": end})
    frame = frame.sort_values(["pid", "start", "end"], na_position="last", kind="stable")
    # The overlap rule of the cohort check (clears.cohort._periods) on the periods as
    # counted (cut at the cut-off; those starting on or after it add nothing and are left
    # out). The frame is in order of (patient, start, end), so a pair with i > j is a period
    # that starts while an earlier one runs: that later period is the one reported.
    checked = frame if cutoff is None else frame[frame["start"] < cutoff]
    checked = checked[~(checked["end"] < checked["start"])]
    group, _ = pd.factorize(checked["pid"])
    first, other = overlapping_pairs(group, days(checked["start"]), days(checked["end"]))
    for i in first[first > other]:
        index = checked.index[i]
        problems.append(
            Problem(
                "start_date",
                str(checked.loc[index, "start"].date()),
                f"overlaps an earlier {drug} period of the same patient",
                "periods that do not overlap",
                "treatments",
                rows[index],
            )
        )
    if problems:
        raise InputError(problems)
    known = frame[frame["pid"].notna()]
    code, ids = pd.factorize(known["pid"], sort=True)
    total = period_days(code.astype(np.int64), days(known["start"]), days(known["end"]), len(ids))
    index = pd.Index(ids, name="pid")
    return pd.Series(total / DAYS_PER_YEAR, index=index, name="patient_years")


def exposure_by_patient(
    exposure: Mapping[str, float] | pd.Series | None,
    treatments: pd.DataFrame,
    drug: str,
    cutoff: pd.Timestamp | None,
    population: list[Any],
) -> pd.Series:
    if exposure is None:
        return exposure_years(treatments, drug=drug, data_cutoff=cutoff).reindex(population)
    given = pd.Series(exposure, dtype=float)
    absent = [p for p in population if p not in given.index or not math.isfinite(given[p])]
    negative = [p for p in population if p in given.index and given[p] < 0]
    if absent or negative:
        raise InputError(
            Problem(
                "exposure",
                absent or negative,
                "needs a non-negative number of patient-years for every patient on the drug",
                "patient_id -> patient-years >= 0",
            )
        )
    return given.reindex(population)
