"""The optional columns decision support reads: in the schema, validated, read back by protocol.

The column list and types are those of docs/protocol.md ("Cohort columns read"); the limits
are the eligibility criteria of Cortés-Hernández 2012 (doi:10.1186/ar4111) as coded in
``clears.protocol._eligibility.CORTES2012_LIMITS`` and the CLASI erythema levels 0-3
(Albrecht 2005, doi:10.1111/j.0022-202X.2005.23889.x).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from clears.cohort import Cohort, Kind, conform, validate
from clears.cohort._schema import schema_of
from clears.protocol._patient import flag, number

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2024, 6, 30)

PATIENT_FLAGS = (
    "reproductive_potential",
    "irregular_cycles",
    "prior_thrombosis",
    "dialysis",
    "antiphospholipid_antibodies",
    "cle_histology",
    "stable_background",
    "thalidomide_hypersensitivity",
    "lactating",
    "contraception",
    "sle_immunosuppression",
    "progressive_renal_disease",
    "hiv",
    "viral_hepatitis",
    "compliance_risk",
)


def _protocol_table() -> dict[str, dict[str, str]]:
    """Columns marked new in docs/protocol.md, "Cohort columns read": table -> column -> type."""
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = text.split("## Cohort columns read")[1].split("\n## ")[0]
    found: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or "**new**" not in cells[1]:
            continue
        for name in re.findall(r"`([a-z_]+)`", cells[1]):
            found.setdefault(cells[0], {})[name] = cells[2]
    return found


def test_every_new_protocol_column_is_in_the_schema_with_its_type() -> None:
    documented = _protocol_table()
    # docs/protocol.md lists 17 new patients columns and 2 new visits columns
    assert sum(len(v) for v in documented.values()) == 19
    kinds = {"bool": {Kind.boolean}, "number": {Kind.number}, "0–3": {Kind.integer}}
    for table, columns in documented.items():
        schema = schema_of(table)
        for name, typ in columns.items():
            assert name in schema, (table, name)
            expected = kinds[typ.split(" ")[0]]
            assert schema[name].kind in expected, (table, name, typ)


def _replace(frames: dict[str, pd.DataFrame], table: str, **columns: list[Any]) -> Cohort:
    tables = frames | {table: frames[table].assign(**columns)}
    return Cohort(
        patients=tables["patients"],
        treatments=tables["treatments"],
        visits=tables["visits"],
        adverse_events=tables["adverse_events"],
        flares=tables["flares"],
    )


def _cohort(frames: dict[str, pd.DataFrame], **columns: list[Any]) -> Cohort:
    return _replace(frames, "patients", **columns)


@pytest.mark.parametrize("column", PATIENT_FLAGS)
def test_yes_no_columns_accept_boolean_spellings_and_read_back_in_protocol(
    frames: dict[str, pd.DataFrame], column: str
) -> None:
    conformed = conform(_cohort(frames, **{column: ["Yes", ""]}), today=TODAY)
    values = conformed.patients[column]
    assert str(values.dtype) == "boolean"
    # protocol reads cells with flag(): True for the first patient, unknown for the blank
    assert [flag(v) for v in values.astype(object)] == [True, None]
    conformed = conform(_cohort(frames, **{column: ["0", "false"]}), today=TODAY)
    assert [flag(v) for v in conformed.patients[column].astype(object)] == [False, False]


@pytest.mark.parametrize("column", PATIENT_FLAGS)
def test_yes_no_columns_reject_other_words(frames: dict[str, pd.DataFrame], column: str) -> None:
    (problem,) = validate(_cohort(frames, **{column: ["maybe", "no"]}), today=TODAY)
    assert (problem.file, problem.row, problem.field, problem.value) == (
        "patients",
        1,
        column,
        "maybe",
    )
    assert problem.message == "is not a yes/no value"
    assert problem.allowed == "true/false, yes/no or 1/0 (blank = missing)"


@pytest.mark.parametrize(
    ("column", "good", "bad", "allowed"),
    [
        # 0 and 600 months (50 years) are the plausibility limits; 3 is the protocol's edge
        ("antimalarial_months", ["0", "600"], ["-0.5", "600.5"], "a number from 0 to 600 months"),
        # a percentage of body surface: 0-100; 18 is the protocol's "> 18 %" edge
        ("bsa_percent", ["0", "100"], ["-1", "100.1"], "a number from 0 to 100 %"),
    ],
)
def test_numeric_columns_both_sides_of_their_limits(
    frames: dict[str, pd.DataFrame], column: str, good: list[str], bad: list[str], allowed: str
) -> None:
    conformed = conform(_cohort(frames, **{column: good}), today=TODAY)
    assert [number(v) for v in conformed.patients[column]] == [float(v) for v in good]
    problems = validate(_cohort(frames, **{column: bad}), today=TODAY)
    assert [(p.row, p.field, p.value, p.message, p.allowed) for p in problems] == [
        (1, column, bad[0], "is out of range", allowed),
        (2, column, bad[1], "is out of range", allowed),
    ]
    (problem,) = validate(_cohort(frames, **{column: ["three", ""]}), today=TODAY)
    assert (problem.field, problem.message) == (column, "is not a number")


def _visits(frames: dict[str, pd.DataFrame], **columns: list[Any]) -> Cohort:
    return _replace(frames, "visits", **columns)


def test_erythema_max_is_a_clasi_erythema_level(frames: dict[str, pd.DataFrame]) -> None:
    # CLASI erythema levels are 0-3 (Albrecht 2005); the protocol needs >= 2 (Cortés 2012)
    conformed = conform(_visits(frames, erythema_max=["0", "3", ""]), today=TODAY)
    assert conformed.visits["erythema_max"].tolist() == [0, 3, pd.NA]
    assert [number(v) for v in conformed.visits["erythema_max"].astype(object)] == [0, 3, None]
    problems = validate(_visits(frames, erythema_max=["-1", "4", "2.5"]), today=TODAY)
    assert [(p.row, p.value, p.message) for p in problems] == [
        (1, "-1", "is out of range"),
        (2, "4", "is out of range"),
        (3, "2.5", "is not a whole number"),
    ]
    assert {p.allowed for p in problems} == {"a whole number from 0 to 3"}


def test_nerve_conduction_is_yes_no(frames: dict[str, pd.DataFrame]) -> None:
    conformed = conform(_visits(frames, nerve_conduction=["yes", "", "0"]), today=TODAY)
    assert [flag(v) for v in conformed.visits["nerve_conduction"].astype(object)] == [
        True,
        None,
        False,
    ]
    (problem,) = validate(_visits(frames, nerve_conduction=["done", "", ""]), today=TODAY)
    assert (problem.file, problem.row, problem.field, problem.message) == (
        "visits",
        1,
        "nerve_conduction",
        "is not a yes/no value",
    )
