"""Classify CLASI-A changes into response categories, vectorised.

The categories, best last: ``not_evaluable``, ``none``, ``minimal``, ``partial``,
``complete``. A follow-up score reaches a level when the decrease from baseline meets the
preset's :class:`~clears.criteria.LevelRule`; ``complete`` is CLASI-A at or below the preset's
``complete_max``. Percentages are compared exactly as ``(baseline - followup) * 100 >=
percent * baseline``, so a decrease of exactly 50 % counts as 50 %.

Not evaluable: baseline or follow-up missing; baseline below the preset's ``baseline_min``;
and baseline CLASI-A of 0 for any preset with a percentage threshold, because the percentage
change is undefined (Klein 2011 notes the same edge).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from clears._exceptions import InputError, Problem
from clears.criteria._preset import LevelRule, Preset
from clears.instruments.clasi import ACTIVITY_MAX

__all__ = ["CATEGORIES", "classify_response", "rank_response"]

#: Response categories, worst first.
CATEGORIES: Final = ("not_evaluable", "none", "minimal", "partial", "complete")


def _check_range(values: npt.NDArray[np.float64], field: str) -> list[Problem]:
    bad = ~np.isnan(values) & ((values < 0) | (values > ACTIVITY_MAX))
    return [
        Problem(field, float(v), "out of range", f"0 to {ACTIVITY_MAX} (CLASI-A)")
        for v in values[bad][:5]
    ]


def _meets(
    rule: LevelRule, drop: npt.NDArray[np.float64], base: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    parts: list[npt.NDArray[np.bool_]] = []
    if rule.points is not None:
        parts.append(drop >= rule.points)
    if rule.percent is not None:
        with np.errstate(invalid="ignore"):
            parts.append((base > 0) & (drop * 100.0 >= rule.percent * base))
    result = parts[0]
    for part in parts[1:]:
        result = result & part if rule.combine == "all" else result | part
    return result


def rank_response(
    baseline: npt.ArrayLike, followup: npt.ArrayLike, preset: Preset
) -> npt.NDArray[np.int8]:
    """Like :func:`classify_response` but return the rank (-1 to 3) of each category.

    Examples
    --------
    >>> from clears.criteria import get
    >>> rank_response([20, 20], [0, 19], get("aitmehdi2021")).tolist()
    [3, 0]
    """
    base = np.asarray(baseline, dtype=np.float64)
    follow = np.asarray(followup, dtype=np.float64)
    base, follow = np.broadcast_arrays(base, follow)
    problems = _check_range(base, "baseline") + _check_range(follow, "followup")
    if problems:
        raise InputError(problems)
    rule = preset.response
    valid = ~np.isnan(base) & ~np.isnan(follow)
    if rule.uses_percent:
        valid &= base > 0
    if rule.baseline_min is not None:
        valid &= base >= rule.baseline_min
    out = np.where(valid, np.int8(0), np.int8(-1)).astype(np.int8)
    drop = base - follow
    for rank, level in ((1, rule.minimal), (2, rule.partial)):
        if level is not None:
            out[valid & _meets(level, drop, base)] = rank
    if rule.complete_max is not None:
        out[valid & (follow <= rule.complete_max)] = 3
    return out


def classify_response(
    baseline: npt.ArrayLike, followup: npt.ArrayLike, preset: Preset
) -> npt.NDArray[np.object_]:
    """Classify follow-up CLASI-A against baseline under one preset.

    Parameters
    ----------
    baseline, followup
        CLASI-A scores (0-70), broadcast against each other; NaN means missing.
    preset
        The criteria preset (:func:`clears.criteria.get`).

    Returns
    -------
    numpy.ndarray
        Object array of category names from :data:`CATEGORIES`.

    Raises
    ------
    InputError
        If a score is outside 0-70.

    References
    ----------
    The thresholds are the preset's; each preset cites its source (``preset.reference``).

    Examples
    --------
    Aitmehdi 2021: minimal is a 4-point or 20 % decrease, partial at least 50 %, complete 0.
    From 10: 6 is a 4-point (40 %) fall, 5 is exactly 50 %, 0 is complete; baseline 0 has no
    percentage.

    >>> from clears.criteria import get
    >>> classify_response([10, 10, 10, 10, 0], [9, 6, 5, 0, 0], get("aitmehdi2021")).tolist()
    ['none', 'minimal', 'partial', 'complete', 'not_evaluable']
    """
    ranks = rank_response(baseline, followup, preset)
    names = np.array(CATEGORIES, dtype=object)
    return names[ranks.astype(np.int64) + 1]
