"""Vectorised itch/pain NRS: equal to the single-record path; vectorised rejections."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clears import InputError
from clears.instruments import nrs
from clears.instruments.nrs import NrsInput

RATING = st.one_of(st.integers(0, 10), st.none())


@pytest.mark.slow
@given(st.lists(st.tuples(RATING, RATING), min_size=1, max_size=20))
def test_frame_equals_single_record_path(rows: list[tuple[int | None, int | None]]) -> None:
    frame = pd.DataFrame(rows, columns=["itch_nrs", "pain_nrs"], dtype="Int64")
    out = nrs.score_frame(frame, partial=True)
    singles = [nrs.score(NrsInput(itch=i, pain=p), partial=True) for i, p in rows]
    assert [None if pd.isna(v) else int(v) for v in out["itch_nrs"]] == [s.itch for s in singles]
    assert [None if pd.isna(v) else int(v) for v in out["pain_nrs"]] == [s.pain for s in singles]
    assert [None if pd.isna(v) else v for v in out["itch_band"]] == [s.itch_band for s in singles]


def test_bad_rows_are_refused() -> None:
    frame = pd.DataFrame({"itch_nrs": [0, 12], "pain_nrs": ["3", "ten"]})
    with pytest.raises(InputError) as exc:
        nrs.score_frame(frame)
    assert {(p.field, p.row, p.value) for p in exc.value.problems} == {
        ("itch_nrs", 2, 12),
        ("pain_nrs", 2, "ten"),
    }
