"""SLE flares during follow-up and new SLE among patients with isolated CLE.

Flares come from the cohort's ``flares`` table: a flare dated after the index date and no
later than the end of follow-up counts; ``severity == "severe"`` marks a severe flare.
New SLE: a patient recorded without SLE (``patients.sle`` false) who has a flare after the
index date, or whose optional ``sle_onset_date`` falls after it. Missing when ``sle`` is not
recorded or the patient already had SLE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears.cohort import Cohort
from clears.outcomes._group import first_true, group_max
from clears.outcomes._timeline import Timeline, days

__all__ = ["Flares", "flares"]

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Flares:
    """Per patient SLE flare outcomes (``new_sle``: object array of True/False/None)."""

    any: npt.NDArray[np.bool_]
    severe: npt.NDArray[np.bool_]
    first_day: Float
    new_sle: npt.NDArray[np.object_]


def flares(cohort: Cohort, tl: Timeline) -> Flares:
    """Read SLE flares from the flares table for every patient on the time line."""
    n = tl.n
    index = pd.Index(tl.patient_ids)
    fl = cohort.flares
    code = index.get_indexer(pd.Index(fl["patient_id"].astype(str))).astype(np.int64)
    day = days(fl["flare_date"])
    keep = code >= 0
    code, day = code[keep], day[keep]
    sev = fl["severity"].astype(str).str.lower().to_numpy()[keep] == "severe"
    rel = day - tl.index_day[code]
    inside = (rel > 0) & (day <= tl.follow_up_end[code])
    first = first_true(code, rel, inside, n)
    severe = np.isfinite(group_max(code[inside & sev], rel[inside & sev], n))
    has = ~np.isnan(first)
    new_sle = np.full(n, None, dtype=object)
    pats = cohort.patients
    if "sle" in pats.columns:
        pcode = index.get_indexer(pd.Index(pats["patient_id"].astype(str)))
        sle = pats["sle"].to_numpy(dtype=object)
        isolated = np.zeros(n, dtype=bool)
        known = np.zeros(n, dtype=bool)
        ok = pcode >= 0
        values = sle[ok]
        recorded = np.array([v is not None and not pd.isna(v) for v in values], dtype=bool)
        known[pcode[ok][recorded]] = True
        isolated[pcode[ok][recorded]] = ~values[recorded].astype(bool)
        onset = np.full(n, np.nan)
        if "sle_onset_date" in pats.columns:
            onset[pcode[ok]] = days(pats["sle_onset_date"])[ok]
        later = has | (onset > tl.index_day)
        new_sle[isolated] = later[isolated]
        new_sle[known & ~isolated] = None
    return Flares(has, severe, first, new_sle)
