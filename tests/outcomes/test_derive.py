"""Outcome derivation on hand-built cohorts with answers worked out by hand.

Every expected value is worked from the preset's published definition (the paper named in
``clears.criteria``) with the date arithmetic written in a comment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears import InputError, NotFoundError
from clears.cohort import Cohort
from clears.outcomes import COLUMNS, derive

from ._build import cohort, first_refusal, period, visit


def one(c: object, preset: str, **kw: object) -> pd.Series:
    out = derive(c, [preset], **kw)  # type: ignore[arg-type]
    assert len(out) == 1
    return out.iloc[0]


# P1: 5 mg from 2020-01-01, 2.5 mg from 2020-04-01, stopped 2020-10-01 (complete_response).
# Baseline 2019-12-20 CLASI-A 20; day 31 (2020-02-01) 12; day 60 (2020-03-01) 0;
# day 121 (2020-05-01) 0; day 274 (2020-10-01, withdrawal day) 6.
P1 = cohort(
    [
        period("P1", "2020-01-01", "2020-04-01", 5),
        period("P1", "2020-04-01", "2020-10-01", 2.5, "complete_response"),
    ],
    [
        visit("P1", "2019-12-20", 20),
        visit("P1", "2020-02-01", 12),
        visit("P1", "2020-03-01", 0),
        visit("P1", "2020-05-01", 0),
        visit("P1", "2020-10-01", 6),
    ],
)


def test_columns_and_preset_names() -> None:
    out = derive(P1, ["aitmehdi2021", "cortes2012"])
    assert tuple(out.columns) == COLUMNS
    assert out[["criteria", "criteria_version"]].values.tolist() == [
        ["aitmehdi2021", "1.0"],
        ["cortes2012", "1.0"],
    ]


def test_aitmehdi_worked_example() -> None:
    row = one(P1, "aitmehdi2021")
    # Aitmehdi 2021: 20 -> 12 is 8 points (40 %): minimal at day 31; 0 on day 60: complete.
    assert row["best_response"] == "complete"
    assert row["time_to_minimal_days"] == 31
    assert row["time_to_partial_days"] == 60
    assert row["time_to_complete_days"] == 60
    assert bool(row["complete_event"])
    # Relapse (rise >= 4 over the nadir 0 since the day-31 response): day 274, CLASI-A 6,
    # off drug on the withdrawal day itself. Time from the withdrawal (Cortés 2012 times
    # relapses "after tapering dosage or withdrawing medication"): 274 - 274 = 0 days;
    # from the response: 274 - 31 = 243 days.
    assert bool(row["relapse"])
    assert row["n_relapses"] == 1
    assert row["time_to_relapse_days"] == 0
    assert row["relapse_time_origin"] == "withdrawal"
    assert row["time_from_response_to_relapse_days"] == 243
    assert row["relapse_dose_mg_per_day"] == 0
    assert row["relapse_setting"] == "after_withdrawal"
    assert row["baseline_severity"] == "moderate"  # Klein 2011: 10-20 moderate
    # Exposure: 2020-01-01 to 2020-10-01 = 274 days = 274/365.25 patient-years.
    assert row["exposure_days"] == 274
    assert row["exposure_patient_years"] == pytest.approx(274 / 365.25)
    assert row["n_courses"] == 1
    assert bool(row["discontinued"])
    assert row["discontinuation_reason"] == "complete_response"
    assert not bool(row["stopped_in_cr_without_relapse"])


def test_cortes_relapse_on_the_day_of_withdrawal() -> None:
    row = one(P1, "cortes2012")
    # Cortés-Hernández 2012: new CLASI-A >= 4 after CR, on taper or after withdrawal.
    # CR on day 60; CLASI-A 6 on 2020-10-01, the end date, when the patient is off drug.
    assert bool(row["relapse"])
    assert row["relapse_date"] == pd.Timestamp("2020-10-01")
    assert row["time_from_response_to_relapse_days"] == 274 - 60
    assert row["time_to_relapse_days"] == 0  # seen on the withdrawal day
    assert row["relapse_setting"] == "after_withdrawal"
    # Week 12 +/- 14 days read "by": best up to day 98 is the day-60 CR.
    assert row["response_at_assessment"] == "complete"


def test_relapse_one_day_before_withdrawal_is_on_taper_for_cortes() -> None:
    c = cohort(
        [
            period("P", "2020-01-01", "2020-04-01", 5),
            period("P", "2020-04-01", "2020-10-01", 2.5),
        ],
        [
            visit("P", "2020-01-01", 10),
            visit("P", "2020-03-01", 0),
            visit("P", "2020-09-30", 4),  # on 2.5 mg, lower than 5 mg at CR: taper
        ],
    )
    row = one(c, "cortes2012")
    assert row["relapse_setting"] == "after_dose_reduction"
    assert row["relapse_dose_mg_per_day"] == 2.5


def test_cortes_relapse_threshold_edge_and_full_dose_does_not_count() -> None:
    # CR on day 60 on 5 mg; CLASI-A 3 off drug: below 4, no relapse.
    c = cohort(
        [period("P", "2020-01-01", "2020-06-01", 5)],
        [
            visit("P", "2020-01-01", 10),
            visit("P", "2020-03-01", 0),
            visit("P", "2020-04-01", 5),  # still on the 5 mg of the CR: not taper
            visit("P", "2020-07-01", 3),
        ],
    )
    row = one(c, "cortes2012")
    assert not bool(row["relapse"])
    # Censored at the last visit: 2020-07-01 is day 182; 182 - 60 = 122 from the CR, and
    # 182 - 152 = 30 from the withdrawal on 2020-06-01 (day 152), where the patient is.
    assert row["time_from_response_to_relapse_days"] == 122
    assert row["time_to_relapse_days"] == 30
    assert row["relapse_time_origin"] == "withdrawal"
    # Aitmehdi counts the on-dose worsening (0 -> 5, a rise of 5).
    assert one(c, "aitmehdi2021")["relapse_setting"] == "on_treatment"


def test_baseline_zero_not_evaluable_for_percent_presets() -> None:
    c = cohort(
        [period("P", "2020-01-01", None, 5)],
        [visit("P", "2020-01-01", 0), visit("P", "2020-02-01", 0)],
    )
    row = one(c, "aitmehdi2021")
    assert row["best_response"] == "not_evaluable"
    assert row["not_evaluable_reason"] == "baseline_zero"
    assert not bool(row["evaluable"])
    assert np.isnan(row["time_to_complete_days"])
    assert one(c, "braunstein2012")["best_response"] == "none"


def test_single_visit_has_no_follow_up() -> None:
    c = cohort([period("P", "2020-01-01", None, 5)], [visit("P", "2020-01-01", 12)])
    row = one(c, "aitmehdi2021")
    assert row["best_response"] == "not_evaluable"
    assert row["not_evaluable_reason"] == "no_follow_up"
    assert row["baseline_clasi_a"] == 12


def test_response_exactly_fifty_percent() -> None:
    # 10 -> 5 is exactly 50 %: partial (Cortés-Hernández 2012, ">= 50 %"); 10 -> 6 is 40 %.
    c = cohort(
        [period("A", "2020-01-01", None, 5), period("B", "2020-01-01", None, 5)],
        [
            visit("A", "2020-01-01", 10),
            visit("A", "2020-03-01", 5),
            visit("B", "2020-01-01", 10),
            visit("B", "2020-03-01", 6),
        ],
    )
    out = derive(c, ["cortes2012"]).set_index("patient_id")
    assert out.loc["A", "best_response"] == "partial"
    assert out.loc["B", "best_response"] == "none"


def test_visits_before_the_window_are_ignored_and_last_in_window_wins() -> None:
    c = cohort(
        [period("P", "2020-03-01", None, 5)],
        [
            visit("P", "2020-01-01", 30),  # 60 days before index: outside a 30-day window
            visit("P", "2020-02-20", 12),  # 10 days before: baseline
            visit("P", "2020-02-25", None),  # missing CLASI-A: skipped
            visit("P", "2020-04-01", 6),
        ],
    )
    row = one(c, "aitmehdi2021")
    assert row["baseline_clasi_a"] == 12
    assert row["baseline_date"] == pd.Timestamp("2020-02-20")
    assert row["best_response"] == "partial"  # 12 -> 6 = 50 %
    narrow = one(c, "aitmehdi2021", baseline_window_days=5)
    assert narrow["not_evaluable_reason"] == "no_baseline"
    wide = one(c, "aitmehdi2021", baseline_window_days=60)
    assert wide["baseline_clasi_a"] == 12  # still the last one in the window


def test_missing_clasi_at_a_follow_up_visit_is_skipped() -> None:
    c = cohort(
        [period("P", "2020-01-01", None, 5)],
        [
            visit("P", "2020-01-01", 20),
            visit("P", "2020-02-01", None),
            visit("P", "2020-03-01", 15),
        ],
    )
    row = one(c, "aitmehdi2021")
    # 20 -> 15: 5 points (25 %): minimal, first at day 60 (2020-03-01), not day 31.
    assert row["best_response"] == "minimal"
    assert row["time_to_minimal_days"] == 60


def test_censoring_at_last_visit_and_visits_after_stop_do_not_count_for_response() -> None:
    c = cohort(
        [period("P", "2020-01-01", "2020-03-01", 5, "inefficacy")],
        [
            visit("P", "2020-01-01", 20),
            visit("P", "2020-02-01", 18),
            visit("P", "2020-06-01", 0),
        ],  # after the stop: not a response to the drug
    )
    row = one(c, "aitmehdi2021")
    assert row["best_response"] == "none"
    assert row["time_to_minimal_days"] == 31  # censored at the day-31 visit
    assert not bool(row["minimal_event"])
    assert row["discontinuation_reason"] == "inefficacy"


@pytest.mark.slow  # over a second in --durations
def test_overlapping_periods_are_rejected() -> None:
    c = cohort(
        [period("P", "2020-01-01", "2020-03-01", 5), period("P", "2020-02-01", None, 2.5)],
        [visit("P", "2020-01-01", 10)],
    )
    problem = first_refusal(c)
    assert (problem.field, problem.value, problem.file, problem.row) == (
        "start_date",
        "2020-02-01",
        "treatments",
        2,
    )
    assert "overlaps" in problem.message


def test_ongoing_period_overlaps_anything_later() -> None:
    c = cohort(
        [period("P", "2020-01-01", None, 5), period("P", "2021-01-01", None, 2.5)],
        [visit("P", "2020-01-01", 10)],
    )
    with pytest.raises(InputError, match="overlaps"):
        derive(c, ["aitmehdi2021"])


def test_end_before_start_and_bad_dose_are_rejected() -> None:
    c = cohort(
        [period("P", "2020-03-01", "2020-01-01", 5), period("Q", "2020-01-01", None, -1)],
        [visit("P", "2020-01-01", 10)],
    )
    with pytest.raises(InputError) as info:
        derive(c, ["aitmehdi2021"])
    fields = sorted(p.field for p in info.value.problems)
    assert fields == ["dose_mg_per_day", "end_date"]


def test_unknown_and_duplicate_presets() -> None:
    with pytest.raises(NotFoundError):
        derive(P1, ["nope"])
    with pytest.raises(InputError, match="named twice"):
        derive(P1, ["cortes2012", "cortes2012"])


def test_courses_exposure_and_ongoing_to_as_of() -> None:
    c = cohort(
        [
            period("P", "2020-01-01", "2020-02-01", 5),  # 31 days
            period("P", "2020-02-11", "2020-03-01", 5),  # 10-day gap: same course; 19 days
            period("P", "2020-06-01", None, 2.5),  # 92-day gap: new course; ongoing
        ],
        [visit("P", "2020-01-01", 10)],
    )
    row = one(c, "aitmehdi2021", as_of="2020-07-01")
    # 31 + 19 + 30 (2020-06-01 to 2020-07-01) = 80 days.
    assert row["exposure_days"] == 80
    assert row["n_courses"] == 2
    assert row["n_retreatments"] == 1
    assert not bool(row["discontinued"])
    assert row["follow_up_end"] == pd.Timestamp("2020-07-01")
    assert one(c, "aitmehdi2021", as_of="2020-07-01", course_gap_days=5)["n_courses"] == 3


def test_minimum_effective_dose_and_sustained_reduction_edge() -> None:
    # 10 mg days 0-60, CR at day 31; 5 mg from day 60 to 240 (180 days); 2.5 mg from
    # day 240 to 400 (160 days).  With sustained_days=180: 5 mg holds (180 >= 180),
    # 2.5 mg does not (160 < 180): MED 5, reduction sustained (5 < 10).
    c = cohort(
        [
            period("P", "2020-01-01", "2020-03-01", 10),
            period("P", "2020-03-01", "2020-08-28", 5),
            period("P", "2020-08-28", "2021-02-04", 2.5),
        ],
        [visit("P", "2020-01-01", 10), visit("P", "2020-02-01", 0)],
    )
    row = one(c, "cortes2012", sustained_days=180)
    assert row["min_effective_dose_mg_per_day"] == 5
    assert bool(row["sustained_dose_reduction"])
    row = one(c, "cortes2012", sustained_days=160)
    assert row["min_effective_dose_mg_per_day"] == 2.5
    row = one(c, "cortes2012", sustained_days=181)
    # Only the 10 mg block from CR (day 31) to day 60 ... too short; none hold.
    assert np.isnan(row["min_effective_dose_mg_per_day"])
    assert not bool(row["sustained_dose_reduction"])


def test_relapse_inside_a_block_stops_it_holding() -> None:
    c = cohort(
        [period("P", "2020-01-01", "2020-03-01", 10), period("P", "2020-03-01", None, 5)],
        [
            visit("P", "2020-01-01", 10),
            visit("P", "2020-02-01", 0),
            visit("P", "2020-04-01", 6),
        ],  # relapse on 5 mg (taper) at day 91
    )
    row = one(c, "cortes2012", as_of="2021-01-01", sustained_days=90)
    assert bool(row["relapse"])
    assert row["relapse_setting"] == "after_dose_reduction"
    assert np.isnan(row["min_effective_dose_mg_per_day"])
    assert not bool(row["sustained_dose_reduction"])


def test_stopped_in_cr_without_relapse() -> None:
    c = cohort(
        [period("P", "2020-01-01", "2020-06-01", 5, "complete_response")],
        [visit("P", "2020-01-01", 10), visit("P", "2020-03-01", 0), visit("P", "2020-09-01", 2)],
    )
    assert bool(one(c, "cortes2012")["stopped_in_cr_without_relapse"])
    assert pd.isna(one(c, "klein2011")["stopped_in_cr_without_relapse"])  # no CR level


def test_flares_and_new_sle() -> None:
    c = cohort(
        [
            period("A", "2020-01-01", None, 5),
            period("B", "2020-01-01", None, 5),
            period("C", "2020-01-01", None, 5),
        ],
        [visit("A", "2020-01-01", 10)],
        patients=[
            {"patient_id": "A", "centre": "X", "sle": False},
            {"patient_id": "B", "centre": "X", "sle": True},
            {"patient_id": "C", "centre": "X", "sle": False},
        ],
        flares=[
            {"patient_id": "A", "flare_date": "2020-03-01", "severity": "mild"},
            {"patient_id": "B", "flare_date": "2019-12-01", "severity": "severe"},  # before
            {"patient_id": "B", "flare_date": "2020-02-01", "severity": "severe"},
        ],
    )
    out = derive(c, ["aitmehdi2021"], as_of="2020-12-31").set_index("patient_id")
    assert out.loc["A", "time_to_sle_flare_days"] == 60  # 2020-01-01 -> 2020-03-01
    assert not bool(out.loc["A", "sle_flare_severe"])
    assert bool(out.loc["B", "sle_flare_severe"])
    assert out.loc["B", "time_to_sle_flare_days"] == 31
    assert not bool(out.loc["C", "sle_flare"])
    # A flare row is not an SLE diagnosis (Aitmehdi 2021 counts SLE that "developed"; see
    # test_new_sle.py): A, CLE-only with a flare and no sle_onset_date, has no new SLE.
    assert not bool(out.loc["A", "new_sle"])
    assert pd.isna(out.loc["B", "new_sle"])
    assert not bool(out.loc["C", "new_sle"])


def test_assessment_at_week_nearest_visit() -> None:
    # Braunstein: week 6 = day 42 +/- 14.  Visits on day 35 (CLASI-A 8) and day 50 (12):
    # day 35 is nearer (7 vs 8 days): 12 -> 8 is a 4-point decrease: response.
    c = cohort(
        [period("P", "2020-01-01", None, 5)],
        [visit("P", "2020-01-01", 12), visit("P", "2020-02-05", 8), visit("P", "2020-02-20", 12)],
    )
    assert one(c, "braunstein2012")["response_at_assessment"] == "partial"
    assert pd.isna(one(c, "aitmehdi2021")["response_at_assessment"])


def _random_cohort(seed: int) -> Cohort:
    rng = np.random.default_rng(seed)
    treatments, visits = [], []
    for i in range(6):
        pid = f"P{i}"
        start = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 30)))
        d = start
        for _ in range(int(rng.integers(1, 4))):
            end = d + pd.Timedelta(days=int(rng.integers(20, 200)))
            treatments.append(
                period(pid, str(d.date()), str(end.date()), float(rng.choice([2.5, 5, 10])))
            )
            d = end + pd.Timedelta(days=int(rng.integers(0, 40)))
        for k in range(int(rng.integers(1, 8))):
            vd = start + pd.Timedelta(days=int(rng.integers(-10, 400)) if k else 0)
            score = float(rng.integers(0, 30)) if rng.random() > 0.1 else None
            visits.append(visit(pid, str(vd.date()), score))
    return cohort(treatments, visits)


@pytest.mark.slow  # property test
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_reordering_rows_never_changes_results(seed: int) -> None:
    c = _random_cohort(seed)
    presets = ["aitmehdi2021", "cortes2012", "clasi50", "klein2011", "braunstein2012"]
    before = derive(c, presets)
    shuffled = Cohort(
        patients=c.patients.sample(frac=1, random_state=seed),
        treatments=c.treatments.sample(frac=1, random_state=seed + 1),
        visits=c.visits.sample(frac=1, random_state=seed + 2),
        adverse_events=c.adverse_events,
        flares=c.flares,
    )
    after = derive(shuffled, presets)
    pd.testing.assert_frame_equal(before, after)


def test_inputs_are_not_mutated() -> None:
    copy = {name: getattr(P1, name).copy() for name in ("treatments", "visits", "patients")}
    derive(P1, ["aitmehdi2021", "cortes2012"])
    for name, frame in copy.items():
        pd.testing.assert_frame_equal(getattr(P1, name), frame)
