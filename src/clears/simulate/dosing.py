"""Dosing and relapse of one virtual patient, following the preset's protocol.

Seed protocol (Cortés-Hernández 2012): 5 mg/day; 10 mg/day when there is no partial response
at the 4-week evaluation; after the response the dose is reduced one ladder step at a time
(monthly in the trial); a relapse returns the patient to the previous dose, kept as
maintenance; after the last step the drug is withdrawn, and a relapse off drug restarts it
at 5 mg/day. Relapse probabilities per reduction and off drug, and their delays, are preset
parameters set from the published relapse figures.

Withdrawal because of CR (preset ``dosing.cr_withdrawal``, default 0). Aitmehdi 2021:
"Three (8%) patients were able to discontinue lenalidomide because of CR without relapse";
the paper describes no withdrawal schedule, so the model lets a patient in sustained CR
stop before the last step of the ladder. A complete responder whose reduction below the
starting dose held for a whole interval, and who was in CR when that reduction started, is
withdrawn with this probability at the visit that would take the next step (``end_reason =
complete_response``); off drug the ``off_drug`` relapse probability applies as after the
last step. Presets without the parameter draw nothing for it, so their cohorts are
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from clears.simulate.presets import SimulationPreset

__all__ = ["Period", "Plan", "plan_patient"]

#: Days from the visit that records a relapse to the dose change it prompts. Dose periods
#: are half-open (``start <= day < end``), so a change dated on the relapse visit itself
#: would put that visit on the new dose and hide a relapse on a reduced dose or off drug
#: (docs/outcomes.md); the new prescription runs from the next day.
_CHANGE_LAG: Final = 1


@dataclass
class Period:
    """One constant-dose period: days from index, ``end`` None while ongoing."""

    start: int
    end: int | None
    dose: float
    end_reason: str | None = None


@dataclass
class Plan:
    """Dose periods and relapse bumps (day, rise in CLASI-A points) of one patient."""

    periods: list[Period] = field(default_factory=list)
    relapses: list[tuple[int, int]] = field(default_factory=list)
    follow_up: int = 0


def _delay(rng: np.random.Generator, rel: dict[str, Any]) -> int:
    weeks = float(rel["delay_weeks_median"]) * float(
        np.exp(rng.normal(0.0, float(rel["delay_weeks_sigma"])))
    )
    return max(7, round(weeks * 7))


def _rise(rng: np.random.Generator, rel: dict[str, Any], a0: int) -> int:
    lo, hi = rel["rise_fraction"]
    return max(4, round(a0 * rng.uniform(float(lo), float(hi))))


def plan_patient(
    preset: SimulationPreset,
    *,
    a0: int,
    category: int,
    response_day: float,
    pr_day: float,
    subtypes: str,
    follow_up: int,
    rng: np.random.Generator,
) -> Plan:
    """Build one patient's dose periods and relapses up to ``follow_up`` days.

    ``category`` is the best response (3 complete, 2 partial, 1 minimal, 0 none),
    ``response_day`` the day the plateau is reached, ``pr_day`` the day a 50 % fall is
    reached (inf if never).
    """
    d, rel = preset.section("dosing"), preset.section("relapse")
    plan = Plan(follow_up=follow_up)
    start = float(d["start_mg"])
    dose = start
    day = 0
    if pr_day > int(d["evaluation_days"]):
        plan.periods.append(Period(0, int(d["evaluation_days"]), start, "other"))
        day, dose = int(d["evaluation_days"]), float(d["escalate_mg"])
    if category <= 1:
        # No partial response: stopped for inefficacy at 6 months (minimal: kept on drug).
        if category == 0:
            plan.periods.append(Period(day, min(182, follow_up), dose, "inefficacy"))
            plan.follow_up = min(follow_up, 182 + 28)
            return plan
        plan.periods.append(Period(day, None, dose))
        return plan
    eligible = d["taper_after"] == "partial" or category == 3
    trigger = (response_day if d["taper_after"] == "complete" else pr_day) + int(
        d["taper_delay_days"]
    )
    if not eligible or rng.random() >= float(d["taper_probability"]) or trigger >= follow_up:
        plan.periods.append(Period(day, None, dose))
        rate = float(rel["stable_per_year"])
        if rate > 0:
            # Worsening at a stable dose: exponential time after the response.
            when = int(pr_day + rng.exponential(365.25 / rate))
            if when < follow_up:
                plan.relapses.append((when, _rise(rng, rel, a0)))
        return plan
    interval = int(d["taper_interval_days"])
    steps = [float(x) for x in d["ladder"] if float(x) < dose]
    t = (
        int(np.ceil(trigger / interval) * interval)
        if d["taper_after"] == "complete"
        else int(trigger)
    )
    t = max(t, day + 1)
    plan.periods.append(Period(day, t, dose, "taper"))
    previous = dose
    cr_stop = float(d.get("cr_withdrawal", 0.0))
    for k, step in enumerate(steps):
        if t >= follow_up:
            plan.periods[-1].end, plan.periods[-1].end_reason = None, None
            return plan
        held = plan.periods[-1]  # the reduction that just lasted a whole interval
        held_in_cr = k > 0 and held.dose < start and category == 3 and held.start >= response_day
        if cr_stop > 0 and held_in_cr and rng.random() < cr_stop:
            # Sustained CR on the reduced dose: withdrawn because of CR at this visit.
            plan.periods[-1].end_reason = "complete_response"
            _off_drug(plan, t, rng, rel, subtypes=subtypes, start=start, a0=a0)
            return plan
        plan.periods.append(Period(t, None, step))
        if rng.random() < float(rel["per_step"]):
            # The reduction is held until the relapse, which sends the dose back one step.
            relapse_day = t + _delay(rng, rel)
            if relapse_day + _CHANGE_LAG < follow_up:
                change = relapse_day + _CHANGE_LAG
                plan.periods[-1].end, plan.periods[-1].end_reason = change, "other"
                plan.relapses.append((relapse_day, _rise(rng, rel, a0)))
                plan.periods.append(Period(change, None, previous))
            return plan
        plan.periods[-1].end, plan.periods[-1].end_reason = t + interval, "taper"
        previous = step
        t += interval
    # Ladder completed without relapse: withdraw or stay on the lowest dose.
    last = plan.periods[-1]
    if t >= follow_up or rng.random() >= float(d["withdraw_after_ladder"]):
        last.end, last.end_reason = None, None
        return plan
    last.end_reason = "complete_response" if category == 3 else "taper"
    _off_drug(plan, t, rng, rel, subtypes=subtypes, start=start, a0=a0)
    return plan


def _off_drug(
    plan: Plan,
    stop: int,
    rng: np.random.Generator,
    rel: dict[str, Any],
    *,
    subtypes: str,
    start: float,
    a0: int,
) -> None:
    """After a withdrawal on ``stop``: a relapse with the subtype's ``off_drug`` probability.

    The relapse comes ``delay`` weeks after the withdrawal and restarts the drug at the
    starting dose the next day (when both fall inside the follow-up).
    """
    off = rel["off_drug"]
    primary = [s for s in subtypes.split(";") if s in off]
    p_off = float(off[primary[0]]) if primary else float(off["default"])
    if rng.random() < p_off:
        back_day = stop + _delay(rng, rel)
        if back_day + _CHANGE_LAG < plan.follow_up:
            plan.relapses.append((back_day, _rise(rng, rel, a0)))
            plan.periods.append(Period(back_day + _CHANGE_LAG, None, start))
