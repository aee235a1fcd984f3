"""Checks across tables: unknown patients and overlapping dose periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest

from clears.cohort import Cohort, validate

TODAY = dt.date(2024, 6, 30)


@pytest.mark.parametrize("table", ["treatments", "visits", "adverse_events", "flares"])
def test_unknown_patient_in_every_table(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort], table: str
) -> None:
    frame = frames[table].iloc[:1].assign(patient_id="P9")
    (problem,) = validate(cohort_of(frames, **{table: frame}), today=TODAY)
    assert str(problem) == (
        f"{table}, row 1: patient_id: is not in patients (got 'P9'); "
        "allowed: a patient_id listed in patients; patient: P9"
    )


def test_unknown_patient_names_the_file_read(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    visits = frames["visits"].iloc[:1].assign(patient_id="P9")
    files = {"patients": "patients.csv", "visits": "visits.csv"}
    (problem,) = validate(cohort_of(frames, visits=visits), today=TODAY, files=files)
    assert problem.file == "visits.csv"
    assert problem.allowed == "a patient_id listed in patients.csv"


def periods(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Lenalidomide periods of P1 as (start, end, drug) rows."""
    return pd.DataFrame(
        {
            "patient_id": ["P1"] * len(rows),
            "drug": [drug for _, _, drug in rows],
            "start_date": [start for start, _, _ in rows],
            "dose_mg_per_day": [str(5 + i) for i in range(len(rows))],
            "end_date": [end for _, end, _ in rows],
        }
    )


def overlap_rows(frames: dict[str, pd.DataFrame], table: pd.DataFrame) -> list[int | None]:
    cohort = Cohort(**(frames | {"treatments": table}))
    return [p.row for p in validate(cohort, today=TODAY) if "overlaps" in p.message]


LEN = "lenalidomide"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # a dose change recorded as a new period starting the day the previous one ends
        ((("2020-01-01", "2020-02-01", LEN), ("2020-02-01", "", LEN)), []),
        # one day of overlap
        ((("2020-01-01", "2020-02-02", LEN), ("2020-02-01", "", LEN)), [1, 2]),
        # a gap between periods
        ((("2020-01-01", "2020-02-01", LEN), ("2020-03-01", "2020-04-01", LEN)), []),
        # an ongoing period and a later one
        ((("2020-01-01", "", LEN), ("2021-01-01", "2021-02-01", LEN)), [1, 2]),
        # one period inside another, listed in reverse order
        ((("2020-02-01", "2020-02-10", LEN), ("2020-01-01", "2020-06-01", LEN)), [1, 2]),
        # same start day
        ((("2020-01-01", "2020-01-01", LEN), ("2020-01-01", "2020-03-01", LEN)), [1, 2]),
        # different drugs may overlap
        ((("2020-01-01", "", LEN), ("2020-01-15", "", "thalidomide")), []),
        # only the overlapping pair is reported
        (
            (
                ("2019-01-01", "2019-06-01", LEN),
                ("2020-01-01", "2020-03-01", LEN),
                ("2020-02-01", "2020-04-01", LEN),
            ),
            [2, 3],
        ),
    ],
)
def test_overlapping_dose_periods(
    frames: dict[str, pd.DataFrame], rows: tuple[tuple[str, str, str], ...], expected: list[int]
) -> None:
    assert overlap_rows(frames, periods(*rows)) == expected


def test_overlap_message_names_the_other_period(frames: dict[str, pd.DataFrame]) -> None:
    table = periods(("2020-01-01", "", LEN), ("2021-01-01", "2021-02-01", LEN))
    problems = validate(Cohort(**(frames | {"treatments": table})), today=TODAY)
    assert [str(p) for p in problems] == [
        "treatments, row 1: start_date: this lenalidomide period overlaps the lenalidomide "
        "period from 2021-01-01 to 2021-02-01 (got '2020-01-01'); allowed: one dose period "
        "per patient and drug at a time; a new period may start on the day the previous one "
        "ends; patient: P1",
        "treatments, row 2: start_date: this lenalidomide period overlaps the lenalidomide "
        "period from 2020-01-01 ongoing (got '2021-01-01'); allowed: one dose period per "
        "patient and drug at a time; a new period may start on the day the previous one ends; "
        "patient: P1",
    ]


def test_period_ending_before_it_starts_is_not_also_an_overlap(
    frames: dict[str, pd.DataFrame],
) -> None:
    table = periods(("2020-01-01", "2020-02-01", LEN), ("2020-03-01", "2020-01-15", LEN))
    problems = validate(Cohort(**(frames | {"treatments": table})), today=TODAY)
    assert [(p.row, p.field) for p in problems] == [(2, "end_date")]
