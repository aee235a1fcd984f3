"""Checks of one table: duplicates, end before start, future dates, implausible doses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest

from clears.cohort import Cohort, validate

TODAY = dt.date(2024, 6, 30)


def test_duplicate_rows_reported_on_every_copy(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    flares = pd.DataFrame(
        {
            "patient_id": ["P2", "P1", "P2", "P2"],
            "flare_date": ["2021-08-02", "2021-08-02", "2021-08-02", "2021-08-02"],
            "severity": ["mild", "mild", "mild", "Mild"],  # case-insensitive: same value
        }
    )
    problems = validate(cohort_of(frames, flares=flares), today=TODAY)
    assert [(p.file, p.row, p.field) for p in problems] == [
        ("flares", 1, "(whole row)"),
        ("flares", 3, "(whole row)"),
        ("flares", 4, "(whole row)"),
    ]
    assert {p.message for p in problems} == {"is a duplicate: 3 identical rows in this table"}
    assert {p.allowed for p in problems} == {"each row once"}


def test_rows_differing_in_a_blank_are_not_duplicates(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    visits = pd.DataFrame(
        {
            "patient_id": ["P1", "P1"],
            "visit_date": ["2020-01-06", "2020-01-06"],
            "hb": ["", "12"],
        }
    )
    assert validate(cohort_of(frames, visits=visits), today=TODAY) == []
    visits["hb"] = ["", ""]
    assert len(validate(cohort_of(frames, visits=visits), today=TODAY)) == 2


_ONCE = "each patient_id once (ids that differ only by letter case are one patient)"


def test_duplicate_patient_id(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    patients = pd.DataFrame({"patient_id": ["P1", "P2", "P1"], "centre": ["BCN", "LYO", "LYO"]})
    problems = validate(cohort_of(frames, patients=patients), today=TODAY)
    assert [str(p) for p in problems] == [
        f"patients, row 1: patient_id: appears in 2 rows (got 'P1'); allowed: {_ONCE}; patient: P1",
        f"patients, row 3: patient_id: appears in 2 rows (got 'P1'); allowed: {_ONCE}; patient: P1",
    ]


def test_ids_differing_only_by_case_are_one_patient(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    patients = pd.DataFrame({"patient_id": ["P1", "p1", "P2"], "centre": ["BCN", "BCN", "LYO"]})
    problems = validate(cohort_of(frames, patients=patients), today=TODAY)
    assert [(p.row, p.value, p.message) for p in problems] == [
        (1, "P1", "appears in 2 rows"),
        (2, "p1", "appears in 2 rows"),
    ]


@pytest.mark.parametrize(
    ("table", "start", "end"),
    [("treatments", "start_date", "end_date"), ("adverse_events", "onset_date", "end_date")],
)
def test_end_before_start(
    frames: dict[str, pd.DataFrame],
    cohort_of: Callable[..., Cohort],
    table: str,
    start: str,
    end: str,
) -> None:
    frame = frames[table].iloc[:1].copy()
    frame[start] = "2020-03-02"
    frame[end] = "2020-03-02"  # same day: allowed
    assert validate(cohort_of(frames, **{table: frame}), today=TODAY) == []
    frame[end] = "2020-03-01"  # one day earlier
    (problem,) = validate(cohort_of(frames, **{table: frame}), today=TODAY)
    assert str(problem) == (
        f"{table}, row 1: {end}: is before {start} 2020-03-02 (got '2020-03-01'); "
        f"allowed: a date on or after {start}, or blank; patient: P1"
    )


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("treatments", "start_date"),
        ("treatments", "end_date"),
        ("visits", "visit_date"),
        ("adverse_events", "onset_date"),
        ("adverse_events", "end_date"),
        ("flares", "flare_date"),
    ],
)
def test_future_dates_in_every_date_column(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort], table: str, column: str
) -> None:
    frame = frames[table].iloc[:1].copy()
    if "end_date" in frame.columns and column != "end_date":
        frame["end_date"] = ""
    frame[column] = "2024-06-30"  # today: allowed
    assert validate(cohort_of(frames, **{table: frame}), today=TODAY) == []
    frame[column] = "2024-07-01"  # tomorrow
    problems = validate(cohort_of(frames, **{table: frame}), today=TODAY)
    assert [(p.field, p.value) for p in problems] == [(column, "2024-07-01")]
    assert problems[0].message == "is in the future (today is 2024-06-30)"
    assert problems[0].allowed == "a date up to 2024-06-30"


def test_birth_year_in_the_future(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    patients = frames["patients"].assign(birth_year=["2024", "2025"])
    (problem,) = validate(cohort_of(frames, patients=patients), today=TODAY)
    assert (problem.row, problem.field, problem.value) == (2, "birth_year", 2025)
    assert problem.allowed == "a year up to 2024"


# Dose maxima: lenalidomide 25 mg/day and thalidomide 400 mg/day, the highest doses of the
# US labels (Revlimid, Thalomid prescribing information); "other" has none.
@pytest.mark.parametrize(
    ("drug", "highest", "too_high"),
    [("lenalidomide", "25", "25.5"), ("thalidomide", "400", "401")],
)
def test_dose_maximum_per_drug(
    frames: dict[str, pd.DataFrame],
    cohort_of: Callable[..., Cohort],
    drug: str,
    highest: str,
    too_high: str,
) -> None:
    treatments = frames["treatments"].iloc[[2]].assign(drug=drug, dose_mg_per_day=highest)
    assert validate(cohort_of(frames, treatments=treatments), today=TODAY) == []
    treatments = treatments.assign(dose_mg_per_day=too_high)
    (problem,) = validate(cohort_of(frames, treatments=treatments), today=TODAY)
    assert problem.field == "dose_mg_per_day"
    assert problem.message == f"is above the plausible maximum for {drug}"
    assert problem.allowed == f"0 to {highest} mg/day for {drug}"


def test_other_drug_has_no_dose_maximum(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    treatments = frames["treatments"].iloc[[2]].assign(drug="other", dose_mg_per_day="1000")
    assert validate(cohort_of(frames, treatments=treatments), today=TODAY) == []
