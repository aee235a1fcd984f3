"""The number grammar of cohort cells: what a number column reads, and what it refuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from clears.cohort._coerce import coerce_column
from clears.cohort._schema import schema_of


def parse(table: str, column: str, values: list[Any]) -> Any:
    return coerce_column(
        pd.Series(values, dtype=object), schema_of(table)[column], required=False, file="f"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12.0),
        ("12.5", 12.5),
        ("-0.5", -0.5),  # the sign is allowed; the range decides (bmi minimum is 10)
        ("+12", 12.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1.25e1", 12.5),
        ("125E-1", 12.5),
        (" 12 ", 12.0),  # surrounding white space, as for every kind
        ("0012", 12.0),
    ],
)
def test_numbers_of_the_grammar_are_read(raw: str, expected: float) -> None:
    values, problems = parse("visits", "sledai", [raw])
    if expected < 0:
        assert [p.message for p in problems] == ["is out of range"]
        return
    assert problems == []
    assert values.iloc[0] == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        # float("1_5") is 15 in Python: the underscore is a digit separator there.
        ("1_5", "contains a digit separator ('_' or a space); write the digits without one"),
        ("1 5", "contains a digit separator ('_' or a space); write the digits without one"),
        ("1,5", "contains ','; write the decimal separator as '.' and no thousands separator"),
        ("1,000", "contains ','; write the decimal separator as '.' and no thousands separator"),
        # float() reads full-width and other Unicode decimal digits as 0-9.
        (
            "\uff11\uff15",
            "contains digits other than 0-9 (e.g. full-width digits); type them as 0-9",
        ),
        (
            "\u0661\u0665",
            "contains digits other than 0-9 (e.g. full-width digits); type them as 0-9",
        ),
        ("inf", "is not a finite number"),
        ("-Infinity", "is not a finite number"),
        ("nan", "is not a finite number"),
        ("1e999", "is not a finite number"),  # overflows to inf
        ("0x10", "is not a number"),
        ("0b1", "is not a number"),
        ("1.2.3", "is not a number"),
        ("1e", "is not a number"),
        (".", "is not a number"),
        ("+-1", "is not a number"),
        ("12 mg", "contains a digit separator ('_' or a space); write the digits without one"),
        ("twelve", "is not a number"),
    ],
)
def test_text_outside_the_grammar_is_refused(raw: str, message: str) -> None:
    values, problems = parse("visits", "sledai", [raw])
    (problem,) = problems
    assert (problem.field, problem.value, problem.message) == ("sledai", raw, message)
    assert pd.isna(values.iloc[0])


def test_python_float_accepts_what_the_grammar_refuses() -> None:
    # Why the grammar is needed at all: each of these is a float to Python.
    assert float("1_5") == 15.0
    assert float("\uff11\uff15") == 15.0
    assert float(" 1e3 ") == 1000.0


@pytest.mark.parametrize("typed", [12, 12.0, np.int64(12), np.float32(12.0), Decimal("12")])
def test_typed_numbers_are_read(typed: Any) -> None:
    values, problems = parse("visits", "sledai", [typed])
    assert problems == []
    assert values.iloc[0] == 12.0


@pytest.mark.parametrize("typed", [True, np.bool_(False)])
def test_booleans_are_not_numbers(typed: Any) -> None:
    (problem,) = parse("visits", "sledai", [typed])[1]
    assert problem.message == "expects a number, not true/false"


def test_whole_numbers_use_the_same_grammar() -> None:
    values, problems = parse("adverse_events", "grade", ["2", "2.0", "1_2", "2.5"])
    assert values.iloc[:2].tolist() == [2, 2]
    assert [(p.row, p.message) for p in problems] == [
        (3, "contains a digit separator ('_' or a space); write the digits without one"),
        (4, "is not a whole number"),
    ]


@pytest.mark.parametrize("raw", ["\uff12\uff10\uff12\uff10-01-06", "\u0662020-01-06"])
def test_dates_take_ascii_digits_only(raw: str) -> None:
    (problem,) = parse("flares", "flare_date", [raw])[1]
    assert problem.message == "is not an ISO 8601 date"
