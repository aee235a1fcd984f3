"""Vectorised DLQI: equal to the single-record path, rules and vectorised rejections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.instruments.dlqi.test_definition import COLUMNS, PATHS, answers, expected_total

from clears import InputError
from clears.instruments import dlqi


def frame_of(rows: list[dict[str, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{f"dlqi_{path}": code for path, code in row.items()} for row in rows], columns=COLUMNS
    )


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(answers(), min_size=1, max_size=12))
def test_frame_equals_single_record_path(rows: list[dict[str, int | None]]) -> None:
    out = dlqi.score_frame(frame_of(rows))
    singles = [dlqi.score_mapping(row) for row in rows]
    assert [None if pd.isna(v) else int(v) for v in out["dlqi"]] == [s.total for s in singles]
    assert [None if pd.isna(v) else v for v in out["dlqi_band"]] == [s.band for s in singles]
    assert out["dlqi_unanswered"].tolist() == [len(s.unanswered) for s in singles]
    assert [s.total for s in singles] == [expected_total(r) for r in rows]


def test_worked_rows() -> None:
    # Row 1: all 3 = 30. Row 2: q10 blank: 27. Row 3: two blank: none. Row 4: all 9 except
    # q1, q2 = 1: 2 (small effect).
    rows = [
        dict.fromkeys(PATHS, 3),
        {**dict.fromkeys(PATHS, 3), "q10": None},
        {**dict.fromkeys(PATHS, 3), "q1": None, "q2": None},
        {**dict.fromkeys(PATHS, 9), "q1": 1, "q2": 1},
    ]
    out = dlqi.score_frame(frame_of(rows))
    assert out["dlqi"].tolist() == [30, 27, pd.NA, 2]
    assert out["dlqi_band"].tolist()[:2] == ["extremely large effect"] * 2
    assert pd.isna(out["dlqi_band"].iloc[2])
    assert out["dlqi_band"].iloc[3] == "small effect"
    assert out["dlqi_unanswered"].tolist() == [0, 1, 2, 0]
    assert out["dlqi_band"].cat.ordered


def test_absent_columns_are_unanswered_and_text_is_read() -> None:
    frame = pd.DataFrame({c: ["3"] for c in COLUMNS[:9]})
    assert dlqi.score_frame(frame)["dlqi"].tolist() == [27]
    assert dlqi.score_frame(frame[COLUMNS[:8]])["dlqi"].isna().all()


def test_bad_cells_are_refused_with_rows_and_allowed_values() -> None:
    frame = pd.DataFrame({c: [0, 0, 0] for c in COLUMNS})
    frame["dlqi_q1"] = [0, 9, 4]
    frame["dlqi_q3"] = pd.Series(["0", "x", "1"], dtype=object)
    with pytest.raises(InputError) as exc:
        dlqi.score_frame(frame)
    found = {(p.field, p.row, p.value) for p in exc.value.problems}
    assert found == {("dlqi_q1", 2, 9), ("dlqi_q1", 3, 4), ("dlqi_q3", 2, "x")}
    assert all("0 (not at all)" in (p.allowed or "") for p in exc.value.problems)


def test_many_problems_are_capped() -> None:
    frame = pd.DataFrame({c: np.full(80, 7) for c in COLUMNS})
    with pytest.raises(InputError) as exc:
        dlqi.score_frame(frame)
    assert len(exc.value.problems) == 51
    assert "more problems not listed" in str(exc.value.problems[-1])


def test_index_is_kept_and_input_not_changed() -> None:
    frame = frame_of([dict.fromkeys(PATHS, 1)])
    frame.index = pd.Index(["v1"])
    before = frame.copy()
    out = dlqi.score_frame(frame)
    assert out.index.tolist() == ["v1"]
    pd.testing.assert_frame_equal(frame, before)
