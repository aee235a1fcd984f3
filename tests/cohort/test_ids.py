"""Patient identifiers: one safe alphabet at the cohort boundary (``clears.cohort._ids``).

Expected messages come from the rule as documented (RFC 3986 unreserved characters without
``~``, a letter or digit first, at most 64 characters), not from running the code.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clears.cohort import Cohort, validate
from clears.cohort._coerce import coerce_column
from clears.cohort._ids import ID_MAX_LENGTH, id_key, id_problem, normalise_id
from clears.cohort._schema import schema_of

_PATIENT_ID = schema_of("patients")["patient_id"]


@pytest.mark.parametrize("text", ["P01", "p-01", "BCN.007", "a_b-c.d", "7", "X" * ID_MAX_LENGTH])
def test_safe_ids_are_accepted(text: str) -> None:
    assert id_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("P/01", "contains '/'"),
        ("P 01", "contains a space"),
        ("P01\n", "contains an invisible character U+000A"),
        ("P\u200b01", "contains an invisible character U+200B (zero width space)"),
        ("P\u00e901", "contains 'é'"),
        ("P?01", "contains '?'"),
        ("P#01", "contains '#'"),
        ("P%2F01", "contains '%'"),
        ("..", "must start with a letter or digit"),
        ("-rf", "must start with a letter or digit"),
        ("X" * (ID_MAX_LENGTH + 1), f"is 65 characters long; at most {ID_MAX_LENGTH} are allowed"),
        ("", "is blank"),
    ],
)
def test_unsafe_ids_are_refused_with_the_reason(text: str, reason: str) -> None:
    assert id_problem(text) == reason


def test_surrounding_white_space_is_not_part_of_the_id() -> None:
    assert normalise_id(" P02\t") == "P02"
    assert id_key("P02") == id_key("p02") != id_key("P03")


def test_coercion_refuses_unsafe_ids_naming_row_value_and_alphabet() -> None:
    raw = pd.Series([" P01 ", "P/02", "P\u200b03"], dtype=object)
    typed, problems = coerce_column(raw, _PATIENT_ID, required=True, file="patients")
    assert typed.iloc[0] == "P01"
    assert [(p.row, p.value, p.message) for p in problems] == [
        (2, "P/02", "contains '/'"),
        (3, "P\u200b03", "contains an invisible character U+200B (zero width space)"),
    ]
    assert all(p.allowed is not None and "letters A–Z" in p.allowed for p in problems)


def _cohort(ids: list[str], treatment_ids: list[str]) -> Cohort:
    empty = {
        "visits": pd.DataFrame(columns=["patient_id", "visit_date"]),
        "adverse_events": pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"]),
        "flares": pd.DataFrame(columns=["patient_id", "flare_date", "severity"]),
    }
    return Cohort(
        patients=pd.DataFrame({"patient_id": ids, "centre": ["BCN"] * len(ids)}),
        treatments=pd.DataFrame(
            {
                "patient_id": treatment_ids,
                "drug": ["lenalidomide"] * len(treatment_ids),
                "start_date": ["2020-01-01"] * len(treatment_ids),
                "dose_mg_per_day": [5] * len(treatment_ids),
            }
        ),
        **empty,
    )


def test_every_table_checks_its_patient_ids() -> None:
    import datetime as dt

    problems = validate(_cohort(["P01"], ["P01", "P 01"]), today=dt.date(2024, 1, 1))
    assert [(p.file, p.row, p.field, p.message) for p in problems] == [
        ("treatments", 2, "patient_id", "contains a space"),
    ]
