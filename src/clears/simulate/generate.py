"""Assemble a virtual cohort: the six cohort tables for ``n`` simulated patients.

``simulate(preset, n, rng)`` draws baselines (:mod:`~clears.simulate.baseline`), response
courses (:mod:`~clears.simulate.disease`), dosing and relapses
(:mod:`~clears.simulate.dosing`) and events (:mod:`~clears.simulate.events`), then writes
visits with item-level CLASI, SLEDAI items for SLE patients and labs, and the concomitant
medications of the baseline's concomitant treatments (:mod:`~clears.simulate.medications`).
The same generator state gives the same cohort, byte for byte, once written.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from clears.cohort import Cohort, conform
from clears.instruments.clasi_vector import score_frame
from clears.instruments.sledai import DEFINITION as SLEDAI
from clears.instruments.sledai import score_frame as sledai_score
from clears.simulate.baseline import draw_baseline
from clears.simulate.disease import clasi_at, draw_course, item_orders, items_for
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
    sle_p, rel = p.section("sle"), p.section("relapse")
    index = pd.Timestamp(p.params["first_index_date"]) + pd.to_timedelta(base.index_day, unit="D")
    treat: list[dict[str, Any]] = []
    visits: list[pd.DataFrame] = []
    aes: list[dict[str, Any]] = []
    flares: list[tuple[str, pd.Timestamp, str]] = []
    onset: list[Any] = [None] * n
    for i in range(n):
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
                flares.append(
                    (
                        str(base.patients["patient_id"].iloc[i]),
                        index[i] + pd.Timedelta(days=flare_day),
                        "severe" if severe else "mild_moderate",
                    )
                )
            else:
                flare_day = None
        if not base.sle[i] and rng.random() < float(sle_p["new_sle"]):
            onset[i] = index[i] + pd.Timedelta(days=int(rng.integers(60, max(plan.follow_up, 61))))
        days = sorted(
            {d for d in _visit_days(p, plan.follow_up, rng) + extra if d <= plan.follow_up}
        )
        t = np.array(days, dtype=float)
        score = clasi_at(a0, plat, tday, course.shape, t)
        recovery = float(rel["recovery_weeks"]) * 7
        for rday, rise in plan.relapses:
            inside = (t >= rday) & (t < rday + recovery)
            frac = np.clip(1 - (t - rday) / recovery, 0, 1) ** course.shape
            score = score + np.where(inside, np.ceil(np.round(rise * frac, 9)), 0).astype(np.int64)
        score = np.minimum(score, 70)
        dpts = np.minimum(base.clasi_d0[i] + np.floor(damage_rate[i] * t / 365.25), 38)
        m = len(days)
        frame = items_for(
            np.repeat(act[i : i + 1], m, 0), np.repeat(dmg[i : i + 1], m, 0),
            np.repeat(val[i : i + 1], m, 0), score, dpts.astype(np.int64), [doubled[i]] * m,
        )  # fmt: skip
        frame.insert(0, "visit_date", index[i] + pd.to_timedelta(days, unit="D"))
        frame.insert(0, "patient_id", base.patients["patient_id"].iloc[i])
        lab = labs(m, bool(base.sle[i]), rng)
        for ev in events:
            if ev.kind == "neutropenia" and ev.day in days:
                lab["anc"][days.index(ev.day)] = 1.2 if ev.grade >= 2 else 1.7
        frame = frame.assign(**lab)
        female_young = base.patients["sex"].iloc[i] == "female" and index[i].year - int(
            base.patients["birth_year"].iloc[i]
        ) < 50  # fmt: skip
        frame["pregnancy_test"] = "negative" if female_young else "not_done"
        if base.sle[i]:
            items = sledai_items(int(base.sledai0[i]), rng)
            rows = [
                flare(items, severe) if flare_day is not None and d == flare_day else items
                for d in days
            ]
            frame = frame.join(pd.DataFrame(rows, columns=list(SLEDAI.columns)))
        visits.append(frame)
        pid = base.patients["patient_id"].iloc[i]
        for q in plan.periods:
            treat.append(
                {
                    "patient_id": pid,
                    "drug": p.params["drug"],
                    "start_date": index[i] + pd.Timedelta(days=q.start),
                    "dose_mg_per_day": q.dose,
                    "end_date": None if q.end is None else index[i] + pd.Timedelta(days=q.end),
                    "regimen": REGIMENS.get(q.dose, f"{q.dose:g} mg/day"),
                    "end_reason": q.end_reason,
                }
            )
        for ev in (e for e in events if e.day <= plan.follow_up):
            aes.append(
                {
                    "patient_id": pid,
                    "onset_date": index[i] + pd.Timedelta(days=ev.day),
                    "term": AE_TERMS[ev.kind],
                    "grade": ev.grade,
                    "serious": ev.serious,
                    "related": True,
                    "action": ev.action,
                    "outcome": "resolved" if ev.kind in ("neutropenia", "asthenia") else "unknown",
                    "category": ev.kind,
                }
            )
    return _assemble(p, base.patients, onset, treat, visits, aes, flares)


def _assemble(
    p: SimulationPreset,
    patients: pd.DataFrame,
    onset: list[Any],
    treat: list[dict[str, Any]],
    visits: list[pd.DataFrame],
    aes: list[dict[str, Any]],
    flares: list[tuple[str, pd.Timestamp, str]],
) -> Cohort:
    pats = patients.assign(sle_onset_date=pd.Series(onset, dtype="datetime64[ns]"))
    v = pd.concat(visits, ignore_index=True)
    scored = score_frame(v[[c for c in v.columns if c.startswith("clasi_")]])
    v.insert(2, "clasi_a", scored["clasi_a"].to_numpy())
    v.insert(3, "clasi_d", scored["clasi_d"].to_numpy())
    if set(SLEDAI.columns) <= set(v.columns):
        has = v[list(SLEDAI.columns)].notna().all(axis=1)
        total = pd.Series(pd.NA, index=v.index, dtype="Int64")
        total[has] = sledai_score(v.loc[has, list(SLEDAI.columns)].astype("int64"))
        v.insert(4, "sledai", total)
    ae_cols = ["patient_id", "onset_date", "term", "grade", "serious", "related", "action"]
    ae = pd.DataFrame(aes, columns=[*ae_cols, "outcome", "category"])
    fl = pd.DataFrame(
        {
            "patient_id": [pid for pid, _, _ in flares],
            "flare_date": pd.Series([day for _, day, _ in flares], dtype="datetime64[ns]"),
            "severity": [s for _, _, s in flares],
            "source": ["sfi"] * len(flares),
        }
    )
    periods = pd.DataFrame(treat)
    raw = Cohort(
        pats,
        periods,
        v,
        ae,
        fl,
        concomitant_medications=medication_rows(pats, periods, str(p.params["drug"])),
        source=f"simulated:{p.name}",
    )
    return conform(raw)
