"""Sustained dose reduction and minimum effective dose.

Consecutive dose periods with the same dose and no gap are merged into one block. A block
*holds the response* when, from the later of its start and the patient's first response
(the preset's lowest response level), it lasts at least ``sustained_days`` with no relapse
inside it. The minimum effective dose is the lowest dose (mg/day) of a block that holds
the response. A sustained dose reduction is such a block whose dose is below the highest
dose the patient received before it. Presets without a relapse rule ignore relapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears.outcomes._group import group_min
from clears.outcomes._relapse import Relapse
from clears.outcomes._timeline import Timeline

__all__ = ["Dosing", "dosing"]

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Dosing:
    """Per patient: sustained dose reduction (bool) and minimum effective dose (NaN if none)."""

    sustained_reduction: npt.NDArray[np.bool_]
    min_effective_dose: Float


def _blocks(tl: Timeline) -> tuple[npt.NDArray[np.int64], Float, Float, Float]:
    code, start, end, dose = tl.p_code, tl.p_start, tl.p_end_filled, tl.p_dose
    if len(code) == 0:
        return code, start, end, dose
    starts_block = np.ones(len(code), dtype=bool)
    starts_block[1:] = (code[1:] != code[:-1]) | (dose[1:] != dose[:-1]) | (start[1:] != end[:-1])
    block = np.cumsum(starts_block) - 1
    b_end = np.zeros(int(block[-1]) + 1)
    np.maximum.at(b_end, block, end)
    return code[starts_block], start[starts_block], b_end, dose[starts_block]


def dosing(tl: Timeline, first_response_day: Float, rel: Relapse, *, sustained_days: int) -> Dosing:
    """Compute sustained dose reduction and minimum effective dose per patient."""
    n = tl.n
    code, start, end, dose = _blocks(tl)
    idx = tl.index_day[code]
    resp_abs = first_response_day[code] + idx
    from_day = np.fmax(start, resp_abs)  # NaN response -> start; masked below
    held = ~np.isnan(resp_abs) & (end - from_day >= sustained_days) & (dose > 0)
    relapse_abs = rel.day[code] + idx
    inside = ~np.isnan(relapse_abs) & (relapse_abs >= from_day) & (relapse_abs < end)
    held &= ~inside
    # Highest dose before each block: running maximum within patient, shifted by one block.
    prior_max = np.full(len(code), -np.inf)
    if len(code):
        shift = code.astype(np.float64) * 1e4
        running = np.maximum.accumulate(dose + shift) - shift
        prior_max[1:] = np.where(code[1:] == code[:-1], running[:-1], -np.inf)
    reduced = held & (dose < prior_max)
    sustained = np.zeros(n, dtype=bool)
    sustained[code[reduced]] = True
    med = group_min(code[held], dose[held], n)
    med[np.isinf(med)] = np.nan
    return Dosing(sustained, med)
