"""validate() and conform(): order-free results, untouched inputs, the public API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clears.cohort
from clears import InputError, Problem
from clears.cohort import TABLES, Cohort, conform, validate

TODAY = dt.date(2024, 6, 30)

#: A cohort with at least one problem of every kind (synthetic).
MESSY = {
    "patients": pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P1", "P3"],
            "centre": ["BCN", "LYO", "BCN", ""],
            "smoking": ["never", "sometimes", "never", "former"],
        }
    ),
    "treatments": pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P9", "P2", "P2"],
            "drug": ["lenalidomide", "lenalidomide", "thalidomide", "lenalidomide", "x"],
            "start_date": ["2020-01-01", "2020-02-01", "2020-01-01", "2021-01-01", "2021-01-01"],
            "dose_mg_per_day": ["5", "10", "100", "30", "5"],
            "end_date": ["2020-03-01", "", "2019-12-01", "", ""],
        }
    ),
    "visits": pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P2", "P4"],
            "visit_date": ["2020-01-01", "2020-01-01", "2030-01-01", "2020-1-1"],
            "clasi_a": ["10", "10", "71", "3"],
            "clasi_scalp_scar": ["0", "0", "2", ""],
        }
    ),
    "adverse_events": pd.DataFrame(
        {
            "patient_id": ["P1"],
            "onset_date": ["2020-02-01"],
            "term": ["Fatigue"],
            "grade": ["0"],
        }
    ),
    "flares": pd.DataFrame(
        {"patient_id": ["P2", "P2"], "flare_date": ["2021-03-01", "2021-03-01"], "severity": "mild"}
    ),
    "concomitant_medications": pd.DataFrame(
        {
            "patient_id": ["P1", "P9", "P2", "P1"],
            "drug": ["Aspirin", "paracetamol", "prednisone", "hydroxychloroquine"],
            "start_date": ["2020-01-01", "2020-01-01", "2021-01-01", "2020-01-01"],
            "end_date": ["", "", "2020-12-31", ""],
            "dose": ["100", "", "5", "400"],
            "dose_unit": ["mg/day", "", "mg/day", ""],
        }
    ),
}


def key(problem: Problem, order: dict[str, np.ndarray] | None = None) -> tuple[object, ...]:
    """A problem with its row mapped back through a permutation of its table."""
    row = problem.row
    if order is not None and row is not None and problem.file is not None:
        row = int(order[problem.file][row - 1]) + 1
    return (problem.file, row, problem.field, problem.value, problem.message, problem.allowed)


def test_messy_cohort_reports_every_kind_of_problem() -> None:
    problems = validate(Cohort(**MESSY), today=TODAY)
    messages = {p.message.split(" (")[0].split(":")[0] for p in problems}
    assert {
        "appears in 2 rows",
        "is blank; a value is required",
        "is not an allowed value",
        "is not in patients",
        "is before start_date 2020-01-01",
        "is above the plausible maximum for lenalidomide",
        "is a duplicate",
        "is in the future",
        "is out of range",
        "is not an ISO 8601 date",
        "is not an allowed level",
    } <= messages
    assert any("overlaps" in m for m in messages)
    assert len(problems) >= 20


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_row_order_does_not_change_the_problems(data: st.DataObject) -> None:
    order = {
        table: np.array(data.draw(st.permutations(range(len(frame)))), dtype=int)
        for table, frame in MESSY.items()
    }
    shuffled = Cohort(**{t: MESSY[t].iloc[order[t]] for t in TABLES})
    expected = sorted(key(p) for p in validate(Cohort(**MESSY), today=TODAY))
    found = sorted(key(p, order) for p in validate(shuffled, today=TODAY))
    assert found == expected


def test_inputs_are_not_changed(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    visits = frames["visits"].set_axis([10, 20, 30])  # a non-default index
    cohort = cohort_of(frames, visits=visits)
    before = {t: cohort.table(t).copy(deep=True) for t in TABLES}
    conformed = conform(cohort, today=TODAY)
    validate(Cohort(**MESSY), today=TODAY)
    for table in TABLES:
        pd.testing.assert_frame_equal(cohort.table(table), before[table])
        assert conformed.table(table) is not cohort.table(table)
    assert conformed.visits.index.tolist() == [0, 1, 2]
    assert MESSY["treatments"]["dose_mg_per_day"].dtype != "float64"


def test_rows_are_positions_not_index_labels(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    visits = frames["visits"].set_axis([10, 20, 30]).assign(hb=["", "", "250"])
    (problem,) = validate(cohort_of(frames, visits=visits), today=TODAY)
    assert problem.row == 3


def test_typed_cohort_is_judged_like_text(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    typed = pd.DataFrame(
        {
            "patient_id": ["P1", "P1"],
            "visit_date": pd.to_datetime(["2020-01-06", "2030-01-01"]),
            "hb": [13.0, 250.0],
        }
    )
    text = typed.assign(visit_date=["2020-01-06", "2030-01-01"], hb=["13", "250"])
    typed_problems = validate(cohort_of(frames, visits=typed), today=TODAY)
    text_problems = validate(cohort_of(frames, visits=text), today=TODAY)
    assert [(p.row, p.field, p.message) for p in typed_problems] == [
        (p.row, p.field, p.message) for p in text_problems
    ]
    assert len(typed_problems) == 2


@pytest.mark.slow  # over a second in --durations
def test_every_value_changes_the_result(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    # Making any one cell of the valid cohort invalid gives a problem at that very cell.
    bad = {"patient_id": "", "centre": "", "sex": "x", "sle": "maybe", "drug": "x",
           "start_date": "bad", "dose_mg_per_day": "-1", "end_date": "bad", "visit_date": "bad",
           "clasi_a": "99", "hb": "0", "onset_date": "bad", "term": " ", "grade": "9",
           "flare_date": "bad", "severity": "x", "dose": "-1", "dose_unit": "mg/hour",
           "indication": "x"}  # fmt: skip
    for table in TABLES:
        for column in frames[table].columns:
            for row in range(len(frames[table])):
                frame = frames[table].copy()
                frame.iloc[row, frame.columns.get_loc(column)] = bad[column]
                problems = validate(cohort_of(frames, **{table: frame}), today=TODAY)
                cells = {(p.file, p.row, p.field) for p in problems}
                assert (table, row + 1, column) in cells, (table, column, row)


def test_conform_raises_with_all_problems() -> None:
    with pytest.raises(InputError) as caught:
        conform(Cohort(**MESSY), today=TODAY)
    assert list(caught.value.problems) == validate(Cohort(**MESSY), today=TODAY)


def test_duplicate_and_missing_columns_in_memory(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    columns = ["patient_id", "hb", "x", "x"]
    visits = pd.DataFrame([["P1", "2020-01-06", "1", "2"]], columns=columns)
    problems = validate(cohort_of(frames, visits=visits), today=TODAY)
    assert [str(p) for p in problems] == [
        "visits: visit_date: required column is missing; allowed: columns patient_id, visit_date",
        "visits: x: column appears 2 times; allowed: each column once",
    ]


def test_a_table_that_is_not_a_frame(frames: dict[str, pd.DataFrame]) -> None:
    cohort = Cohort(**(frames | {"flares": [1, 2]}))  # type: ignore[arg-type]
    (problem,) = validate(cohort, today=TODAY)
    assert str(problem) == "flares: flares: is a list; allowed: a DataFrame"


def test_default_today_is_the_current_date(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., Cohort]
) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    flares = frames["flares"].assign(flare_date=tomorrow)
    assert [p.field for p in validate(cohort_of(frames, flares=flares))] == ["flare_date"]


def test_public_api() -> None:
    assert set(clears.cohort.__all__) == {
        "ANTITHROMBOTIC_CLASSES", "CANONICAL_DOSE_UNIT", "COHORT_VERSION", "Cohort",
        "CohortWarning", "Column",
        "DATE_COLUMNS", "DOSE_MAXIMUM", "DOSE_UNITS", "INDICATIONS", "Kind", "MEDICATIONS",
        "MEDICATION_CLASSES", "Medication", "OPTIONAL_TABLES", "REPRODUCTIVE_POTENTIAL_BASES",
        "REQUIRED_COLUMNS", "SCHEMA", "TABLES", "conform", "medication_class",
        "prednisone_equivalent", "read", "validate", "with_optional_columns", "write",
        # site-defined fields (docs/site-fields.md)
        "SITE_FIELD_TYPES", "SiteField", "SiteFields", "check_site_values",
        "load_site_fields", "parse_site_fields", "site_dictionary_rows", "site_text",
        "site_typed",
    }  # fmt: skip
    for name in clears.cohort.__all__:
        assert name.isupper() or getattr(clears.cohort, name).__module__.startswith("clears.")


def test_schema_starts_with_required_columns() -> None:
    from clears.cohort import DATE_COLUMNS, REQUIRED_COLUMNS, SCHEMA, Kind

    for table in TABLES:
        names = [c.name for c in SCHEMA[table]]
        assert tuple(names[: len(REQUIRED_COLUMNS[table])]) == REQUIRED_COLUMNS[table]
        assert len(set(names)) == len(names)
        dates = tuple(c.name for c in SCHEMA[table] if c.kind is Kind.date)
        assert dates == DATE_COLUMNS[table]
