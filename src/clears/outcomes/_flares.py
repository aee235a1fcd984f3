"""SLE flares during follow-up, from the flares table and from SLEDAI changes; new SLE.

Two sources, each counted when the flare is dated after the index date and no later than
the end of follow-up:

``flares_table``
    Rows of the cohort's ``flares`` table; ``severity == "severe"`` marks a severe flare.
``sledai``
    The change of the ``sledai`` total from the visit the preset's ``flare_rule`` names
    (:attr:`clears.instruments.flare.Rule.reference_visit`): from the patient's baseline
    total for ``cortes2012`` (the last on or before the index date, at most
    :data:`~clears.outcomes._baseline.BASELINE_WINDOW_DAYS` before it), from the previous
    visit with a total for ``sfi`` (visits without a total are skipped; visits are ordered
    by date, ties by score), classified by
    :func:`clears.instruments.flare.classify_change` with the rule's own readings:
    ``cortes2012`` (change > 3 mild, > 12 severe; Cortés-Hernández 2012, doi:10.1186/ar4111)
    or ``sfi`` (increase ≥ 3 mild/moderate, severe when that increase takes the score to
    > 12; SELENA flare index, Petri 2005). The flare is dated at the later visit; the
    reference may precede the index date. Presets without a flare rule use the flares table
    only.

Per patient the two are combined as a union: a flare when either source has one, the first
date of either, severe when either has a severe one. ``source`` says which source(s) found a
flare (``"both"``, ``"sledai"``, ``"flares_table"``; None without a flare).

New SLE: a patient recorded without SLE (``patients.sle`` false) whose SLE *diagnosis* is
recorded after the index date and no later than the end of follow-up, in the optional
patients column ``sle_onset_date`` (the date SLE was diagnosed). Aitmehdi 2021 reports it
as a diagnosis, "SLE with articular involvement developed in 1 patient with isolated CLE"
(Table 2: "Development of SLE among patients with isolated CLE (n = 14) 1 (7)"), and
Cortés-Hernández 2012 as progression, "None of the patients with CLE progressed to a
systemic disease". A flares-table row is not a diagnosis (a clinician may record a flare
of symptoms in a CLE-only patient without SLE being diagnosed), and SLEDAI increases are
not either (the SLEDAI scores rash and alopecia, which CLE alone produces). Missing when
``sle`` is not recorded or the patient already had SLE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._cells import missing_mask
from clears._exceptions import InputError, Problem
from clears.cohort import Cohort
from clears.instruments.flare import RULES, classify_change
from clears.instruments.sledai import MAXIMUM as SLEDAI_MAXIMUM
from clears.outcomes._baseline import BASELINE_WINDOW_DAYS
from clears.outcomes._group import first_true, group_max
from clears.outcomes._timeline import Codes, Timeline, days

__all__ = ["Flares", "flares"]

Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Flares:
    """Per patient SLE flare outcomes.

    ``source`` and ``new_sle`` are object arrays (a string or None; True/False/None).
    """

    any: Bool
    severe: Bool
    first_day: Float
    source: npt.NDArray[np.object_]
    new_sle: npt.NDArray[np.object_]


@dataclass(frozen=True)
class _Events:
    any: Bool
    severe: Bool
    first_day: Float


def _window(tl: Timeline, code: Codes, day: Float, flare: Bool, severe: Bool) -> _Events:
    """Reduce flare rows to patients, keeping those after the index date up to follow-up end."""
    rel = day - tl.index_day[code]
    inside = flare & (rel > 0) & (day <= tl.follow_up_end[code])
    first = first_true(code, rel, inside, tl.n)
    hard = inside & severe
    return _Events(~np.isnan(first), np.isfinite(group_max(code[hard], rel[hard], tl.n)), first)


def _table_events(cohort: Cohort, tl: Timeline, index: pd.Index) -> _Events:
    fl = cohort.flares
    code = index.get_indexer(pd.Index(fl["patient_id"].astype(str))).astype(np.int64)
    keep = code >= 0
    day = days(fl["flare_date"])[keep]
    severe = fl["severity"].astype(str).str.lower().to_numpy()[keep] == "severe"
    return _window(tl, code[keep], day, np.ones(len(day), dtype=bool), severe)


def _sledai_scores(visits: pd.DataFrame) -> Float:
    """The ``sledai`` column as floats; a value that is not a whole number 0-105 is an error."""
    raw = visits["sledai"].astype(object)
    score = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    given = ~missing_mask(raw) & ~(raw == "").to_numpy(bool)
    valid = ~np.isnan(score) & (np.mod(score, 1) == 0) & (score >= 0) & (score <= SLEDAI_MAXIMUM)
    bad = np.flatnonzero(given & ~valid)
    if len(bad):
        raise InputError(
            Problem(
                "sledai",
                raw.iloc[i],
                "is not a SLEDAI-2K total",
                f"a whole number 0 to {SLEDAI_MAXIMUM}",
                "visits",
                int(i) + 1,
            )
            for i in bad[:20]
        )
    return score


def _sledai_events(
    cohort: Cohort, tl: Timeline, index: pd.Index, rule: str, severe_reading: str | None
) -> _Events:
    visits = cohort.visits
    if "sledai" not in visits.columns:
        return _Events(np.zeros(tl.n, bool), np.zeros(tl.n, bool), np.full(tl.n, np.nan))
    score = _sledai_scores(visits)
    code = index.get_indexer(pd.Index(visits["patient_id"].astype(str))).astype(np.int64)
    day = days(visits["visit_date"])
    rows = np.flatnonzero((code >= 0) & ~np.isnan(score) & ~np.isnan(day))
    rows = rows[np.lexsort((score[rows], day[rows], code[rows]))]
    code, day, current = code[rows], day[rows], score[rows]
    spec = RULES.get(rule)  # an unknown rule is reported by classify_change
    if spec is not None and spec.reference_visit == "baseline":
        # The rule's change is from baseline: the last total on or before the index date and
        # at most BASELINE_WINDOW_DAYS before it (ties: the highest, rows are sorted by score).
        rel = day - tl.index_day[code]
        inside = (rel <= 0) & (rel >= -BASELINE_WINDOW_DAYS)
        pos = group_max(code[inside], np.flatnonzero(inside).astype(np.float64), tl.n)
        found_base = np.isfinite(pos)
        base = np.full(tl.n, np.nan)
        base[found_base] = current[pos[found_base].astype(np.int64)]
        previous = base[code]
    else:
        # The total before each one, of the same patient (NaN for a patient's first total).
        previous = np.full(len(current), np.nan)
        same = code[1:] == code[:-1]
        previous[1:] = np.where(same, current[:-1], np.nan)
    own = spec.severe_reading if spec is not None else "to"
    reading = own if severe_reading is None else severe_reading
    found = classify_change(previous, current, rule=rule, severe_reading=reading)
    flare = (found.notna() & (found != "none")).to_numpy(dtype=bool)
    severe = (found == "severe").to_numpy(dtype=bool)
    return _window(tl, code, day, flare, severe)


def _onset_days(column: pd.Series) -> Float:
    """Day numbers of ``sle_onset_date``; a value that is not a date is an InputError."""
    raw = column.astype(object)
    given = ~missing_mask(raw) & ~(raw == "").to_numpy(bool)
    blanked: pd.Series = raw.mask(pd.Series(~given, index=raw.index))
    parsed = pd.to_datetime(blanked, errors="coerce", format="mixed")
    bad = np.flatnonzero(given & parsed.isna().to_numpy(dtype=bool))
    if len(bad):
        raise InputError(
            Problem(
                "sle_onset_date",
                raw.iloc[i],
                "is not a date",
                "an ISO 8601 date (YYYY-MM-DD), blank when SLE has not been diagnosed",
                "patients",
                int(i) + 1,
            )
            for i in bad[:20]
        )
    return days(parsed)


def _new_sle(cohort: Cohort, tl: Timeline, index: pd.Index) -> npt.NDArray[np.object_]:
    n = tl.n
    new_sle = np.full(n, None, dtype=object)
    pats = cohort.patients
    if "sle" not in pats.columns:
        return new_sle
    pcode = index.get_indexer(pd.Index(pats["patient_id"].astype(str)))
    sle = pats["sle"].to_numpy(dtype=object)
    isolated = np.zeros(n, dtype=bool)
    ok = pcode >= 0
    values = sle[ok]
    recorded = np.array([v is not None and not pd.isna(v) for v in values], dtype=bool)
    isolated[pcode[ok][recorded]] = ~values[recorded].astype(bool)
    onset = np.full(n, np.nan)
    if "sle_onset_date" in pats.columns:
        onset[pcode[ok]] = _onset_days(pats["sle_onset_date"])[ok]
    later = (onset > tl.index_day) & (onset <= tl.follow_up_end)
    new_sle[isolated] = later[isolated]
    return new_sle


def flares(
    cohort: Cohort, tl: Timeline, *, rule: str | None, severe_reading: str | None = None
) -> Flares:
    """SLE flares for every patient on the time line, under the flare ``rule`` of a preset.

    Parameters
    ----------
    cohort
        The cohort tables (not modified).
    tl
        The time line (index date and end of follow-up per patient).
    rule
        A rule of :data:`clears.instruments.flare.RULES` (``"sfi"``, ``"cortes2012"``)
        applied to consecutive ``sledai`` totals, or None to use the flares table only.
    severe_reading
        ``"to"`` or ``"change"`` (:data:`clears.instruments.flare.SEVERE_READINGS`), passed
        to :func:`~clears.instruments.flare.classify_change`; None takes the rule's own. Only
        the SFI reads it (``cortes2012`` defines severe as a change > 12).

    Raises
    ------
    InputError
        A ``sledai`` value that is not a whole number 0-105, or an unknown rule.
    """
    index = pd.Index(tl.patient_ids)
    table = _table_events(cohort, tl, index)
    if rule is None:
        score = _Events(np.zeros(tl.n, bool), np.zeros(tl.n, bool), np.full(tl.n, np.nan))
    else:
        score = _sledai_events(cohort, tl, index, rule, severe_reading)
    source = np.full(tl.n, None, dtype=object)
    source[table.any] = "flares_table"
    source[score.any] = "sledai"
    source[table.any & score.any] = "both"
    return Flares(
        any=table.any | score.any,
        severe=table.severe | score.severe,
        first_day=np.fmin(table.first_day, score.first_day),
        source=source,
        new_sle=_new_sle(cohort, tl, index),
    )
