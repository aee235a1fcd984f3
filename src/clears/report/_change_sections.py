"""Sections comparing a measure at baseline with a later time: ``score_change``.

Cortés-Hernández 2012 (doi:10.1186/ar4111) reports "CLASI activity decreased from 11 ± 5.9
to 4.13 ± 3.66, P = 0.0009" at 2 weeks, "3.08 ± 3.15 vs. 2.39 ± 2.96, P = 0.398" for
CLASI-D after one year, and anti-dsDNA, C3 and C4 "at baseline and after completing the
course of treatment". Its Methods name "the t test and Mann-Whitney test" without saying
whether the t test was paired; the printed P for week 2 is reproduced by an unpaired
(Welch) test on all patients with a value at each time (docs/reference/published-figures.md,
C1), so a plan names each test it wants and every one is printed with its method.

The baseline and the later value are each patient's visit nearest the nominal week (0 and
``at``) within the window, as the CLASI-over-time table places them
(:func:`clears.plots.assign_timepoints`), or for ``at = "end"`` the patient's last visit
with a value after the index date.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any, Final

import numpy as np
import pandas as pd

from clears._exceptions import InputError
from clears.analysis import ComparisonResult
from clears.cohort import Cohort
from clears.report._model import ReportTable, Section
from clears.report._sections import Log, first_preset

__all__ = ["CHANGE_TESTS", "MEASURES", "paired_values", "score_change_section"]

#: The visit columns a ``score_change`` section may compare, with their printed names.
MEASURES: Final[Mapping[str, str]] = {
    "clasi_a": "CLASI-A",
    "clasi_d": "CLASI-D",
    "sledai": "SLEDAI-2K",
    "anti_dsdna": "Anti-dsDNA (IU/mL)",
    "c3": "C3 (g/L)",
    "c4": "C4 (g/L)",
}
#: The tests a ``score_change`` section may run: a paired t test on the patients with both
#: values, and the unpaired readings (Welch's t, Mann–Whitney U) on every value at each time.
CHANGE_TESTS: Final = ("paired_t", "welch", "mann_whitney")
_TEST_LABELS: Final = {"paired_t": "Paired t", "welch": "Welch t", "mann_whitney": "Mann–Whitney U"}
#: The default window around a nominal week, in weeks (as the CLASI-over-time table).
WINDOW_WEEKS: Final = 2.0


def paired_values(
    visits: pd.DataFrame,
    index: pd.DataFrame,
    measure: str,
    at: float | str,
    *,
    window_weeks: float = WINDOW_WEEKS,
) -> pd.DataFrame:
    """Each patient's ``measure`` at baseline and at ``at`` (weeks, or ``"end"``).

    Returns
    -------
    pandas.DataFrame
        ``patient_id``, ``baseline``, ``later`` (NaN where the patient has no such visit),
        one row per patient of ``index``.

    Examples
    --------
    >>> v = pd.DataFrame({"patient_id": ["a", "a", "a"], "visit_date": pd.to_datetime(
    ...     ["2020-01-01", "2020-01-15", "2020-06-01"]), "c3": [1.0, 0.5, 0.9]})
    >>> idx = pd.DataFrame({"patient_id": ["a"], "index_date": pd.to_datetime(["2020-01-01"])})
    >>> paired_values(v, idx, "c3", 2)[["baseline", "later"]].values.tolist()
    [[1.0, 0.5]]
    >>> paired_values(v, idx, "c3", "end")[["baseline", "later"]].values.tolist()
    [[1.0, 0.9]]
    """
    from clears.plots import assign_timepoints

    ids = index[["patient_id"]].drop_duplicates()
    if measure not in visits.columns:
        return ids.assign(baseline=np.nan, later=np.nan)
    weeks = (0.0,) if at == "end" else (0.0, float(at))
    placed = assign_timepoints(
        visits, index, weeks=weeks, window_weeks=window_weeks, scores=[measure]
    )
    base = placed[placed["week"] == 0].set_index("patient_id")["value"]
    if at == "end":
        frame = visits[["patient_id", "visit_date", measure]].merge(index, on="patient_id")
        after = frame[(frame["visit_date"] > frame["index_date"]) & frame[measure].notna()]
        last = after.sort_values("visit_date").groupby("patient_id").tail(1)
        later = pd.to_numeric(last.set_index("patient_id")[measure])
    else:
        later = placed[placed["week"] == float(at)].set_index("patient_id")["value"]
    return ids.assign(
        baseline=ids["patient_id"].map(base).astype(float),
        later=ids["patient_id"].map(later).astype(float),
    ).reset_index(drop=True)


def _mean_sd(values: pd.Series) -> str:
    kept = values.dropna()
    if kept.empty:
        return "–"
    sd = kept.std(ddof=1) if len(kept) > 1 else math.nan
    shown = "–" if math.isnan(sd) else f"{sd:.2f}"
    return f"{kept.mean():.2f} ± {shown} (n = {len(kept)})"


def _run(test: str, pairs: pd.DataFrame) -> ComparisonResult:
    from clears.analysis import mann_whitney, t_test

    if test == "paired_t":
        both = pairs.dropna()
        return t_test(both["baseline"], both["later"], paired=True)
    base, later = pairs["baseline"].dropna(), pairs["later"].dropna()
    if test == "welch":
        return t_test(base, later)
    return mann_whitney(base, later)


def _when(at: float | str) -> str:
    return "after treatment (last visit)" if at == "end" else f"week {float(at):g}"


def score_change_section(
    cohort: Cohort, outcomes: pd.DataFrame, log: Log, options: Mapping[str, Any]
) -> Section:
    """Baseline vs a later time for each measure the section names, with each test named.

    Options: ``measures`` (keys of :data:`MEASURES`), ``at`` (weeks since the index date,
    or ``"end"``), ``tests`` (of :data:`CHANGE_TESTS`), ``window_weeks``.
    """
    at = options.get("at", "end")
    window = float(options.get("window_weeks", WINDOW_WEEKS))
    tests = tuple(options.get("tests", ("paired_t",)))
    index = first_preset(outcomes)[["patient_id", "index_date"]]
    rows: list[dict[str, str]] = []
    notes: list[str] = []
    methods: dict[str, str] = {}
    measures = tuple(options.get("measures", ("clasi_a",)))
    for measure in measures:
        pairs = paired_values(cohort.visits, index, measure, at, window_weeks=window)
        row = {
            "Measure": MEASURES[measure],
            "Baseline, mean ± SD": _mean_sd(pairs["baseline"]),
            f"{_when(at).capitalize()}, mean ± SD": _mean_sd(pairs["later"]),
        }
        for test in tests:
            column = f"{_TEST_LABELS[test]}, p"
            try:
                result = log.run(f"{MEASURES[measure]} {test}", partial(_run, test, pairs))
            except InputError as exc:
                row[column] = "–"
                notes.append(f"{MEASURES[measure]}, {_TEST_LABELS[test]}: not computed ({exc}).")
                continue
            log.method("Baseline vs later", result.method)
            methods[test] = f"{_TEST_LABELS[test]}: {result.method}"
            row[column] = "–" if math.isnan(result.p_value) else f"{result.p_value:.3g}"
        rows.append(row)
    method = (
        f"baseline: each patient's visit nearest the index date within ±{window:g} weeks; "
        + (
            "later: the patient's last visit with a value after the index date"
            if at == "end"
            else f"later: the visit nearest week {float(at):g} within ±{window:g} weeks"
        )
        + "; paired tests use the patients with both values, unpaired tests every value"
    )
    table = ReportTable(
        "change_" + "_".join([str(at) if at == "end" else f"{float(at):g}", *measures]),
        f"Baseline vs {_when(at)}",
        pd.DataFrame(rows).fillna("–").astype(str),
        (method, *methods.values(), *notes),
    )
    return Section("score_change", f"Baseline vs {_when(at)}", (), (table,))
