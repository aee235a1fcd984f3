"""Vectorised Skindex-29+3: equal to the single-record path, worked rows, rejections."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.instruments.skindex.test_definition import COLUMNS, KEY, PATHS, answers

from clears import InputError
from clears.instruments import skindex


def frame_of(rows: list[dict[str, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{f"skindex_{path}": code for path, code in row.items()} for row in rows],
        columns=COLUMNS,
        dtype="Float64",
    )


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.lists(answers(), min_size=1, max_size=8))
def test_frame_equals_single_record_path(rows: list[dict[str, int | None]]) -> None:
    out = skindex.score_frame(frame_of(rows))
    singles = [skindex.score_mapping(row) for row in rows]
    for name in KEY:
        got = [None if pd.isna(v) else v for v in out[f"skindex_{name}"]]
        assert got == pytest.approx([s.score_of(name) for s in singles])
    for name in ("symptoms", "emotions", "functioning"):
        got_severe = [None if pd.isna(v) else bool(v) for v in out[f"skindex_{name}_severe"]]
        assert got_severe == [dict(s.severe)[name] for s in singles]
    assert out["skindex_unanswered"].tolist() == [len(s.unanswered) for s in singles]


def test_worked_rows() -> None:
    # Row 1: all 4 -> 100 everywhere. Row 2: all 1 -> 25. Row 3: two symptom items blank
    # (2 of 7 > a quarter) -> symptoms missing, the others 50.
    rows = [
        dict.fromkeys(PATHS, 4),
        dict.fromkeys(PATHS, 1),
        {**dict.fromkeys(PATHS, 2), "q1": None, "q7": None},
    ]
    out = skindex.score_frame(frame_of(rows))
    assert out["skindex_symptoms"].tolist() == [100.0, 25.0, pd.NA]
    assert out["skindex_emotions"].tolist() == [100.0, 25.0, 50.0]
    assert out["skindex_lupus"].tolist() == [100.0, 25.0, 50.0]
    assert out["skindex_emotions_severe"].tolist() == [True, False, True]
    assert out["skindex_unanswered"].tolist() == [0, 0, 2]


def test_absent_columns_are_unanswered_and_max_missing_applies() -> None:
    frame = pd.DataFrame({f"skindex_q{n}": [2] for n in KEY["lupus"][:2]})
    assert skindex.score_frame(frame)["skindex_lupus"].isna().all()
    assert skindex.score_frame(frame, max_missing=0.5)["skindex_lupus"].tolist() == [50.0]


def test_bad_cells_are_refused_with_rows_and_allowed_values() -> None:
    frame = pd.DataFrame({"skindex_q1": [0, 5], "skindex_q2": ["often", 1]})
    with pytest.raises(InputError) as caught:
        skindex.score_frame(frame)
    found = {(p.field, p.row) for p in caught.value.problems}
    assert found == {("skindex_q1", 2), ("skindex_q2", 1)}
    assert all("4 (all the time)" in (p.allowed or "") for p in caught.value.problems)
