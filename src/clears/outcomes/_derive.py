"""Derive per-patient outcomes under one or more criteria presets.

One row per patient × preset; the columns are listed in :data:`COLUMNS` and documented in
``docs/outcomes.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.cohort import Cohort, with_optional_columns
from clears.criteria import CATEGORIES, Preset, get
from clears.instruments.flare import SEVERE_READINGS
from clears.outcomes._baseline import BASELINE_WINDOW_DAYS, baseline, severity_band
from clears.outcomes._dosing import dosing
from clears.outcomes._exposure import DAYS_PER_YEAR, exposure
from clears.outcomes._flares import Flares, flares
from clears.outcomes._relapse import relapse, stopped_in_cr_without_relapse
from clears.outcomes._response import response
from clears.outcomes._timeline import build_timeline

__all__ = ["COLUMNS", "derive"]

#: Output columns, in order.
COLUMNS: Final = (
    "patient_id",
    "criteria",
    "criteria_version",
    "drug",
    "index_date",
    "follow_up_end",
    "baseline_date",
    "baseline_clasi_a",
    "baseline_severity",
    "evaluable",
    "not_evaluable_reason",
    "best_response",
    "assessment_week",
    "response_at_assessment",
    "time_to_minimal_days",
    "minimal_event",
    "time_to_partial_days",
    "partial_event",
    "time_to_complete_days",
    "complete_event",
    "relapse_at_risk",
    "relapse",
    "relapse_date",
    "n_relapses",
    "time_to_relapse_days",
    "relapse_time_origin",
    "time_from_response_to_relapse_days",
    "relapse_dose_mg_per_day",
    "relapse_setting",
    "sustained_dose_reduction",
    "min_effective_dose_mg_per_day",
    "exposure_days",
    "exposure_patient_years",
    "n_courses",
    "n_retreatments",
    "discontinued",
    "discontinuation_date",
    "discontinuation_reason",
    "stopped_in_cr_without_relapse",
    "sle_at_index",
    "sle_flare",
    "sle_flare_severe",
    "time_to_sle_flare_days",
    "sle_flare_source",
    "new_sle",
)

_NAMES = np.array(CATEGORIES, dtype=object)


def _dates(day: np.ndarray) -> pd.Series:
    # Day numbers since the epoch (NaN = no date) to datetime64[s]. Done in NumPy because
    # pandas 2.x's to_datetime(float, unit="D") can fail on NaN (pandas-dev/pandas#58419).
    days = np.asarray(day, dtype=np.float64)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    known = ~np.isnan(days)
    out[known] = (np.rint(days[known] * 86_400)).astype(np.int64).astype("datetime64[s]")
    return pd.Series(out, dtype="datetime64[s]")


def _sle_at_index(cohort: Cohort, ids: np.ndarray) -> pd.Series:
    # patients.sle per patient on the time line (boolean, NA when not recorded).
    pats = cohort.patients
    if "sle" not in pats.columns or not len(pats):
        return pd.Series(pd.array([None] * len(ids), dtype="boolean"))
    keyed = pats.assign(_id=pats["patient_id"].astype(str)).drop_duplicates("_id")
    values = keyed.set_index("_id")["sle"].reindex(pd.Index(ids.astype(str))).astype("boolean")
    return pd.Series(values.to_numpy(), dtype="boolean")


def _time_event(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    event = ~np.isnan(first)
    return np.where(event, first, last), event


def _resolve(criteria: Sequence[str | Preset], severe_reading: str | None) -> list[Preset]:
    presets = [c if isinstance(c, Preset) else get(c) for c in criteria]
    labels = [p.label for p in presets]
    problems = []
    if len(set(labels)) != len(labels):
        problems.append(Problem("criteria", labels, "a preset is named twice", "distinct presets"))
    if severe_reading is not None and severe_reading not in SEVERE_READINGS:
        problems.append(
            Problem(
                "flare_severe_reading",
                severe_reading,
                "unknown reading of the SLEDAI severe flare threshold",
                ", ".join(SEVERE_READINGS) + " (or None for the rule's own)",
            )
        )
    if problems:
        raise InputError(problems)
    return presets


def derive(
    cohort: Cohort,
    criteria: Sequence[str | Preset] = ("aitmehdi2021",),
    *,
    drug: str = "lenalidomide",
    baseline_window_days: int = BASELINE_WINDOW_DAYS,
    sustained_days: int = 180,
    course_gap_days: int = 28,
    as_of: pd.Timestamp | str | None = None,
    flare_severe_reading: str | None = None,
) -> pd.DataFrame:
    """Derive outcomes for every patient who received ``drug``, under each preset.

    Parameters
    ----------
    cohort
        The cohort tables (:func:`clears.cohort.read`).
    criteria
        Preset names (:data:`clears.criteria.PRESETS`) or :class:`~clears.criteria.Preset`
        objects (:func:`clears.criteria.load`).
    drug
        The studied drug; the index date is the start of its first dose period.
    baseline_window_days
        Baseline is the last visit with a CLASI-A on or before the index date and at most
        this many days before it.
    sustained_days
        A dose "holds the response" when kept this many days after the first response
        without relapse (sustained dose reduction, minimum effective dose).
    course_gap_days
        A gap longer than this between dose periods starts a new course.
    as_of
        End of follow-up for everyone (ongoing periods run to it); default: each patient's
        last recorded date in any table.
    flare_severe_reading
        How a SLEDAI increase makes a *severe* flare under the SELENA flare index rule
        (:data:`clears.instruments.flare.SEVERE_READINGS`): ``"to"`` (the qualifying
        increase takes the total to more than 12) or ``"change"`` (the increase itself is
        more than 12). None (default) uses each rule's own reading (``"to"`` for the SFI).
        The ``cortes2012`` flare rule defines severe as a change > 12 and ignores it.

    Returns
    -------
    pandas.DataFrame
        One row per patient × preset with the columns of :data:`COLUMNS`, documented in
        ``docs/outcomes.md``. ``criteria`` and ``criteria_version`` name the preset.

    Raises
    ------
    InputError
        Overlapping dose periods of the drug, an end before a start, a missing or negative
        dose, a CLASI-A outside 0-70, a SLEDAI total that is not a whole number 0-105, a
        preset named twice, or an unknown ``flare_severe_reading``.
    NotFoundError
        An unknown preset name.

    References
    ----------
    Each preset cites its source (``clears.criteria.get(name).reference``). Severity bands:
    Klein R, et al. Arch Dermatol 2011;147(2):203-208, doi:10.1001/archdermatol.2010.435.
    """
    presets = _resolve(criteria, flare_severe_reading)
    # An absent optional column means the same as a present, blank one.
    cohort = with_optional_columns(cohort)
    stamp = None if as_of is None else pd.Timestamp(as_of)
    tl = build_timeline(cohort, drug=drug, as_of=stamp)
    base = baseline(tl, window_days=baseline_window_days)
    expo = exposure(tl, course_gap_days=course_gap_days)
    shared = {
        "patient_id": tl.patient_ids,
        "drug": tl.drug,
        "index_date": _dates(tl.index_day),
        "follow_up_end": _dates(tl.follow_up_end),
        "baseline_date": _dates(base.day),
        "baseline_clasi_a": base.clasi_a,
        "baseline_severity": severity_band(base.clasi_a),
        "exposure_days": expo.days,
        "exposure_patient_years": expo.days / DAYS_PER_YEAR,
        "n_courses": expo.n_courses,
        "n_retreatments": expo.n_courses - 1,
        "discontinued": expo.discontinued,
        "discontinuation_date": _dates(expo.stop_day + tl.index_day),
        "discontinuation_reason": expo.reason,
        "sle_at_index": _sle_at_index(cohort, tl.patient_ids),
    }
    by_rule: dict[str | None, Flares] = {}
    frames = []
    for preset in presets:
        if preset.flare_rule not in by_rule:
            by_rule[preset.flare_rule] = flares(
                cohort, tl, rule=preset.flare_rule, severe_reading=flare_severe_reading
            )
        fl = by_rule[preset.flare_rule]
        resp = response(tl, base, preset)
        rel = relapse(tl, resp, preset)
        lowest = preset.response.levels[0]
        dose = dosing(tl, resp.first_day[lowest], rel, sustained_days=sustained_days)
        cols: dict[str, object] = dict(shared)
        cols["criteria"] = preset.name
        cols["criteria_version"] = preset.version
        cols["sle_flare"] = fl.any
        cols["sle_flare_severe"] = fl.severe
        cols["time_to_sle_flare_days"] = fl.first_day
        cols["sle_flare_source"] = fl.source
        cols["new_sle"] = pd.Series(fl.new_sle, dtype="boolean")
        evaluable = resp.reason == None  # noqa: E711
        cols["evaluable"] = evaluable
        cols["not_evaluable_reason"] = resp.reason
        cols["best_response"] = np.where(evaluable, _NAMES[resp.best_rank + 1], "not_evaluable")
        week = preset.response.assessment_week
        cols["assessment_week"] = pd.array([week] * tl.n, dtype="Int64")
        if week is None:
            cols["response_at_assessment"] = np.full(tl.n, None, dtype=object)
        else:
            at = np.where(evaluable, _NAMES[resp.assessment_rank + 1], "not_evaluable")
            cols["response_at_assessment"] = at
        for level in ("minimal", "partial", "complete"):
            defined = level in preset.response.levels
            t, e = _time_event(resp.first_day[level], resp.last_day)
            t = np.where(evaluable & defined, t, np.nan)
            cols[f"time_to_{level}_days"] = t
            cols[f"{level}_event"] = pd.array(
                np.where(evaluable & defined, e, False), dtype="boolean"
            )
            if not defined:
                cols[f"{level}_event"] = pd.array([None] * tl.n, dtype="boolean")
        cols["relapse_at_risk"] = rel.at_risk & evaluable
        relapse_flag = pd.array(rel.event & evaluable, dtype="boolean")
        if not rel.defined:
            relapse_flag = pd.array([None] * tl.n, dtype="boolean")
        cols["relapse"] = relapse_flag
        cols["relapse_date"] = _dates(rel.day + tl.index_day)
        n_relapses = pd.array(np.where(evaluable, rel.count, 0), dtype="Int64")
        cols["n_relapses"] = n_relapses if rel.defined else pd.array([None] * tl.n, dtype="Int64")
        cols["time_to_relapse_days"] = rel.time
        cols["relapse_time_origin"] = rel.origin
        cols["time_from_response_to_relapse_days"] = rel.time_from_response
        cols["relapse_dose_mg_per_day"] = rel.dose
        cols["relapse_setting"] = rel.setting
        cols["sustained_dose_reduction"] = dose.sustained_reduction & evaluable
        cols["min_effective_dose_mg_per_day"] = np.where(evaluable, dose.min_effective_dose, np.nan)
        if "complete" in preset.response.levels:
            stopped = stopped_in_cr_without_relapse(tl, resp, rel, expo) & evaluable
            cols["stopped_in_cr_without_relapse"] = pd.array(stopped, dtype="boolean")
        else:
            cols["stopped_in_cr_without_relapse"] = pd.array([None] * tl.n, dtype="boolean")
        frames.append(pd.DataFrame(cols, columns=list(COLUMNS)))
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)
