"""Cutaneous relapse after a response, as the preset defines it.

The first visit after the first response of the preset's ``relapse.after`` level (at any
time after the index date, on or off drug) that meets the threshold is the relapse:
CLASI-A at least ``min_score`` and/or at least ``min_rise`` above the lowest CLASI-A since
that response. The setting limits where it counts: ``any``; ``taper_or_withdrawal`` (dose at
the relapse visit lower than at the response visit, or off drug); ``withdrawal`` (off drug).
The dose at a visit is the one the patient was exposed to up to it: a period that starts on
the visit day (a restart or dose change made when the clinician saw the relapse) is not yet
in force (:data:`clears.outcomes._timeline.Timeline.v_dose`). Time to relapse runs from the
response; patients who responded and did not relapse are censored at their last visit with
a CLASI-A.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears.criteria import Preset
from clears.outcomes._group import first_true, group_max, segmented_cummin
from clears.outcomes._response import Response
from clears.outcomes._timeline import Timeline

__all__ = ["Relapse", "relapse"]

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Relapse:
    """Per patient: whether a relapse rule applies, the first relapse and where it happened."""

    defined: bool
    at_risk: npt.NDArray[np.bool_]
    event: npt.NDArray[np.bool_]
    day: Float  # days from index to the relapse (NaN if none)
    time: Float  # days from the response to relapse or censoring (NaN if not at risk)
    dose: Float
    setting: npt.NDArray[np.object_]


def relapse(tl: Timeline, resp: Response, preset: Preset) -> Relapse:
    """Find each patient's first relapse under ``preset``."""
    n = tl.n
    rule = preset.relapse
    if rule is None:
        nan = np.full(n, np.nan)
        none = np.full(n, None, dtype=object)
        no = np.zeros(n, dtype=bool)
        return Relapse(False, no, no, nan, nan, nan, none)
    rel = tl.v_day - tl.index_day[tl.v_code]
    resp_day = resp.first_day[rule.after]
    at_risk = ~np.isnan(resp_day)
    rd = resp_day[tl.v_code]
    since = rel >= rd  # False where resp_day is NaN
    nadir = segmented_cummin(tl.v_code, np.where(since, tl.v_clasi, np.nan))
    # Dose at the response visit (exposure up to it, as for every visit).
    resp_visit = since & (rel == rd)
    resp_dose = np.full(n, np.nan)
    resp_dose[tl.v_code[resp_visit]] = tl.v_dose[resp_visit]
    meets = since & (rel > rd)
    if rule.min_score is not None:
        meets &= tl.v_clasi >= rule.min_score
    if rule.min_rise is not None:
        meets &= (tl.v_clasi - nadir) >= rule.min_rise
    off = tl.v_dose == 0
    lower = tl.v_dose < resp_dose[tl.v_code]
    if rule.setting == "withdrawal":
        meets &= off
    elif rule.setting == "taper_or_withdrawal":
        meets &= off | lower
    day = first_true(tl.v_code, rel, meets, n)
    event = ~np.isnan(day)
    hit = meets & (rel == day[tl.v_code])
    dose = np.full(n, np.nan)
    dose[tl.v_code[hit]] = tl.v_dose[hit]
    setting = np.full(n, None, dtype=object)
    setting[event] = "on_treatment"
    setting[event & (dose < resp_dose)] = "after_dose_reduction"
    setting[event & (dose == 0)] = "after_withdrawal"
    last = group_max(tl.v_code[since], rel[since], n)
    time = np.where(event, day - resp_day, last - resp_day)
    time[~at_risk] = np.nan
    return Relapse(True, at_risk, event, day, time, dose, setting)
