"""Typed columns (Parquet, simulated cohorts) and text columns (CSV) read column at a time
give exactly what the cell-by-cell parsers give: same values, same problems.

The reference is the cell-by-cell path itself (``dtype=object`` columns take it), so these
are equivalence properties; the parsers' own rules are tested in test_coerce.py/test_items.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item
from clears.cohort._schema import schema_of
from clears.registry._models import item_fields

_VISITS = schema_of("visits")
_FIELDS = {f.column: f for f in item_fields()}
_TEXT = st.sampled_from(
    ["", " ", "0", "1", "2", "3", " 1 ", "1.0", "1.5", "-1", "x", "yes", "No", "TRUE", "nan", "inf"]
)


def _same(a: tuple[pd.Series, list[object]], b: tuple[pd.Series, list[object]]) -> None:
    pd.testing.assert_series_equal(a[0], b[0], check_names=False)
    assert [str(p) for p in a[1]] == [str(p) for p in b[1]]


def _with_sentinel(cells: list[object]) -> pd.Series:
    """The cells and one trailing non-text cell: a column that must take the cell path."""
    return pd.Series([*cells, 0], dtype=object)


def _head(result: tuple[pd.Series, list[Any]], n: int) -> tuple[pd.Series, list[Any]]:
    """Drop the sentinel's value and problems."""
    values, problems = result
    return values.iloc[:n], [p for p in problems if p.row is None or p.row <= n]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), max_size=12),
    st.sampled_from(["anc", "platelets", "hb", "bmi"]),
)
def test_typed_numbers_equal_the_cell_by_cell_path(values: list[float | None], name: str) -> None:
    column = _VISITS.get(name) or schema_of("patients")[name]
    typed = pd.Series(values, dtype="float64")
    _same(
        coerce_column(typed, column, required=False, file="visits"),
        coerce_column(typed.astype(object), column, required=False, file="visits"),
    )


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 60), st.floats(0, 60)), max_size=12))
def test_typed_whole_numbers_equal_the_cell_by_cell_path(values: list[float | None]) -> None:
    column = schema_of("patients")["prior_systemic_lines"]
    typed = pd.Series(values, dtype="float64")
    _same(
        coerce_column(typed, column, required=True, file="visits"),
        coerce_column(typed.astype(object), column, required=True, file="visits"),
    )


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 20_000)), max_size=10), st.booleans())
def test_typed_dates_equal_the_cell_by_cell_path(days: list[int | None], with_time: bool) -> None:
    column = schema_of("visits")["visit_date"]
    stamps = [
        None if d is None else pd.Timestamp("1990-01-01") + pd.Timedelta(days=d) for d in days
    ]
    if with_time and stamps and stamps[0] is not None:
        stamps[0] += pd.Timedelta(hours=3)
    typed = pd.Series(stamps, dtype="datetime64[ns]")
    _same(
        coerce_column(typed, column, required=True, file="visits"),
        coerce_column(typed.astype(object), column, required=True, file="visits"),
    )


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXT), max_size=12), st.sampled_from(sorted(_FIELDS)))
def test_text_items_equal_the_cell_by_cell_path(cells: list[str | None], column: str) -> None:
    field = _FIELDS[column]
    text = pd.Series(cells, dtype="string")
    reference = coerce_item(_with_sentinel(cells), field, file="visits")
    _same(coerce_item(text, field, file="visits"), _head(reference, len(cells)))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-1, 4), st.booleans()), max_size=12))
def test_typed_items_equal_the_cell_by_cell_path(values: list[int | bool | None]) -> None:
    field = _FIELDS["clasi_scalp_ery"]
    numbers = [None if v is None else int(v) for v in values]
    typed = pd.Series(numbers, dtype="Int64")
    _same(
        coerce_item(typed, field, file="visits"),
        coerce_item(pd.Series(numbers, dtype=object), field, file="visits"),
    )


def test_a_non_finite_or_fractional_typed_value_is_explained_cell_by_cell() -> None:
    typed = pd.Series([1990.0, np.inf, 1990.5], dtype="float64")
    _, problems = coerce_column(
        typed, schema_of("patients")["birth_year"], required=False, file="p"
    )
    assert [(p.row, p.message) for p in problems] == [
        (2, "is not a finite number"),
        (3, "is not a whole number"),
    ]


_CELLS = st.sampled_from(
    ["", "  ", "P01", " P01 ", "p/1", "2020-01-06", "06/01/2020", "2021-02-29", "5", "1_5",
     "-0.5", "female", "Male", "x", "DLE; scle", "DLE;XYZ", "yes", "negative", "sfi"]
)  # fmt: skip


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.none(), _CELLS), max_size=14),
    st.sampled_from(
        [
            ("patients", "patient_id"),
            ("patients", "sex"),
            ("patients", "cle_subtypes"),
            ("patients", "bmi"),
            ("patients", "sle"),
            ("visits", "visit_date"),
            ("visits", "pregnancy_test"),
            ("treatments", "regimen"),
        ]
    ),
    st.booleans(),
)
def test_text_columns_equal_the_cell_by_cell_path(
    cells: list[str | None], where: tuple[str, str], required: bool
) -> None:
    column = schema_of(where[0])[where[1]]
    text = pd.Series(cells, dtype=object)
    reference = coerce_column(_with_sentinel(cells), column, required=required, file=where[0])
    _same(
        coerce_column(text, column, required=required, file=where[0]),
        _head(reference, len(cells)),
    )
