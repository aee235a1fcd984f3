"""Assemble a virtual cohort: the six cohort tables for ``n`` simulated patients.

``simulate(preset, n, rng)`` draws baselines (:mod:`~clears.simulate.baseline`), response
courses (:mod:`~clears.simulate.disease`), dosing and relapses
(:mod:`~clears.simulate.dosing`) and events (:mod:`~clears.simulate.events`), then writes
visits with item-level CLASI, SLEDAI items for SLE patients and labs, and the concomitant
medications of the baseline's concomitant treatments (:mod:`~clears.simulate.medications`).
The same generator state gives the same cohort, byte for byte, once written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears.cohort import Cohort, conform
from clears.instruments.clasi import score_frame
from clears.instruments.sledai import DEFINITION as SLEDAI
from clears.instruments.sledai import score_frame as sledai_score
from clears.simulate.baseline import Baseline, draw_baseline
from clears.simulate.disease import Course, clasi_at, draw_course, item_orders, items_for
from clears.simulate.dosing import Period, Plan, plan_patient
from clears.simulate.events import AE_TERMS, adverse_events, flare, labs, sledai_items
from clears.simulate.medications import medication_rows
from clears.simulate.presets import SimulationPreset, get_preset

__all__ = ["REGIMENS", "simulate"]

#: Average daily dose (mg/day) -> regimen label (Cortés-Hernández 2012 regimens; weekly
#: steps as in Aitmehdi 2021, minimum effective dose down to 0.7 mg/day).
REGIMENS: Final = {
    10.0: "10 mg daily",
    5.0: "5 mg daily",
    2.5: "5 mg alternate days",
    2.14: "5 mg three times weekly",
    1.43: "5 mg twice weekly",
    0.71: "5 mg once weekly",
}
_DAMAGE_PER_YEAR: Final = 0.7  # Cortés 2012: CLASI-D 2.39 -> 3.08 after one year
_OUTCOME: Final = {"neutropenia": "resolved", "asthenia": "resolved"}
#: Visit rows turned into item-level CLASI at a time (bounds the memory of the orders).
_CHUNK: Final = 50_000


def _visit_days(preset: SimulationPreset, follow_up: int, rng: np.random.Generator) -> list[int]:
    v = preset.section("visits")
    first = int(rng.choice(v["first_days"], p=v["first_probabilities"]))
    days = [0, first]
    early_until = int(v.get("early_until_days", 0))
    while days[-1] + int(v.get("early_interval_days", v["interval_days"])) <= early_until:
        days.append(days[-1] + int(v.get("early_interval_days", v["interval_days"])))
    step = int(v["interval_days"])
    nxt = (days[-1] // step + 1) * step if early_until == 0 else days[-1] + step
    while nxt < follow_up:
        days.append(nxt)
        nxt += step
    # extra_days: scheduled visits besides the regular ones (e.g. a week-2 assessment)
    days = sorted({*days, *(int(d) for d in v.get("extra_days", ()))})
    return [d for d in days if d <= follow_up] + [follow_up]


def _apply_events(plan: Plan, events: list[Any]) -> list[Any]:
    kept = []
    for ev in events:
        if ev.day >= plan.follow_up:
            break
        kept.append(ev)
        if ev.action == "withdrawn":
            _stop(plan, ev.day, "adverse_event")
            break
        if ev.action == "interrupted":
            for k, p in enumerate(plan.periods):
                end = plan.follow_up if p.end is None else p.end
                if p.start < ev.day < end:
                    resume = ev.day + 14
                    tail = Period(resume, p.end, p.dose, p.end_reason)
                    p.end, p.end_reason = ev.day, "adverse_event"
                    if resume < end:
                        plan.periods.insert(k + 1, tail)
                    break
    return kept


def _stop(plan: Plan, day: int, reason: str) -> None:
    kept = [p for p in plan.periods if p.start < day]
    if kept and (kept[-1].end is None or kept[-1].end > day):
        kept[-1].end, kept[-1].end_reason = day, reason
    plan.periods = kept
    plan.relapses = [r for r in plan.relapses if r[0] < day]
    plan.follow_up = min(plan.follow_up, day + 28)


def simulate(preset: str | SimulationPreset, n: int, rng: np.random.Generator) -> Cohort:
    """Simulate a cohort of ``n`` patients under a preset.

    Parameters
    ----------
    preset
        Preset name (``clears.simulate.PRESETS``) or a loaded preset.
    n
        Number of patients (1-100,000).
    rng
        The random generator; the same state gives the same cohort.

    Returns
    -------
    Cohort
        Canonical, validated tables (``source`` names the preset); ``patients`` carries
        extra ``concomitant_*`` columns, and ``sle_onset_date`` (a schema column) is the
        SLE diagnosis date of a CLE-only patient who developed SLE.

    Examples
    --------
    >>> import numpy as np
    >>> cohort = simulate("cortes2012", 3, np.random.default_rng(1))
    >>> cohort.n_patients, cohort.source
    (3, 'simulated:cortes2012')
    """
    from clears._exceptions import InputError, Problem

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100_000:
        raise InputError(Problem("n", n, "is not a usable number of patients", "1-100000"))
    p = preset if isinstance(preset, SimulationPreset) else get_preset(preset)
    base = draw_baseline(p, n, rng)
    course = draw_course(p, base.clasi_a0, base.band, base.subtypes, base.smoker, rng)
    act, dmg, val = item_orders(base.subtypes, rng)
    doubled = rng.random(n) < 0.5
    damage_rate = rng.exponential(_DAMAGE_PER_YEAR, n)
    fu = p.section("follow_up")
    months = np.exp(rng.normal(np.log(fu["median_months"]), 0.5, n))
    follow = np.round(np.clip(months, fu["min_months"], fu["max_months"]) * 30.44).astype(int)
    index = pd.Timestamp(p.params["first_index_date"]) + pd.to_timedelta(base.index_day, unit="D")
    young = (base.patients["sex"].to_numpy(dtype=object) == "female") & (
        index.year.to_numpy() - base.patients["birth_year"].to_numpy(dtype=np.int64) < 50
    )
    rows = _Rows(n)
    for i in range(n):
        _patient(p, i, base, course, follow, damage_rate, rows, rng)
    return _assemble(
        p, base, index, _visits(base, index, (act, dmg, val, doubled), young, rows), rows
    )


@dataclass
class _Rows:
    """What the per-patient loop draws, kept as plain arrays until the tables are built."""

    n: int
    visit_days: list[list[int]] = field(default_factory=list)
    activity: list[npt.NDArray[np.int64]] = field(default_factory=list)
    damage: list[npt.NDArray[np.int64]] = field(default_factory=list)
    labs: list[dict[str, Any]] = field(default_factory=list)
    sledai: dict[int, list[dict[str, int]]] = field(default_factory=dict)
    periods: list[tuple[int, Period]] = field(default_factory=list)
    events: list[tuple[int, Any]] = field(default_factory=list)
    flares: list[tuple[int, int, str]] = field(default_factory=list)
    onset: dict[int, int] = field(default_factory=dict)


def _patient(
    p: SimulationPreset,
    i: int,
    base: Baseline,
    course: Course,
    follow: npt.NDArray[np.int64],
    damage_rate: npt.NDArray[np.float64],
    rows: _Rows,
    rng: np.random.Generator,
) -> None:
    """Draw one patient's dosing, events, visits and labs into ``rows`` (in generator order)."""
    sle_p, rel = p.section("sle"), p.section("relapse")
    a0, cat = int(base.clasi_a0[i]), int(course.category[i])
    plat, tday = int(course.plateau[i]), float(course.plateau_day[i])
    grid = np.arange(0, int(tday) + 2)
    under = np.flatnonzero(clasi_at(a0, plat, tday, course.shape, grid) * 2 <= a0)
    pr_day = float(grid[under[0]]) if cat >= 2 and under.size else float("inf")
    plan = plan_patient(
        p, a0=a0, category=cat, response_day=tday, pr_day=pr_day,
        subtypes=str(base.subtypes[i]), follow_up=int(follow[i]), rng=rng,
    )  # fmt: skip
    on_drug = sum((plan.follow_up if q.end is None else q.end) - q.start for q in plan.periods)
    events = _apply_events(plan, adverse_events(p, on_drug, rng))
    extra = [r[0] for r in plan.relapses] + [e.day for e in events]
    flare_day, severe = None, False
    if base.sle[i] and rng.random() < float(sle_p["flare"]):
        flare_day = int(rng.integers(30, max(plan.follow_up, 31)))
        severe = bool(rng.random() < float(sle_p["severe_among_flares"]))
        if rng.random() < float(sle_p["flare_withdrawal"]) / max(
            float(sle_p["flare"]) * float(p.section("baseline")["sle"]), 1e-9
        ):
            _stop(plan, flare_day, "sle_flare")
        if flare_day < plan.follow_up:
            extra.append(flare_day)
            rows.flares.append((i, flare_day, "severe" if severe else "mild_moderate"))
        else:
            flare_day = None
    if not base.sle[i] and rng.random() < float(sle_p["new_sle"]):
        rows.onset[i] = int(rng.integers(60, max(plan.follow_up, 61)))
    days = sorted({d for d in _visit_days(p, plan.follow_up, rng) + extra if d <= plan.follow_up})
    t = np.array(days, dtype=float)
    score = clasi_at(a0, plat, tday, course.shape, t)
    recovery = float(rel["recovery_weeks"]) * 7
    for rday, rise in plan.relapses:
        inside = (t >= rday) & (t < rday + recovery)
        frac = np.clip(1 - (t - rday) / recovery, 0, 1) ** course.shape
        score = score + np.where(inside, np.ceil(np.round(rise * frac, 9)), 0).astype(np.int64)
    rows.visit_days.append(days)
    rows.activity.append(np.minimum(score, 70))
    dpts = np.minimum(base.clasi_d0[i] + np.floor(damage_rate[i] * t / 365.25), 38)
    rows.damage.append(dpts.astype(np.int64))
    lab = labs(len(days), bool(base.sle[i]), rng)
    for ev in events:
        if ev.kind == "neutropenia" and ev.day in days:
            lab["anc"][days.index(ev.day)] = 1.2 if ev.grade >= 2 else 1.7
    rows.labs.append(lab)
    if base.sle[i]:
        items = sledai_items(int(base.sledai0[i]), rng)
        rows.sledai[i] = [
            flare(items, severe) if flare_day is not None and d == flare_day else items
            for d in days
        ]
    rows.periods += [(i, q) for q in plan.periods]
    rows.events += [(i, ev) for ev in events if ev.day <= plan.follow_up]


def _dates(index: pd.DatetimeIndex, who: Any, days: Any) -> pd.Series:
    """``index[who] + days`` as dates; a missing day (NaN) gives NaT."""
    values = np.asarray(days, dtype=float)
    missing = np.isnan(values)
    # Whole days as integers (no NaN reaches the conversion, whose float path can warn).
    offset = pd.to_timedelta(np.where(missing, 0, values).astype(np.int64), unit="D")
    dates = pd.Series(index[np.asarray(who, dtype=np.int64)] + offset, dtype="datetime64[ns]")
    return dates.mask(missing)


def _visits(
    base: Baseline,
    index: pd.DatetimeIndex,
    orders: tuple[Any, Any, Any, Any],
    young: npt.NDArray[np.bool_],
    rows: _Rows,
) -> pd.DataFrame:
    """The visits table: item-level CLASI, labs, pregnancy tests and SLEDAI items."""
    act, dmg, val, doubled = orders
    counts = np.array([len(d) for d in rows.visit_days], dtype=np.int64)
    who = np.repeat(np.arange(rows.n), counts)
    days = np.concatenate([np.asarray(d, dtype=np.int64) for d in rows.visit_days])
    activity, damage = np.concatenate(rows.activity), np.concatenate(rows.damage)
    chunks = [
        items_for(act[who[k : k + _CHUNK]], dmg[who[k : k + _CHUNK]], val[who[k : k + _CHUNK]],
                  activity[k : k + _CHUNK], damage[k : k + _CHUNK], doubled[who[k : k + _CHUNK]])
        for k in range(0, len(who), _CHUNK)
    ]  # fmt: skip
    frame = pd.concat(chunks, ignore_index=True)
    frame.insert(0, "visit_date", _dates(index, who, days))
    frame.insert(0, "patient_id", base.patients["patient_id"].to_numpy(dtype=object)[who])
    for name in rows.labs[0]:
        frame[name] = np.concatenate([lab[name] for lab in rows.labs])
    frame["pregnancy_test"] = np.where(young[who], "negative", "not_done")
    if rows.sledai:
        columns = SLEDAI.columns  # a property: read once, not per visit
        codes = np.full((len(who), len(columns)), np.nan, dtype=np.float32)
        starts = np.concatenate([[0], np.cumsum(counts)])
        for i, visits in rows.sledai.items():
            codes[starts[i] : starts[i + 1]] = [[v[c] for c in columns] for v in visits]
        frame = frame.join(pd.DataFrame(codes, columns=list(columns)))
    scored = score_frame(frame[[c for c in frame.columns if c.startswith("clasi_")]])
    frame.insert(2, "clasi_a", scored["clasi_a"].to_numpy())
    frame.insert(3, "clasi_d", scored["clasi_d"].to_numpy())
    if rows.sledai:
        has = frame[list(SLEDAI.columns)].notna().all(axis=1)
        total = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        total[has] = sledai_score(frame.loc[has, list(SLEDAI.columns)].astype("int64"))
        frame.insert(4, "sledai", total)
    return frame


def _assemble(
    p: SimulationPreset,
    base: Baseline,
    index: pd.DatetimeIndex,
    visits: pd.DataFrame,
    rows: _Rows,
) -> Cohort:
    ids = base.patients["patient_id"].to_numpy(dtype=object)
    onset = np.full(rows.n, np.nan)
    onset[list(rows.onset)] = list(rows.onset.values())
    pats = base.patients.assign(sle_onset_date=_dates(index, np.arange(rows.n), onset).to_numpy())
    who = [i for i, _ in rows.periods]
    q = [period for _, period in rows.periods]
    periods = pd.DataFrame(
        {
            "patient_id": ids[who],
            "drug": p.params["drug"],
            "start_date": _dates(index, who, [x.start for x in q]),
            "dose_mg_per_day": [x.dose for x in q],
            "end_date": _dates(index, who, [np.nan if x.end is None else x.end for x in q]),
            "regimen": [REGIMENS.get(x.dose, f"{x.dose:g} mg/day") for x in q],
            "end_reason": [x.end_reason for x in q],
        }
    )
    who = [i for i, _ in rows.events]
    ev = [event for _, event in rows.events]
    ae = pd.DataFrame(
        {
            "patient_id": ids[who],
            "onset_date": _dates(index, who, [e.day for e in ev]),
            "term": [AE_TERMS[e.kind] for e in ev],
            "grade": [e.grade for e in ev],
            "serious": [e.serious for e in ev],
            "related": True,
            "action": [e.action for e in ev],
            "outcome": [_OUTCOME.get(e.kind, "unknown") for e in ev],
            "category": [e.kind for e in ev],
        }
    )
    who = [i for i, _, _ in rows.flares]
    fl = pd.DataFrame(
        {
            "patient_id": ids[who],
            "flare_date": _dates(index, who, [day for _, day, _ in rows.flares]),
            "severity": [severity for _, _, severity in rows.flares],
            "source": "sfi",
        }
    )
    raw = Cohort(
        pats,
        periods,
        visits,
        ae,
        fl,
        concomitant_medications=medication_rows(pats, periods, str(p.params["drug"])),
        source=f"simulated:{p.name}",
    )
    return conform(raw)
