"""When two dose periods overlap: the one rule the cohort check, the time line and exposure use.

Each treatment row is one constant-dose period of one drug (``docs/cohort-tables.md``); a
dose change starts a new row. Two periods of the same patient and drug overlap when they
start on the same day, or when each starts before the other ends. A period may start on the
day the previous one ends (the usual way a dose change is recorded), and a blank
``end_date`` means the period is ongoing (it ends after every date).

:func:`overlapping_pairs` finds the overlaps in arrays of day numbers (vectorised: one sort,
then a running maximum of the ends; only the groups with an overlap are looked at period by
period). :func:`overlap_problems` words them, one problem per period involved, naming the
first other period (in order of start, then end) that it overlaps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import Problem
from clears.cohort._coerce import display_value

__all__ = ["days", "find_overlaps", "overlap_problems", "overlapping_pairs", "period_groups"]

Float = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int64]


def period_groups(patient_id: pd.Series, drug: pd.Series) -> Codes:
    """One code per (patient, drug) pair, numbered in order of first appearance."""
    patient, _ = pd.factorize(patient_id)
    medicine, drugs = pd.factorize(drug)
    pair = patient.astype(np.int64) * max(len(drugs), 1) + medicine
    codes, _ = pd.factorize(pair)
    return codes.astype(np.int64)


def days(values: pd.Series | pd.Index) -> Float:
    """Day numbers (days since 1970-01-01 as floats, NaN for missing) of a date column.

    Cohort dates are calendar dates (a time of day is refused when a table is read).

    Examples
    --------
    >>> days(pd.Series(pd.to_datetime(["1970-01-02", None]))).tolist()
    [1.0, nan]
    """
    stamps = pd.to_datetime(pd.Series(values, copy=False))
    as_days = stamps.to_numpy(dtype="datetime64[D]", na_value=np.datetime64("NaT"))
    out = as_days.astype(np.int64).astype(np.float64)
    out[np.isnat(as_days)] = np.nan
    return out


def _is_sorted(group: Codes, start: Float, end: Float) -> bool:
    """Whether the periods are already in order of (group, start, end)."""
    g0, g1, s0, s1 = group[:-1], group[1:], start[:-1], start[1:]
    later = (s1 > s0) | ((s1 == s0) & (end[1:] >= end[:-1]))
    return bool(np.all((g1 > g0) | ((g1 == g0) & later)))


def overlapping_pairs(
    group: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike
) -> tuple[Codes, Codes]:
    """Positions ``(i, j)``: period ``i`` overlaps period ``j``, the first such other period.

    Parameters
    ----------
    group
        Integer code of each period's (patient, drug); only periods of one group can overlap.
    start, end
        Day numbers; ``end`` NaN for an ongoing period. Neither start nor a non-NaN end may
        be NaN/absent: leave such periods out before calling.

    Returns
    -------
    tuple of numpy.ndarray
        Every period involved in an overlap once, groups in increasing code order and,
        within a group, periods in order of (start, end; ongoing last; input order on ties).
        ``j`` is the first other period of the group, in that order, that ``i`` overlaps.

    Examples
    --------
    >>> i, j = overlapping_pairs([0, 0, 0], [0.0, 5.0, 4.0], [5.0, float("nan"), 6.0])
    >>> i.tolist(), j.tolist()   # [0, 5) touches [5, ...); [4, 6) overlaps both
    ([0, 2, 1], [2, 0, 2])
    """
    g_in = np.asarray(group, dtype=np.int64)
    s_in = np.asarray(start, dtype=np.float64)
    e_in = np.asarray(end, dtype=np.float64)
    e_in = np.where(np.isnan(e_in), np.inf, e_in)
    none = np.zeros(0, dtype=np.int64)
    if len(g_in) < 2:
        return none, none
    if _is_sorted(g_in, s_in, e_in):
        order = np.arange(len(g_in), dtype=np.int64)
        g, s, e = g_in, s_in, e_in
    else:
        order = np.lexsort((e_in, s_in, g_in)).astype(np.int64)
        g, s, e = g_in[order], s_in[order], e_in[order]
    # Each period against the periods before it in its group: it overlaps one of them when
    # it starts on the same day as the previous one or before the latest end so far.
    same_group = g[1:] == g[:-1]
    if not same_group.any():
        return none, none
    # Fast path: when no period starts before its predecessor ends (nor on its day) and none
    # ends before it starts, the ends rise with the starts and the running maximum is the
    # predecessor's end: no overlap anywhere.
    adjacent = same_group & ((s[1:] == s[:-1]) | (e[:-1] > s[1:]))
    if not adjacent.any() and not (e < s).any():
        return none, none
    latest = pd.Series(e).groupby(g).cummax().to_numpy()
    hit = same_group & ((s[1:] == s[:-1]) | (latest[:-1] > s[1:]))
    flagged = np.unique(g[1:][hit])
    if flagged.size == 0:
        return none, none
    firsts, others = [], []
    lows = np.searchsorted(g, flagged)
    highs = np.searchsorted(g, flagged, side="right")
    for lo, hi in zip(lows, highs, strict=True):
        starts, ends = s[lo:hi], e[lo:hi]
        for k in range(hi - lo):
            crossing = (starts[k] < ends) & (starts < ends[k])
            crossing[k] = False
            same_day = starts == starts[k]
            same_day[k] = False
            hits = np.flatnonzero(same_day | crossing)
            if hits.size:
                firsts.append(order[lo + k])
                others.append(order[lo + hits[0]])
    return np.asarray(firsts, dtype=np.int64), np.asarray(others, dtype=np.int64)


def _describe(drug: object, start: pd.Timestamp, end: pd.Timestamp) -> str:
    until = "ongoing" if pd.isna(end) else f"to {display_value(end)}"
    return f"{drug} period from {display_value(start)} {until}"


def overlap_problems(periods: pd.DataFrame, pairs: tuple[Codes, Codes], file: str) -> list[Problem]:
    """One problem per pair of :func:`overlapping_pairs`, on the row of its first period.

    ``periods`` holds ``drug``, ``start``, ``end`` (timestamps, NaT when ongoing) and ``row``
    (the 1-based row of the table ``file``), in the positions the pairs refer to.
    """
    drug, row = periods["drug"], periods["row"]
    start, end = pd.to_datetime(periods["start"]), pd.to_datetime(periods["end"])
    return [
        Problem(
            "start_date",
            display_value(start.iloc[i]),
            f"this {drug.iloc[i]} period overlaps the "
            + _describe(drug.iloc[j], start.iloc[j], end.iloc[j]),
            "one dose period per patient and drug at a time; a new period may "
            "start on the day the previous one ends",
            file,
            int(row.iloc[i]),
        )
        for i, j in zip(*pairs, strict=True)
    ]


def find_overlaps(periods: pd.DataFrame, file: str) -> list[Problem]:
    """Every overlap among ``periods`` (``patient_id``, ``drug``, ``start``, ``end``, ``row``).

    Periods without a patient, drug or start, and periods that end before they start
    (reported by the checks of one row), are left out.
    """
    kept = periods.dropna(subset=["patient_id", "drug", "start"])
    kept = kept[~(kept["end"] < kept["start"])]
    if len(kept) < 2:
        return []
    group = period_groups(kept["patient_id"].astype(object), kept["drug"].astype(object))
    pairs = overlapping_pairs(group, days(kept["start"]), days(kept["end"]))
    return overlap_problems(kept, pairs, file)
