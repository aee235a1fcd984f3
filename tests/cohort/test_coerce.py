"""Parsing one column: dates, booleans, numbers, ranges and choices, with their messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from clears.cohort._coerce import coerce_column, display_value, is_blank
from clears.cohort._schema import schema_of


def parse(table: str, column: str, values: list[Any], *, required: bool = False) -> Any:
    return coerce_column(
        pd.Series(values, dtype=object), schema_of(table)[column], required=required, file="f"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("06/01/2020", "is not an ISO 8601 date"),
        ("2020-1-6", "is not an ISO 8601 date"),
        ("20200106", "is not an ISO 8601 date"),
        ("2020-01-06T10:00", "is not an ISO 8601 date"),
        ("2021-02-29", "is not a calendar date"),  # 2021 is not a leap year
        ("2020-13-01", "is not a calendar date"),
    ],
)
def test_dates_other_than_iso_are_rejected(raw: str, message: str) -> None:
    values, problems = parse("flares", "flare_date", [raw])
    (problem,) = problems
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "f",
        1,
        "flare_date",
        raw,
    )
    assert problem.message == message
    assert problem.allowed == "an ISO 8601 date YYYY-MM-DD"
    assert values.isna().all()


def test_dates_accept_iso_text_dates_and_timestamps() -> None:
    values, problems = parse(
        "flares",
        "flare_date",
        [" 2020-02-29 ", dt.date(2020, 3, 1), pd.Timestamp("2020-03-02"), "", None],
    )
    assert problems == []
    assert values.dtype == "datetime64[ns]"
    assert values.tolist()[:3] == [pd.Timestamp(f"2020-{d}") for d in ("02-29", "03-01", "03-02")]
    assert values.isna().tolist() == [False, False, False, True, True]


def test_timestamp_with_time_of_day_is_rejected() -> None:
    _, (problem,) = parse("flares", "flare_date", [pd.Timestamp("2020-03-02 10:30")])
    assert problem.message == "has a time of day; give the calendar date only"
    assert problem.value == "2020-03-02T10:30:00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True), ("TRUE", True), ("Yes", True), ("1", True), (1, True), (True, True),
        ("false", False), ("No", False), ("0", False), (0, False), (np.False_, False),
    ],
)  # fmt: skip
def test_booleans(raw: Any, expected: bool) -> None:
    values, problems = parse("patients", "sle", [raw])
    assert problems == []
    assert values.tolist() == [expected]


@pytest.mark.parametrize("raw", ["maybe", "2", 2, "oui"])
def test_bad_booleans(raw: Any) -> None:
    _, (problem,) = parse("patients", "sle", [raw])
    assert problem.message == "is not a yes/no value"
    assert problem.allowed == "true/false, yes/no or 1/0 (blank = missing)"


def test_blank_boolean_is_missing() -> None:
    values, problems = parse("patients", "sle", ["", "  ", None])
    assert problems == []
    assert values.isna().all()
    assert values.dtype == "boolean"


# Range edges from the schema: hb 1-25 g/dL; clasi_a 0-70 (Albrecht 2005); grade 1-5 (CTCAE
# v5.0); dose >= 0.
@pytest.mark.parametrize(
    ("table", "column", "inside", "outside"),
    [
        ("visits", "hb", ["1", "25"], ["0.99", "25.01"]),
        ("visits", "clasi_a", ["0", "70"], ["-1", "70.5"]),
        ("visits", "clasi_d", ["0", "56"], ["-0.5", "57"]),
        ("visits", "sledai", ["0", "105"], ["-1", "106"]),
        ("visits", "platelets", ["0", "2000"], ["-1", "150000"]),
        ("adverse_events", "grade", ["1", "5"], ["0", "6"]),
        ("treatments", "dose_mg_per_day", ["0", "1000"], ["-0.1"]),
        ("patients", "phototype", ["1", "6"], ["0", "7"]),
    ],
)
def test_both_sides_of_each_range(
    table: str, column: str, inside: list[str], outside: list[str]
) -> None:
    _, problems = parse(table, column, inside)
    assert problems == []
    _, problems = parse(table, column, outside)
    assert [p.row for p in problems] == list(range(1, len(outside) + 1))
    assert {p.message for p in problems} == {"is out of range"}
    assert {p.value for p in problems} == set(outside)


def test_range_is_named_with_unit() -> None:
    _, (problem,) = parse("visits", "hb", ["120"])  # g/L given instead of g/dL
    assert str(problem) == (
        "f, row 1: hb: is out of range (got '120'); allowed: a number from 1 to 25 g/dL"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "is not a number"),
        ("nan", "is not a finite number"),
        ("inf", "is not a finite number"),
        (True, "expects a number, not true/false"),
    ],
)
def test_bad_numbers(raw: Any, message: str) -> None:
    _, (problem,) = parse("visits", "hb", [raw])
    assert problem.message == message


def test_integers_must_be_whole() -> None:
    values, problems = parse("adverse_events", "grade", ["2", "3.0", 4.0, "2.5"])
    assert values.dtype == "Int64"
    assert values.tolist()[:3] == [2, 3, 4]
    (problem,) = problems
    assert (problem.row, problem.message) == (4, "is not a whole number")


def test_choices_are_case_and_spacing_insensitive() -> None:
    values, problems = parse(
        "flares", "source", ["SFI", "SLEDAI delta", "sledai-delta", "Clinician"]
    )
    assert problems == []
    assert values.tolist() == ["sfi", "sledai_delta", "sledai_delta", "clinician"]


def test_unknown_choice() -> None:
    _, (problem,) = parse("treatments", "drug", ["aspirin"])
    assert str(problem) == (
        "f, row 1: drug: is not an allowed value (got 'aspirin'); "
        "allowed: lenalidomide, thalidomide, other"
    )


def test_subtype_lists() -> None:
    values, problems = parse("patients", "cle_subtypes", ["dle; scle", "LET", "DLE;XX;YY", ";"])
    assert values.tolist()[:2] == ["DLE;SCLE", "LET"]
    assert pd.isna(values.iloc[3])
    (problem,) = problems
    assert problem.row == 3
    assert problem.message == "has unknown value(s) 'XX', 'YY'"
    assert problem.allowed is not None
    assert problem.allowed.startswith("one or more of DLE, SCLE, ACLE, LET, LEP, CHLE")


def test_required_blank_is_reported_once() -> None:
    _, problems = parse("treatments", "drug", ["", "x", None], required=True)
    assert [(p.row, p.message) for p in problems] == [
        (1, "is blank; a value is required"),
        (2, "is not an allowed value"),
        (3, "is blank; a value is required"),
    ]


def test_optional_blank_is_fine() -> None:
    _, problems = parse("treatments", "end_reason", ["", None])
    assert problems == []


def test_text_is_stripped_and_required() -> None:
    values, problems = parse("patients", "patient_id", [" P1 ", "  "], required=True)
    assert values.iloc[0] == "P1"
    assert [p.row for p in problems] == [2]


def test_blank_and_display_helpers() -> None:
    assert [is_blank(v) for v in (pd.NA, pd.NaT, np.nan, "", "0", 0.0)] == [
        True, True, True, True, False, False,
    ]  # fmt: skip
    assert display_value(np.int64(3)) == 3
    assert type(display_value(np.int64(3))) is int
    assert display_value(pd.Timestamp("2020-01-02")) == "2020-01-02"
    assert display_value(dt.date(2020, 1, 2)) == "2020-01-02"
    assert display_value(np.nan) is None
    assert display_value("") == ""
