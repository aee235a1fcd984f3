"""Length limits: every text-like column has one limit, checked before anything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from clears import InputError
from clears.cohort import SCHEMA, Kind, read
from clears.cohort._coerce import coerce_column
from clears.cohort._schema import CODE_MAX_LENGTH, MAX_LENGTH, TEXT_MAX_LENGTH, schema_of

TODAY = dt.date(2024, 6, 30)


def test_every_text_like_column_has_a_limit() -> None:
    text_like = {Kind.text, Kind.identifier, Kind.choice, Kind.choices}
    for table, columns in SCHEMA.items():
        for column in columns:
            if column.kind in text_like:
                assert column.max_length is not None, (table, column)
                assert column.max_length > 0
                assert all(len(option) <= column.max_length for option in column.options)
            else:
                assert column.max_length is None, (table, column.name)


def test_limits_by_kind_and_the_centre_code() -> None:
    # The registry stores text in VARCHAR(200) and codes (ids, choices, centres) in VARCHAR(64).
    assert (TEXT_MAX_LENGTH, CODE_MAX_LENGTH) == (200, 64)
    assert dict(MAX_LENGTH) == {
        Kind.text: 200,
        Kind.identifier: 64,
        Kind.choice: 64,
        Kind.choices: 200,
    }
    assert schema_of("patients")["centre"].max_length == 64
    assert schema_of("treatments")["regimen"].max_length == 200


@pytest.mark.parametrize(
    ("table", "column", "limit"),
    [
        ("patients", "patient_id", 64),
        ("patients", "centre", 64),
        ("treatments", "regimen", 200),
        ("adverse_events", "term", 200),
    ],
)
def test_one_character_over_the_limit_is_refused(table: str, column: str, limit: int) -> None:
    spec = schema_of(table)[column]
    at, over = "P" * limit, "P" * (limit + 1)
    values, problems = coerce_column(
        pd.Series([at, over], dtype=object), spec, required=False, file="f"
    )
    assert values.iloc[0] == at
    (problem,) = problems
    assert (problem.row, problem.field) == (2, column)
    assert (
        problem.message == f"is {limit + 1} characters long; at most {limit} characters are allowed"
    )


def test_length_is_checked_first() -> None:
    # 300 characters that are not an allowed choice: the length is the one message.
    spec = schema_of("patients")["sex"]
    (problem,) = coerce_column(pd.Series(["x" * 300]), spec, required=False, file="f")[1]
    assert problem.message == "is 300 characters long; at most 64 characters are allowed"


def test_surrounding_space_does_not_count() -> None:
    spec = schema_of("patients")["centre"]
    values, problems = coerce_column(
        pd.Series(["  " + "C" * 64 + "  "]), spec, required=True, file="f"
    )
    assert problems == []
    assert values.iloc[0] == "C" * 64


def test_long_values_in_files_are_refused_naming_field_length_and_limit(
    folder_of: Callable[..., Path],
) -> None:
    long_id, centre = "P" * 70, "C" * 80
    folder = folder_of(
        patients=f"patient_id,centre\n{long_id},{centre}\nP2,LYO\n",
        treatments=(
            "patient_id,drug,start_date,dose_mg_per_day,regimen\n"
            f"P2,thalidomide,2021-05-03,100,{'r' * 250}\n"
        ),
        visits="patient_id,visit_date\nP2,2021-05-03\n",
        adverse_events=f"patient_id,onset_date,term,grade\nP2,2021-06-01,{'t' * 300},1\n",
        flares=None,
        concomitant_medications=None,
    )
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    found = {(p.file, p.row, p.field, p.message) for p in caught.value.problems}
    assert found == {
        (
            "patients.csv",
            1,
            "patient_id",
            "is 70 characters long; at most 64 characters are allowed",
        ),
        ("patients.csv", 1, "centre", "is 80 characters long; at most 64 characters are allowed"),
        (
            "treatments.csv",
            1,
            "regimen",
            "is 250 characters long; at most 200 characters are allowed",
        ),
        (
            "adverse_events.csv",
            1,
            "term",
            "is 300 characters long; at most 200 characters are allowed",
        ),
    }
