"""Best response, time to each response level, and the response at the assessment week.

Follow-up visits are those after the index date up to the end of the last dose period
(ongoing: end of follow-up). Times are days from the index date. A patient who never
reaches a level is censored at the last follow-up visit with a CLASI-A (``event`` False);
with no follow-up visit the time is missing.

A patient the preset cannot classify gets a reason, the first that applies of:
``no_visits`` (no visit with a CLASI-A at all), ``no_baseline``, ``baseline_zero``
(percentage presets), ``below_baseline_minimum``, ``no_follow_up``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears.criteria import Preset, rank_response
from clears.outcomes._baseline import Baseline
from clears.outcomes._group import first_true, group_max, group_min
from clears.outcomes._timeline import Timeline

__all__ = ["LEVELS", "Response", "response"]

Float = npt.NDArray[np.float64]
#: Levels with a time-to-event, and their rank.
LEVELS = (("minimal", 1), ("partial", 2), ("complete", 3))


@dataclass(frozen=True)
class Response:
    """Per-patient response results for one preset (ranks: -1 not evaluable .. 3 complete)."""

    visit_rank: npt.NDArray[np.int8]
    follow_up: npt.NDArray[np.bool_]
    reason: npt.NDArray[np.object_]
    best_rank: npt.NDArray[np.int8]
    assessment_rank: npt.NDArray[np.int8]
    first_day: dict[str, Float]  # level -> days from index to first visit at/above it
    last_day: Float  # days from index to the last follow-up visit (censoring)


def _eligibility(tl: Timeline, base: Baseline, preset: Preset) -> npt.NDArray[np.object_]:
    rule = preset.response
    reason = np.full(tl.n, None, dtype=object)
    if rule.baseline_min is not None:
        reason[base.clasi_a < rule.baseline_min] = "below_baseline_minimum"
    if rule.uses_percent:
        reason[base.clasi_a == 0] = "baseline_zero"
    reason[np.isnan(base.clasi_a)] = "no_baseline"
    reason[np.bincount(tl.v_code, minlength=tl.n) == 0] = "no_visits"
    return reason


def _assessment(
    tl: Timeline, preset: Preset, rel: Float, rank: npt.NDArray[np.int8], fu: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int8]:
    rule = preset.response
    out = np.full(tl.n, -1, dtype=np.int8)
    if rule.assessment_week is None:
        return out
    target = 7.0 * rule.assessment_week
    window = float(rule.assessment_window_days)
    if rule.assessment_rule == "by":
        cand = fu & (rel <= target + window)
        best = group_max(tl.v_code[cand], rank[cand].astype(np.float64), tl.n)
        return np.where(np.isfinite(best), best, -1).astype(np.int8)
    dist = np.abs(rel - target)
    cand = fu & (dist <= window)
    # Nearest visit to the target; on a tie the earlier one (dist*1e4 + rel orders both).
    key = dist * 1e4 + rel
    best_key = group_min(tl.v_code[cand], key[cand], tl.n)
    hit = cand & (key == best_key[tl.v_code])
    out[tl.v_code[hit]] = rank[hit]
    return out


def response(tl: Timeline, base: Baseline, preset: Preset) -> Response:
    """Classify every follow-up visit and reduce to per-patient response results."""
    rel = tl.v_day - tl.index_day[tl.v_code]
    last_end = group_max(tl.p_code, tl.p_end_filled, tl.n)
    fu = (rel > 0) & (tl.v_day <= last_end[tl.v_code])
    reason = _eligibility(tl, base, preset)
    rank = rank_response(base.clasi_a[tl.v_code], tl.v_clasi, preset)
    rank = np.where(fu, rank, -1).astype(np.int8)
    best = group_max(tl.v_code[fu], rank[fu].astype(np.float64), tl.n)
    has_fu = np.isfinite(best)
    reason[(reason == None) & ~has_fu] = "no_follow_up"  # noqa: E711
    best_rank = np.where(has_fu, best, -1).astype(np.int8)
    first_day = {}
    for level, r in LEVELS:
        first_day[level] = (
            first_true(tl.v_code, rel, fu & (rank >= r), tl.n)
            if level in preset.response.levels
            else np.full(tl.n, np.nan)
        )
    last = group_max(tl.v_code[fu], rel[fu], tl.n)
    last_day = np.where(np.isfinite(last), last, np.nan)
    return Response(
        visit_rank=rank,
        follow_up=fu,
        reason=reason,
        best_rank=best_rank,
        assessment_rank=_assessment(tl, preset, rel, rank, fu),
        first_day=first_day,
        last_day=last_day,
    )
