"""Cutting one patient's rows at the as-of date."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from clears import InputError, NotFoundError
from clears.protocol._patient import flag, patient_data


def test_rows_after_as_of_are_dropped_and_running_periods_reopened(b: SimpleNamespace) -> None:
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[
            b.period("2024-01-01", 5, "2024-03-01", end_reason="inefficacy"),
            b.period("2024-03-02", 10),
        ],
        visits=[b.visit("2024-01-01", clasi_a=10), b.visit("2024-02-01", clasi_a=8)],
    )
    data = patient_data(cohort, "P1", dt.date(2024, 1, 31))
    assert [v["visit_date"] for v in data.visits] == [dt.date(2024, 1, 1)]
    assert len(data.periods) == 1
    assert data.periods[0]["end_date"] is None
    assert data.periods[0]["end_reason"] is None
    assert cohort.treatments["end_reason"].iloc[0] == "inefficacy"  # input untouched


def test_unknown_patient(b: SimpleNamespace) -> None:
    with pytest.raises(NotFoundError, match="'P9'"):
        patient_data(b.cohort(patients=[b.patient()]), "P9", dt.date(2024, 1, 1))


def test_missing_visit_date_is_an_input_error(b: SimpleNamespace) -> None:
    cohort = b.cohort(patients=[b.patient()], visits=[b.visit("2024-01-01", clasi_a=1)])
    broken = cohort.visits.assign(visit_date=pd.NaT)
    cohort = type(cohort)(
        cohort.patients, cohort.treatments, broken, cohort.adverse_events, cohort.flares
    )
    with pytest.raises(InputError, match="visit_date: a date is required"):
        patient_data(cohort, "P1", dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("no", False), (1.0, True), (None, None), (float("nan"), None), ("maybe", None)],
)
def test_flag(value: object, expected: bool | None) -> None:
    assert flag(value) is expected


@pytest.mark.parametrize(
    ("sex", "expected"),
    [
        ("F", True),
        (" Woman ", True),
        ("female", True),
        ("m", False),
        ("MAN", False),
        ("male", False),
        ("other", None),
        (None, None),
    ],
)
def test_female_reads_the_sex_cell(
    b: SimpleNamespace, sex: str | None, expected: bool | None
) -> None:
    cohort = b.cohort(patients=[b.patient(sex=sex)])
    assert patient_data(cohort, "P1", dt.date(2024, 1, 1)).female is expected
