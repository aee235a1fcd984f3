"""Vectorised CLASI: equal to the single-record path, vectorised validation, severity bands.

Expected totals are computed by the independent rules of Albrecht 2005 in
``clasi/test_definition.expected_totals``; band edges from Klein 2011
(doi:10.1001/archdermatol.2010.435).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.instruments.clasi.test_definition import ITEMS, expected_totals, records

from clears import InputError
from clears.instruments import clasi
from clears.instruments.clasi import ClasiInput
from clears.instruments.clasi.vector import MAX_PROBLEMS

COLUMNS = list(ITEMS)


def zero_frame(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({c: np.zeros(n, dtype=np.int64) for c in COLUMNS})


# --- the two paths agree --------------------------------------------------------------------


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=60, deadline=None)
@given(st.lists(records(), min_size=1, max_size=12))
def test_frame_equals_single_record_path(rows: list[dict[str, int | None]]) -> None:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    out = clasi.score_frame(frame)
    singles = [clasi.score(ClasiInput.from_columns(r)) for r in rows]
    assert out["clasi_a"].tolist() == [s.activity for s in singles]
    assert out["clasi_d"].tolist() == [s.damage for s in singles]
    assert out["severity"].astype(str).tolist() == [s.severity for s in singles]
    assert [expected_totals(r) for r in rows] == list(
        zip(out["clasi_a"], out["clasi_d"], strict=True)
    )
    # The general (float, validated column by column) path gives the same answer.
    pd.testing.assert_frame_equal(clasi.score_frame(frame.astype("float64")), out)
    activity, damage = clasi.score_array(frame.to_numpy(dtype=np.int8))
    assert activity.tolist() == out["clasi_a"].tolist()
    assert damage.tolist() == out["clasi_d"].tolist()


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=60, deadline=None)
@given(st.lists(records(allow_missing=True), min_size=1, max_size=12))
def test_partial_frame_equals_partial_single_record_path(
    rows: list[dict[str, int | None]],
) -> None:
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype="Float64")
    out = clasi.score_frame(frame, partial=True)
    singles = [clasi.score(ClasiInput.from_columns(r), partial=True) for r in rows]
    assert out["clasi_a"].tolist() == [s.activity for s in singles]
    assert out["clasi_d"].tolist() == [s.damage for s in singles]
    assert out["clasi_missing"].tolist() == [len(s.missing) for s in singles]


def test_from_columns_reads_frame_rows() -> None:
    frame = zero_frame(1).astype("Int64")
    frame.loc[0, "clasi_arms_ery"] = 2
    frame.loc[0, "clasi_alopecia"] = pd.NA
    row = frame.iloc[0].to_dict()
    result = clasi.score(ClasiInput.from_columns(row), partial=True)
    assert (result.activity, result.missing) == (2, ("alopecia",))
    floats = zero_frame(1).astype("float64").iloc[0].to_dict()  # numpy floats, 0.0
    assert clasi.score(ClasiInput.from_columns(floats)).activity == 0


@pytest.mark.parametrize(
    "cell", [None, float("nan"), np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT")]
)
def test_from_columns_reads_every_missing_spelling_as_not_recorded(cell: object) -> None:
    row = zero_frame(1).iloc[0].to_dict()
    row["clasi_arms_ery"] = cell
    result = clasi.score(ClasiInput.from_columns(row), partial=True)
    assert result.missing == ("areas.arms.erythema",)


def test_from_columns_does_not_read_a_date_as_a_number() -> None:
    # A numpy date is a date, never its count of nanoseconds (which would score 2 here).
    row = zero_frame(1).iloc[0].to_dict()
    row["clasi_arms_ery"] = np.datetime64(2, "ns")
    with pytest.raises(InputError, match=r"areas\.arms\.erythema: expects a number"):
        clasi.score(ClasiInput.from_columns(row))


# --- worked example and output shape --------------------------------------------------------


def test_frame_worked_example_and_dtypes() -> None:
    frame = zero_frame(2)
    frame.loc[1, ["clasi_arms_ery", "clasi_arms_scale", "clasi_alopecia"]] = [3, 2, 3]
    frame.loc[1, ["clasi_nose_dysp", "clasi_feet_scar", "clasi_scalp_scar"]] = [1, 2, 4]
    frame["clasi_dysp_12m"] = [False, True]
    frame.index = pd.Index(["v1", "v2"])
    out = clasi.score_frame(frame)
    # Row 2: activity 3 + 2 + 3 = 8 (mild); damage 1 x 2 + 2 + 4 = 8.
    assert out.loc["v2", "clasi_a"] == 8
    assert out.loc["v2", "clasi_d"] == 8
    assert list(out.columns) == ["clasi_a", "clasi_d", "severity"]
    assert out["clasi_a"].dtype == np.int64
    assert out["clasi_d"].dtype == np.int64
    assert isinstance(out["severity"].dtype, pd.CategoricalDtype)
    assert list(out["severity"].cat.categories) == ["mild", "moderate", "severe"]
    assert out["severity"].cat.ordered
    assert list(out.index) == ["v1", "v2"]


def test_extra_columns_are_ignored_and_input_not_mutated() -> None:
    frame = zero_frame()
    frame["patient_id"] = ["a", "b", "c"]
    frame["clasi_a"] = [99, 99, 99]  # an existing total is not read
    before = frame.copy()
    out = clasi.score_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out["clasi_a"].tolist() == [0, 0, 0]


def test_nullable_and_float_columns_are_read() -> None:
    frame = zero_frame(2).astype("Int64")
    frame["clasi_face_ery"] = pd.array([2.0, 1.0], dtype="float64")
    assert clasi.score_frame(frame)["clasi_a"].tolist() == [2, 1]


def test_partial_counts_absent_columns_and_missing_values() -> None:
    frame = pd.DataFrame({"clasi_chest_ery": [1, None], "clasi_dysp_12m": [True, None]})
    out = clasi.score_frame(frame, partial=True)
    # Row 1: 56 - 2 given = 54 missing; row 2: nothing given, 56 missing.
    assert out["clasi_missing"].tolist() == [54, 56]
    assert out["clasi_a"].tolist() == [1, 0]


# --- vectorised rejections ------------------------------------------------------------------


def test_out_of_range_values_name_row_and_column() -> None:
    frame = zero_frame()
    frame.loc[1, "clasi_ears_ery"] = 4
    frame.loc[2, "clasi_scalp_scar"] = 2
    with pytest.raises(InputError) as exc:
        clasi.score_frame(frame)
    got = [(p.row, p.field, p.value) for p in exc.value.problems]
    assert got == [(2, "clasi_ears_ery", 4.0), (3, "clasi_scalp_scar", 2.0)]
    assert "row 2" not in str(exc.value)  # no file: the row lives on the Problem
    assert exc.value.problems[1].allowed is not None
    assert "3 (in one quadrant)" in exc.value.problems[1].allowed


def test_out_of_range_values_on_the_integer_fast_path() -> None:
    frame = zero_frame().astype(np.int8)
    frame.loc[0, "clasi_alopecia"] = 4
    with pytest.raises(InputError) as exc:
        clasi.score_frame(frame, partial=True)
    assert [(p.row, p.field, p.value) for p in exc.value.problems] == [(1, "clasi_alopecia", 4)]
    assert clasi.score_frame(zero_frame(), partial=True)["clasi_missing"].tolist() == [0, 0, 0]


def test_missing_columns_and_values_without_partial() -> None:
    frame = zero_frame(2).drop(columns=["clasi_legs_scale"]).astype("float64")
    frame.loc[0, "clasi_alopecia"] = np.nan
    with pytest.raises(InputError) as exc:
        clasi.score_frame(frame)
    got = [(p.field, p.row, p.message) for p in exc.value.problems]
    assert got == [
        ("clasi_legs_scale", None, "column is missing"),
        ("clasi_alopecia", 1, "is missing"),
    ]


def test_non_numbers_and_booleans_are_rejected() -> None:
    frame = zero_frame(2).astype(object)
    frame.loc[1, "clasi_hands_ery"] = "red"
    frame["clasi_mucous"] = [True, False]
    frame["clasi_alopecia"] = 1.5
    with pytest.raises(InputError) as exc:
        clasi.score_frame(frame)
    got = {(p.field, p.message) for p in exc.value.problems}
    assert ("clasi_hands_ery", "expects a number") in got
    assert ("clasi_mucous", "expects numbers, not true/false") in got
    assert ("clasi_alopecia", "not an allowed level") in got


def test_problem_list_is_capped_with_a_count() -> None:
    frame = zero_frame(100)
    frame["clasi_ears_ery"] = 9
    with pytest.raises(InputError) as exc:
        clasi.score_frame(frame)
    problems = exc.value.problems
    # 100 bad rows: MAX_PROBLEMS listed, then one line counting the other 100 - 50 = 50.
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].message == "50 more problems not listed"
    assert [p.row for p in problems[:3]] == [1, 2, 3]


# --- score_array ----------------------------------------------------------------------------


def test_score_array_rejects_shape_dtype_and_codes() -> None:
    with pytest.raises(InputError, match=r"shape \(n, 56\)"):
        clasi.score_array(np.zeros((2, 55), dtype=np.int8))
    with pytest.raises(InputError, match="integer array"):
        clasi.score_array(np.zeros((2, 56)))
    items = np.zeros((3, 56), dtype=np.int16)
    items[2, COLUMNS.index("clasi_scalp_scar")] = 1  # 1 is not a scalp-scarring level
    items[0, COLUMNS.index("clasi_feet_scale")] = -1
    with pytest.raises(InputError) as exc:
        clasi.score_array(items)
    got = [(p.field, p.row) for p in exc.value.problems]
    assert got == [("clasi_feet_scale", 1), ("clasi_scalp_scar", 3)]


def test_score_array_maximum() -> None:
    items = np.array([[max(ITEMS[c][1]) for c in COLUMNS]], dtype=np.int8)
    activity, damage = clasi.score_array(items)
    # 70 and 56: the published ranges (LILAC abstract; Yuki 2021 citing Albrecht 2005).
    assert (activity.tolist(), damage.tolist()) == ([70], [56])


# --- severity_bands -------------------------------------------------------------------------


def test_severity_bands_edges_keep_index_and_missing() -> None:
    values = pd.Series([0, 9, 10, 20, 21, 70, None], index=list("abcdefg"), dtype="Float64")
    out = clasi.severity_bands(values)
    # Klein 2011: mild 0-9, moderate 10-20, severe 21-70.
    expected = ["mild", "mild", "moderate", "moderate", "severe", "severe"]
    assert out.iloc[:6].astype(str).tolist() == expected
    assert pd.isna(out.iloc[6])
    assert list(out.index) == list("abcdefg")


@given(st.integers(0, 70))
def test_severity_bands_equal_scalar_severity(value: int) -> None:
    assert clasi.severity_bands([value]).iloc[0] == clasi.severity(value)


@pytest.mark.parametrize("bad", [[-1], [71], [9.5], ["x"], [True]])
def test_severity_bands_rejects(bad: list[object]) -> None:
    with pytest.raises(InputError, match="clasi_a"):
        clasi.severity_bands(bad)
