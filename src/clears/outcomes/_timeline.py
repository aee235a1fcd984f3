"""Put a cohort on one per-patient time line: index date, dose periods, visits, follow-up.

Dates become float day numbers (days since 1970-01-01; NaN for a missing date) so the
derivations are plain numpy. A dose period covers ``start <= day < end``: the end date is
the first day off that dose, so a new period may start on the day the previous one ends and
a patient is off drug on the day of withdrawal. A period that ends the day before the next
one starts (its last day at the dose recorded as ``end_date``) is joined to the next one, so
both ways of recording a dose change give the same time line. An ongoing period (blank
``end_date``) runs to the patient's end of follow-up.

A visit is judged on the dose the patient was exposed to *up to* the visit: the dose on the
visit day, except that a period starting on the visit day has not acted yet (registries
record a restart or a dose change made at a visit on that visit's date), so the dose of the
day before is used then.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.cohort import Cohort
from clears.cohort._periods import days, overlap_problems, overlapping_pairs

__all__ = ["Blocks", "Timeline", "build_timeline", "days", "dose_blocks"]

Float = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Timeline:
    """Everything the derivations share, computed once per cohort and drug.

    Attributes
    ----------
    patient_ids
        Patients with at least one period of the drug, sorted; position = patient code.
    index_day, follow_up_end
        Per patient: start of the first period; last recorded date (or ``as_of``).
    p_code, p_start, p_end, p_end_filled, p_dose, p_reason
        Dose periods sorted by patient and start; ``p_end`` NaN when ongoing,
        ``p_end_filled`` the end used for exposure (ongoing: end of follow-up).
    v_code, v_day, v_clasi, v_dose, v_judged
        Visits of these patients with a CLASI-A, sorted by patient and date; the dose the
        patient was exposed to up to the visit (0 off drug; see :func:`_dose_on`) and the
        day whose dose that is (the visit day, or the day before when a period starts on
        the visit day).
    """

    drug: str
    patient_ids: npt.NDArray[np.object_]
    index_day: Float
    follow_up_end: Float
    p_code: Codes
    p_start: Float
    p_end: Float
    p_end_filled: Float
    p_dose: Float
    p_reason: npt.NDArray[np.object_]
    v_code: Codes
    v_day: Float
    v_clasi: Float
    v_dose: Float
    v_judged: Float

    @property
    def n(self) -> int:
        """Number of patients."""
        return len(self.patient_ids)


def _check_periods(tr: pd.DataFrame, code: Codes, start: Float, end: Float, dose: Float) -> None:
    rows = tr["_row"].to_numpy()
    problems: list[Problem] = []
    bad_dose = np.isnan(dose) | (dose < 0)
    for i in np.flatnonzero(bad_dose)[:20]:
        problems.append(
            Problem(
                "dose_mg_per_day",
                tr["dose_mg_per_day"].iloc[i],
                "missing or negative",
                "a dose of 0 mg/day or more",
                "treatments",
                int(rows[i]),
            )
        )
    bad_end = end < start
    for i in np.flatnonzero(bad_end)[:20]:
        problems.append(
            Problem(
                "end_date",
                str(pd.Timestamp(end[i], unit="D").date()),
                "ends before the period starts",
                "an end date on or after start_date",
                "treatments",
                int(rows[i]),
            )
        )
    # The overlap rule of the cohort check (clears.cohort._periods), on the periods with a
    # start and no end before it (those are reported above). The periods are in order of
    # (patient, start, end), so a pair with i > j is a period that starts while an earlier
    # one runs: that later period is the one reported.
    valid = ~np.isnan(start) & ~bad_end
    first, other = overlapping_pairs(code[valid], start[valid], end[valid])
    later = first > other
    pairs = first[later], other[later]
    if len(pairs[0]):
        kept = tr.iloc[np.flatnonzero(valid)]
        periods = pd.DataFrame(
            {
                "drug": kept["drug"].to_numpy(),
                "start": kept["start_date"].to_numpy(),
                "end": kept["end_date"].to_numpy() if "end_date" in kept.columns else pd.NaT,
                "row": kept["_row"].to_numpy(),
            }
        )
        problems += overlap_problems(periods, (pairs[0][:20], pairs[1][:20]), "treatments")
    if problems:
        raise InputError(problems)


def _follow_up_end(cohort: Cohort, ids: pd.Index, as_of: pd.Timestamp | None) -> Float:
    if as_of is not None:
        return np.full(len(ids), days(pd.Series([as_of]))[0])
    pieces = []
    for table, columns in (
        (cohort.visits, ("visit_date",)),
        (cohort.treatments, ("start_date", "end_date")),
        (cohort.adverse_events, ("onset_date", "end_date")),
        (cohort.flares, ("flare_date",)),
    ):
        for column in columns:
            if column in table.columns and len(table):
                pieces.append(
                    pd.DataFrame(
                        {"id": table["patient_id"].astype(str), "day": days(table[column])}
                    )
                )
    if not pieces:  # no dated row anywhere: follow-up ends at the index date (caller)
        return np.full(len(ids), np.nan)
    every = pd.concat(pieces, ignore_index=True)
    latest = every.groupby("id", sort=False)["day"].max()
    return latest.reindex(ids).to_numpy(dtype=np.float64)


def _dose_on(
    tl_code: Codes, starts: Float, ends: Float, doses: Float, code: Codes, day: Float
) -> tuple[Float, Float]:
    """Dose each (code, day) visit was exposed to: the period with start <= d < end, else 0.

    ``d`` is the visit day, or the day before when a period of the patient starts on the
    visit day (a restart or dose change made at the visit has not acted yet). Returns the
    doses and the days ``d``.
    """
    big = 1e6  # day numbers stay far below 1e6 (year 4700)
    if len(tl_code) == 0:
        return np.zeros(len(day)), day
    key_p = tl_code * big + starts
    at = np.clip(np.searchsorted(key_p, code * big + day, side="left"), 0, len(key_p) - 1)
    day = np.where(key_p[at] == code * big + day, day - 1, day)
    key_v = code * big + day
    pos = np.searchsorted(key_p, key_v, side="right") - 1
    ok = pos >= 0
    pos_c = np.clip(pos, 0, None)
    ok &= tl_code[pos_c] == code
    open_end = np.where(np.isnan(ends), np.inf, ends)
    ok &= day < open_end[pos_c]
    return np.where(ok, doses[pos_c], 0.0), day


def build_timeline(
    cohort: Cohort, *, drug: str = "lenalidomide", as_of: pd.Timestamp | None = None
) -> Timeline:
    """Build the shared time line of all patients who received ``drug``.

    Raises
    ------
    InputError
        Overlapping periods of the drug, an end before a start, or a missing/negative dose.
    """
    tr = cohort.treatments
    tr = tr.assign(_row=np.arange(1, len(tr) + 1))
    tr = tr[tr["drug"].astype(str).str.lower() == drug.lower()]
    ids = tr["patient_id"].astype(str)
    start = days(tr["start_date"])
    end = days(tr["end_date"]) if "end_date" in tr.columns else np.full(len(tr), np.nan)
    order = np.lexsort((np.nan_to_num(end, nan=np.inf), start, ids.to_numpy()))
    tr = tr.iloc[order]
    patient_ids = np.sort(ids.unique()).astype(object)
    index_of = pd.Index(patient_ids)
    p_code = index_of.get_indexer(pd.Index(ids.iloc[order])).astype(np.int64)
    start, end = start[order], end[order]
    dose = pd.to_numeric(tr["dose_mg_per_day"], errors="coerce").to_numpy(dtype=np.float64)
    _check_periods(tr, p_code, start, end, dose)
    # A period whose end date is the day before the patient's next period starts was recorded
    # with its last day at that dose as end_date (the cohort contract's reading): the drug
    # ran without a break, so the period is joined to the next one (its end becomes the next
    # start) instead of leaving the patient off drug for a day that never happened.
    same_next = np.r_[p_code[1:] == p_code[:-1], False]
    next_start = np.r_[start[1:], np.nan]
    end = np.where(same_next & (next_start - end == 1), next_start, end)
    reason = np.full(len(tr), None, dtype=object)
    if "end_reason" in tr.columns:
        given = tr["end_reason"].astype(object)
        known = given.notna().to_numpy(dtype=bool)
        reason[known] = given.to_numpy()[known]
    n = len(patient_ids)
    index_day = np.full(n, np.inf)
    np.minimum.at(index_day, p_code, start)
    fu_end = _follow_up_end(cohort, index_of, as_of)
    fu_end = np.fmax(fu_end, index_day)
    end_filled = np.where(np.isnan(end), np.maximum(fu_end[p_code], start), end)

    v = cohort.visits
    v_code_all = index_of.get_indexer(pd.Index(v["patient_id"].astype(str))).astype(np.int64)
    clasi = (
        pd.to_numeric(v["clasi_a"], errors="coerce").to_numpy(dtype=np.float64)
        if "clasi_a" in v.columns
        else np.full(len(v), np.nan)
    )
    v_day_all = days(v["visit_date"])
    keep = (v_code_all >= 0) & ~np.isnan(clasi) & ~np.isnan(v_day_all)
    v_code, v_day, v_clasi = v_code_all[keep], v_day_all[keep], clasi[keep]
    vorder = np.lexsort((v_clasi, v_day, v_code))
    v_code, v_day, v_clasi = v_code[vorder], v_day[vorder], v_clasi[vorder]
    v_dose, v_judged = _dose_on(p_code, start, end, dose, v_code, v_day)
    return Timeline(
        drug=drug.lower(),
        patient_ids=patient_ids,
        index_day=index_day,
        follow_up_end=fu_end,
        p_code=p_code,
        p_start=start,
        p_end=end,
        p_end_filled=end_filled,
        p_dose=dose,
        p_reason=reason,
        v_code=v_code,
        v_day=v_day,
        v_clasi=v_clasi,
        v_dose=v_dose,
        v_judged=v_judged,
    )


@dataclass(frozen=True)
class Blocks:
    """Dose blocks: consecutive periods of one patient with the same dose and no gap.

    Sorted by patient and start; ``start`` and ``end`` are day numbers (an ongoing block
    ends at the end of follow-up).
    """

    code: Codes
    start: Float
    end: Float
    dose: Float


def dose_blocks(tl: Timeline) -> Blocks:
    """Merge each patient's contiguous periods of equal dose into blocks.

    Examples
    --------
    See ``tests/outcomes/test_dose_episodes.py``.
    """
    code, start, end, dose = tl.p_code, tl.p_start, tl.p_end_filled, tl.p_dose
    if len(code) == 0:
        return Blocks(code, start, end, dose)
    starts_block = np.ones(len(code), dtype=bool)
    starts_block[1:] = (code[1:] != code[:-1]) | (dose[1:] != dose[:-1]) | (start[1:] != end[:-1])
    block = np.cumsum(starts_block) - 1
    b_end = np.zeros(int(block[-1]) + 1)
    np.maximum.at(b_end, block, end)
    return Blocks(code[starts_block], start[starts_block], b_end, dose[starts_block])
