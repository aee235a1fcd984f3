"""CLASI-A and CLASI-D over time: mean ± SEM at nominal weeks and individual trajectories.

The summary panel follows Cortés-Hernández 2012, Figure 2 (CLASI-A ● and CLASI-D ■, mean ±
SEM over 12 months of follow-up); the second panel draws every patient's CLASI-A at the real
visit times so that the spread hidden by the mean stays visible.

Each visit is placed at the nominal week nearest to its time since the index date, and kept
only when it is within ``window_weeks`` of that week; a patient contributes at most one
visit per week (the closest, the earlier on a tie). SEM = SD / √n with the n − 1 SD.

References
----------
Cortés-Hernández J, Ávila G, Vilardell-Tarrés M, Ordi-Ros J. Efficacy and safety of
lenalidomide for refractory cutaneous lupus erythematosus. Arthritis Res Ther
2012;14(6):R265. doi:10.1186/ar4111 (Figure 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._validation import require_columns
from clears.plots._style import ACTIVITY_COLOUR, DAMAGE_COLOUR, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_WEEKS",
    "assign_timepoints",
    "timecourse_method",
    "timecourse_summary",
    "trajectories_figure",
]

#: Nominal weeks: baseline, the week-2 look of Cortés-Hernández 2012, then to one year.
DEFAULT_WEEKS: Final = (0, 2, 4, 8, 12, 24, 36, 52)

_LABELS: Final = {"clasi_a": "CLASI-A (activity)", "clasi_d": "CLASI-D (damage)"}


def timecourse_method(window_weeks: float) -> str:
    """Describe how :func:`timecourse_summary` was computed, for a figure caption."""
    return (
        "mean ± SEM (SD with n − 1 divided by √n) at nominal weeks since the index date; "
        f"each patient's visit nearest the week and within ±{window_weeks:g} weeks of it"
    )


def assign_timepoints(
    visits: pd.DataFrame,
    index_dates: pd.DataFrame,
    *,
    weeks: Sequence[float] = DEFAULT_WEEKS,
    window_weeks: float = 2.0,
    scores: Sequence[str] = ("clasi_a", "clasi_d"),
) -> pd.DataFrame:
    """Place each patient's visits at the nearest nominal week.

    Parameters
    ----------
    visits
        The cohort ``visits`` table (``patient_id``, ``visit_date`` and the ``scores``).
    index_dates
        ``patient_id`` and ``index_date`` (e.g. one preset's rows of
        :func:`clears.outcomes.derive`); only these patients are kept.
    weeks
        Nominal weeks since the index date, increasing.
    window_weeks
        A visit further than this from its nearest nominal week is dropped.
    scores
        Score columns to carry.

    Returns
    -------
    pandas.DataFrame
        Long: ``patient_id``, ``week`` (nominal), ``visit_week`` (actual), ``score``,
        ``value``; rows with a missing value are dropped.

    Examples
    --------
    >>> v = pd.DataFrame({"patient_id": ["a", "a"], "visit_date": pd.to_datetime(
    ...     ["2020-01-01", "2020-01-16"]), "clasi_a": [10.0, 4.0]})
    >>> idx = pd.DataFrame({"patient_id": ["a"], "index_date": pd.to_datetime(["2020-01-01"])})
    >>> assign_timepoints(v, idx, scores=["clasi_a"])[["week", "value"]].to_dict("list")
    {'week': [0.0, 2.0], 'value': [10.0, 4.0]}
    """
    require_columns(visits, ["patient_id", "visit_date", *scores], "visits")
    require_columns(index_dates, ["patient_id", "index_date"], "index_dates")
    grid = np.asarray(weeks, dtype=float)
    problems = []
    if grid.size == 0 or np.any(np.diff(grid) <= 0):
        problems.append(Problem("weeks", list(weeks), "must be increasing", "e.g. 0, 2, 4, 12"))
    if not window_weeks > 0:
        problems.append(Problem("window_weeks", window_weeks, "must be positive", "> 0"))
    if problems:
        raise InputError(problems)
    index = index_dates[["patient_id", "index_date"]].drop_duplicates("patient_id")
    frame = visits[["patient_id", "visit_date", *scores]].merge(index, on="patient_id")
    days = (frame["visit_date"] - frame["index_date"]).dt.days.to_numpy(dtype=float)
    actual = days / 7.0
    distance = np.abs(actual[:, None] - grid[None, :])
    nearest = distance.argmin(axis=1) if len(frame) else np.zeros(0, dtype=int)
    gap = distance[np.arange(len(frame)), nearest] if len(frame) else np.zeros(0)
    gap = np.round(gap, 9)  # equal distances compare equal despite /7 rounding
    week = grid[nearest] if len(frame) else np.zeros(0)
    # Patients as integer codes in the order of their ids, so that every sort below is one
    # stable numpy lexsort instead of a sort of a million ids as text.
    patient, ids = pd.factorize(frame["patient_id"].to_numpy(dtype=object), sort=True)
    picked, values, which = [], [], []
    for i, score in enumerate(scores):
        value = pd.to_numeric(frame[score]).to_numpy(dtype=float)
        rows = np.flatnonzero((gap <= window_weeks) & ~np.isnan(value))
        rows = rows[np.lexsort((actual[rows], gap[rows], week[rows], patient[rows]))]
        # each patient's closest visit to each week (the earlier on a tie) comes first
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (patient[rows[1:]] != patient[rows[:-1]]) | (week[rows[1:]] != week[rows[:-1]])
        picked.append(rows[first])
        values.append(value[rows[first]])
        which.append(np.full(int(first.sum()), i, dtype=np.int64))
    rows = np.concatenate([np.zeros(0, dtype=np.int64), *picked])
    value = np.concatenate([np.zeros(0), *values])
    names = np.asarray(scores, dtype=object)[np.concatenate([np.zeros(0, dtype=np.int64), *which])]
    rank, _ = pd.factorize(names, sort=True)
    order = np.lexsort((week[rows], patient[rows], rank))
    rows, value, names = rows[order], value[order], names[order]
    return pd.DataFrame(
        {
            "patient_id": np.asarray(ids, dtype=object)[patient[rows]],
            "week": week[rows],
            "visit_week": actual[rows],
            "score": names,
            "value": value,
        }
    )


def timecourse_summary(assigned: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD and SEM of each score at each nominal week.

    Parameters
    ----------
    assigned
        The frame from :func:`assign_timepoints`.

    Returns
    -------
    pandas.DataFrame
        ``score``, ``week``, ``n``, ``mean``, ``sd`` (n − 1), ``sem`` (``sd / sqrt(n)``;
        NaN when n = 1).

    Examples
    --------
    >>> a = pd.DataFrame({"score": ["clasi_a"] * 3, "week": [0.0] * 3, "value": [2.0, 4.0, 6.0]})
    >>> s = timecourse_summary(a)   # mean 4, SD 2, SEM 2 / sqrt(3)
    >>> s[["n", "mean", "sd"]].to_dict("records"), round(float(s["sem"].iloc[0]), 4)
    ([{'n': 3, 'mean': 4.0, 'sd': 2.0}], 1.1547)
    """
    require_columns(assigned, ["score", "week", "value"], "assigned")
    grouped = assigned.groupby(["score", "week"], sort=True)["value"]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    out["n"] = out["n"].astype(int)
    out["sem"] = out["sd"] / np.sqrt(out["n"])
    return out


def trajectories_figure(
    visits: pd.DataFrame,
    index_dates: pd.DataFrame,
    *,
    weeks: Sequence[float] = DEFAULT_WEEKS,
    window_weeks: float = 2.0,
    assigned: pd.DataFrame | None = None,
) -> Figure:
    """Two panels: CLASI-A and CLASI-D mean ± SEM at nominal weeks; each patient's CLASI-A.

    Parameters are those of :func:`assign_timepoints`. Scores absent from ``visits`` are
    left out. :func:`timecourse_method` gives the caption text. ``assigned``: the frame
    :func:`assign_timepoints` returns for these arguments (CLASI-A and CLASI-D as present),
    when the caller has it already (the report's table uses it too); computed otherwise.
    """
    scores = [s for s in ("clasi_a", "clasi_d") if s in visits.columns]
    if not scores:
        raise InputError(Problem("visits", None, "no CLASI score column", "clasi_a and/or clasi_d"))
    if assigned is None:
        assigned = assign_timepoints(
            visits, index_dates, weeks=weeks, window_weeks=window_weeks, scores=scores
        )
    summary = timecourse_summary(assigned)
    fig = new_figure(10, 4)
    left, right = fig.subplots(1, 2)
    for score, marker, colour in (
        ("clasi_a", "o", ACTIVITY_COLOUR),
        ("clasi_d", "s", DAMAGE_COLOUR),
    ):
        part = summary[summary["score"] == score]
        if part.empty:
            continue
        left.errorbar(
            part["week"],
            part["mean"],
            yerr=part["sem"].fillna(0.0),
            marker=marker,
            color=colour,
            capsize=3,
            label=_LABELS[score],
        )
    left.set_xlabel("Weeks since the first dose")
    left.set_ylabel("Score (mean ± SEM)")
    left.set_title("CLASI over time")
    left.set_ylim(bottom=0)
    if not summary.empty:
        left.legend(frameon=False)
    index = index_dates[["patient_id", "index_date"]].drop_duplicates("patient_id")
    each = visits[["patient_id", "visit_date", scores[0]]].merge(index, on="patient_id")
    each = each[each[scores[0]].notna()].sort_values(["patient_id", "visit_date"])
    each_weeks = (each["visit_date"] - each["index_date"]).dt.days / 7.0
    _draw_each_patient(right, each["patient_id"], each_weeks, each[scores[0]])
    right.set_xlabel("Weeks since the first dose")
    right.set_ylabel(_LABELS[scores[0]])
    right.set_title(f"Individual trajectories (n = {each['patient_id'].nunique()})")
    right.set_ylim(bottom=0)
    return fig


def _draw_each_patient(axes: Axes, patient: pd.Series, weeks: pd.Series, score: pd.Series) -> None:
    """One grey line per patient (rows sorted by patient, then date) and a dot per visit.

    All lines are one :class:`~matplotlib.collections.LineCollection` and all dots one
    marker line, so the figure costs the same to draw for 40 patients or 100,000 (one
    artist per patient made the report's figure grow with the cohort).
    """
    from matplotlib.collections import LineCollection

    x = weeks.to_numpy(dtype=float)
    y = score.to_numpy(dtype=float)
    starts = np.flatnonzero(np.r_[True, patient.to_numpy()[1:] != patient.to_numpy()[:-1]])
    points = np.column_stack([x, y])
    lines = LineCollection(np.split(points, starts[1:]), colors="0.45", alpha=0.6, linewidths=0.9)
    axes.add_collection(lines, autolim=True)
    axes.plot(x, y, linestyle="none", marker=".", color="0.45", alpha=0.6)
    axes.autoscale_view()
