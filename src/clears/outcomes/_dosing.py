"""Sustained dose reduction and minimum effective dose, over every response episode.

Sources. Aitmehdi 2021 (J Am Acad Dermatol 2021;84(4):1171-1174,
doi:10.1016/j.jaad.2020.11.014): "A sustained dose reduction was possible in 22 (55%)
patients, with a median minimum effective dose of 2.5 mg/day (range: 0.7-10)", evaluations
"every 6 months" (hence the default ``sustained_days`` of 180), and "Occurrence of relapse,
doses at which they occurred ... were recorded". Cortés-Hernández 2012 (Arthritis Res Ther
2012;14(6):R265) reports patients with "at least two relapses when reducing dose".

Consecutive dose periods with the same dose and no gap form one block
(:func:`clears.outcomes._timeline.dose_blocks`). The patient is *in response* from the first
response (the preset's lowest level) to the first relapse, and again from each new
response to the next relapse (:mod:`clears.outcomes._relapse` keeps every relapse). A block
*holds the response* when, inside one such episode, it lasts at least ``sustained_days``
from the later of its start and the episode's start, and the relapse ending the episode (if
any) is not judged on the block's dose. The minimum effective dose is the lowest dose
(mg/day) of a block that holds the response; a sustained dose reduction is such a block
whose dose is below the highest dose the patient received before it. Presets without a
relapse rule have one open episode from the first response.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears.outcomes._group import group_min
from clears.outcomes._relapse import Relapse
from clears.outcomes._timeline import Codes, Timeline, dose_blocks

__all__ = ["Dosing", "dosing"]

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Dosing:
    """Per patient: sustained dose reduction (bool) and minimum effective dose (NaN if none)."""

    sustained_reduction: npt.NDArray[np.bool_]
    min_effective_dose: Float


def _episodes(tl: Timeline, first_response_day: Float, rel: Relapse) -> tuple[Codes, Float, Float]:
    """Response episodes (patient, start day number, judged day of the ending relapse)."""
    code, start, stop = rel.episode_code, rel.episode_start.copy(), rel.episode_stop_judged
    if len(code):
        first = np.ones(len(code), dtype=bool)
        first[1:] = code[1:] != code[:-1]
        # The first episode starts at the first response of the lowest level.
        start[first] = np.fmin(start[first], first_response_day[code[first]])
    responded = ~np.isnan(first_response_day)
    alone = np.flatnonzero(responded & (np.bincount(code, minlength=tl.n) == 0))
    code = np.concatenate([code, alone])
    start = np.concatenate([start, first_response_day[alone]])
    stop = np.concatenate([stop, np.full(len(alone), np.inf)])
    order = np.lexsort((start, code))
    return code[order], start[order] + tl.index_day[code[order]], stop[order]


def dosing(tl: Timeline, first_response_day: Float, rel: Relapse, *, sustained_days: int) -> Dosing:
    """Compute sustained dose reduction and minimum effective dose per patient."""
    n = tl.n
    b = dose_blocks(tl)
    e_code, e_start, e_stop = _episodes(tl, first_response_day, rel)
    # Every (block, episode) pair of the same patient.
    lo = np.searchsorted(e_code, b.code, side="left")
    hi = np.searchsorted(e_code, b.code, side="right")
    count = hi - lo
    bi = np.repeat(np.arange(len(b.code)), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    ei = np.repeat(lo, count) + offset
    from_day = np.maximum(b.start[bi], e_start[ei])
    pair = (b.end[bi] - from_day >= sustained_days) & (e_stop[ei] >= b.end[bi])
    held = np.zeros(len(b.code), dtype=bool)
    held[bi[pair]] = True
    held &= b.dose > 0
    # Highest dose before each block: running maximum within patient, shifted by one block.
    prior_max = np.full(len(b.code), -np.inf)
    if len(b.code):
        shift = b.code.astype(np.float64) * 1e4
        running = np.maximum.accumulate(b.dose + shift) - shift
        prior_max[1:] = np.where(b.code[1:] == b.code[:-1], running[:-1], -np.inf)
    reduced = held & (b.dose < prior_max)
    sustained = np.zeros(n, dtype=bool)
    sustained[b.code[reduced]] = True
    med = group_min(b.code[held], b.dose[held], n)
    med[np.isinf(med)] = np.nan
    return Dosing(sustained, med)
