"""Each bundled rule on both sides of its threshold or condition (hand-placed violations)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest
from tests.quality._example import example_cohort

from clears.quality import bundled_rules, evaluate


def _ids(table: str, changes: dict[str, Any], row: int = 0) -> list[str]:
    cohort = example_cohort()
    frame = getattr(cohort, table).copy()
    for column, value in changes.items():
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="object")
        frame[column] = frame[column].astype("object")
        frame.loc[row, column] = value
    changed = dataclasses.replace(cohort, **{table: frame})
    return evaluate(changed, bundled_rules()).findings["rule_id"].tolist()


@pytest.mark.parametrize(
    ("field", "rule", "inside", "outside"),
    [
        ("platelets", "platelets-plausible", 5.0, 4.9),  # 5-1000 x10^9/L
        ("platelets", "platelets-plausible", 1000.0, 1001.0),
        ("hb", "hb-plausible", 4.0, 3.9),  # 4-20 g/dL
        ("hb", "hb-plausible", 20.0, 20.5),
    ],
)
def test_lab_ranges(field: str, rule: str, inside: float, outside: float) -> None:
    assert rule not in _ids("visits", {field: inside})
    assert rule in _ids("visits", {field: outside})
    assert rule not in _ids("visits", {field: None})  # missing is not out of range


def test_bmi_range() -> None:
    # 15-50 kg/m2 (WHO classes; wider schema range 10-80)
    assert "bmi-plausible" not in _ids("patients", {"bmi": 15.0})
    assert "bmi-plausible" in _ids("patients", {"bmi": 14.9})
    assert "bmi-plausible" in _ids("patients", {"bmi": 50.1})


def test_serious_required_from_grade_4() -> None:
    assert "ae-grade-serious" in _ids("adverse_events", {"grade": 4, "serious": None})
    assert "ae-grade-serious" not in _ids("adverse_events", {"grade": 3, "serious": None})
    assert "ae-grade-serious" not in _ids("adverse_events", {"grade": 4, "serious": False})


@pytest.mark.slow
def test_dysp_doubling_without_any_dysp() -> None:
    areas = [
        "scalp",
        "ears",
        "nose",
        "face",
        "vneck",
        "pneck",
        "chest",
        "abdo",
        "back",
        "arms",
        "hands",
        "legs",
        "feet",
    ]
    zero = {f"clasi_{a}_dysp": 0 for a in areas}
    assert "dysp-doubling-without-dysp" in _ids("visits", {**zero, "clasi_dysp_12m": 1})
    assert "dysp-doubling-without-dysp" not in _ids("visits", {**zero, "clasi_dysp_12m": 0})
    one = {**zero, "clasi_face_dysp": 1, "clasi_dysp_12m": 1}
    assert "dysp-doubling-without-dysp" not in _ids("visits", one)


@pytest.mark.parametrize(("visit", "expected"), [("2019-12-24", False), ("2019-12-25", True)])
def test_visit_more_than_6_months_after_last_period(visit: str, expected: bool) -> None:
    # examples/cohort: P02's last period ends 2019-06-24 (its end_reason blanked here); six
    # months later is 2019-12-24, so a visit that day is within the limit, the next is not.
    cohort = example_cohort()
    periods = cohort.treatments.copy()
    last = (periods["patient_id"] == "P02") & (periods["start_date"] == pd.Timestamp("2019-03-04"))
    periods.loc[last, "end_reason"] = pd.NA
    cohort = dataclasses.replace(cohort, treatments=periods)
    extra = cohort.visits.iloc[[0]].copy()
    extra["patient_id"] = "P02"
    extra["visit_date"] = pd.Timestamp(visit)
    visits = pd.concat([cohort.visits, extra], ignore_index=True)
    found = evaluate(dataclasses.replace(cohort, visits=visits), bundled_rules()).findings
    assert ("visit-long-after-treatment" in found["rule_id"].tolist()) is expected
