"""Dosing and relapse plans: relapses are seen on the reduced dose or off drug."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

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


@pytest.mark.slow
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


def _aitmehdi(cr_withdrawal: float | None, *, per_step: float = 0.0, after_ladder: float = 0.0):
    base = get_preset("aitmehdi2021")
    params = copy.deepcopy(base.params)
    params["relapse"]["per_step"] = per_step
    params["relapse"]["off_drug"] = {"default": 0.0}
    params["dosing"]["withdraw_after_ladder"] = after_ladder
    if cr_withdrawal is None:
        params["dosing"].pop("cr_withdrawal", None)
    else:
        params["dosing"]["cr_withdrawal"] = cr_withdrawal
    return replace(base, params=params)


def _ait_plan(preset, *, category=3, response_day=98.0, pr_day=20.0, rng=None):
    # Aitmehdi 2021 schedule: first reduction 182 days after the partial response, then one
    # ladder step (5 -> 2.5 -> 1.43 -> 0.71 mg/day) every 182 days.
    return plan_patient(
        preset, a0=12, category=category, response_day=response_day, pr_day=pr_day,
        subtypes="DLE", follow_up=1500, rng=rng or np.random.default_rng(0),
    )  # fmt: skip


def test_cr_withdrawal_after_a_held_reduction_below_the_start():
    # Aitmehdi 2021: "Three (8%) patients were able to discontinue lenalidomide because of
    # CR without relapse". In CR (day 98) before the 2.5 mg reduction (day 20 + 182 = 202)
    # and that reduction held 182 days: withdrawn because of CR on day 384.
    plan = _ait_plan(_aitmehdi(1.0))
    assert [(p.start, p.end, p.dose, p.end_reason) for p in plan.periods] == [
        (0, 202, 5.0, "taper"),
        (202, 384, 2.5, "complete_response"),
    ]
    assert plan.relapses == []


def test_cr_withdrawal_waits_until_the_held_reduction_started_in_cr():
    # CR only on day 300, after the 2.5 mg reduction began (day 202): that reduction does
    # not count; the next one (1.43 mg from day 384, in CR) held to day 566.
    plan = _ait_plan(_aitmehdi(1.0), response_day=300.0)
    assert plan.periods[-1].dose == 1.43
    assert (plan.periods[-1].end, plan.periods[-1].end_reason) == (566, "complete_response")
    # CR on the day the reduction starts is in CR from its start (day 202).
    plan = _ait_plan(_aitmehdi(1.0), response_day=202.0)
    assert (plan.periods[-1].dose, plan.periods[-1].end) == (2.5, 384)


def test_cr_withdrawal_never_from_the_starting_dose():
    # No partial response by the 4-week evaluation (day 40): escalated to 10 mg/day, first
    # reduction to 5 mg on day 222. 5 mg is the starting dose, not a reduction below it, so
    # the withdrawal comes after the 2.5 mg reduction (day 404) held, on day 586.
    plan = _ait_plan(_aitmehdi(1.0), pr_day=40.0)
    assert [(p.dose, p.end_reason) for p in plan.periods[-3:]] == [
        (10.0, "taper"),
        (5.0, "taper"),
        (2.5, "complete_response"),
    ]
    assert plan.periods[-1].end == 586


def test_partial_responders_are_not_withdrawn_because_of_cr():
    plan = _ait_plan(_aitmehdi(1.0), category=2)
    assert all(p.end_reason != "complete_response" for p in plan.periods)
    assert plan.periods[-1].dose == 0.71  # down the whole ladder, kept on the lowest dose
    assert plan.periods[-1].end is None


def test_without_the_parameter_nothing_is_drawn_for_it():
    # A preset without cr_withdrawal (cortes2012) keeps the cohort it had: same plan and
    # same generator state as cr_withdrawal = 0.
    states = []
    for value in (None, 0.0):
        rng = np.random.default_rng(3)
        plan = _ait_plan(_aitmehdi(value, per_step=0.3, after_ladder=0.25), rng=rng)
        states.append(([(p.start, p.end, p.dose, p.end_reason) for p in plan.periods],
                       rng.random()))  # fmt: skip
    assert states[0] == states[1]
    assert all(p.end_reason != "complete_response" for p in _ait_plan(_aitmehdi(0.0)).periods)
