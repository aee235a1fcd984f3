"""Dosing and relapse plans: relapses are seen on the reduced dose or off drug."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np

from clears.outcomes import derive
from clears.simulate import get_preset, simulate
from clears.simulate.dosing import plan_patient


def _preset(per_step: float, off_default: float):
    base = get_preset("cortes2012")
    params = copy.deepcopy(base.params)
    params["relapse"]["per_step"] = per_step
    params["relapse"]["off_drug"]["default"] = off_default
    return replace(base, params=params)


def _plan(preset, seed=0):
    # Complete response plateau on day 42 (Cortés 2012: CR at a median of 6 weeks); the
    # partial response is reached before the 4-week evaluation, so no escalation.
    return plan_patient(
        preset, a0=12, category=3, response_day=42.0, pr_day=14.0, subtypes="DLE",
        follow_up=600, rng=np.random.default_rng(seed),
    )  # fmt: skip


def _dose_on(plan, day):
    for p in plan.periods:
        if p.start <= day < (plan.follow_up if p.end is None else p.end):
            return p.dose
    return 0.0


def test_relapse_on_first_reduction_is_recorded_on_that_reduction():
    plan = _plan(_preset(1.0, 0.0))
    ((rday, rise),) = plan.relapses
    assert rise >= 4  # the Cortés relapse threshold is CLASI-A >= 4
    # Dose periods are half-open (docs/outcomes.md): the relapse visit is still on 2.5 mg
    # (first ladder step below 5 mg), the return to 5 mg starts the day after.
    assert _dose_on(plan, rday) == 2.5
    assert _dose_on(plan, rday + 1) == 5.0


def test_relapse_off_drug_is_recorded_off_drug_and_restarts_next_day():
    plan = _plan(_preset(0.0, 1.0))
    ((rday, _),) = plan.relapses
    assert _dose_on(plan, rday) == 0.0
    assert plan.periods[-1].start == rday + 1
    assert plan.periods[-1].dose == 5.0  # Cortés 2012: restart at 5 mg/day
    assert plan.periods[-2].end_reason == "complete_response"
    assert plan.periods[-2].end < rday


def test_no_relapse_when_both_probabilities_are_zero():
    plan = _plan(_preset(0.0, 0.0))
    assert plan.relapses == []
    assert plan.periods[-1].end is not None  # withdrawn after the ladder, not restarted


def test_simulated_relapses_count_under_the_cortes_rule_in_both_settings():
    cohort = simulate("cortes2012", 150, np.random.default_rng(5))
    o = derive(cohort, criteria=["cortes2012"])
    settings = set(o.loc[o["relapse"].fillna(False).astype(bool), "relapse_setting"])
    assert settings == {"after_dose_reduction", "after_withdrawal"}
    # Follow-up continues after withdrawal: patients stopped in CR have later visits.
    stopped = o.loc[o["discontinuation_reason"] == "complete_response"]
    last_visit = cohort.visits.groupby("patient_id")["visit_date"].max()
    assert len(stopped) > 0
    assert (
        last_visit.reindex(stopped["patient_id"]).to_numpy()
        > stopped["discontinuation_date"].to_numpy()
    ).all()
