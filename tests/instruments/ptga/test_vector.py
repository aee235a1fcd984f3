"""Vectorised PtGA: equal to the single-record path; vectorised rejections."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clears import InputError
from clears.instruments import ptga
from clears.instruments.ptga import PtgaInput


@pytest.mark.slow
@given(st.lists(st.one_of(st.integers(0, 10), st.none()), min_size=1, max_size=20))
def test_frame_equals_single_record_path(ratings: list[int | None]) -> None:
    out = ptga.score_frame(pd.DataFrame({"ptga": ratings}, dtype="Int64"), partial=True)
    singles = [ptga.score(PtgaInput(rating=r), partial=True).rating for r in ratings]
    assert [None if pd.isna(v) else int(v) for v in out] == singles
    assert out.name == "ptga"


def test_bad_rows_are_refused() -> None:
    with pytest.raises(InputError) as exc:
        ptga.score_frame(pd.DataFrame({"ptga": [10, 11, -1, 0.5]}))
    assert [(p.field, p.row) for p in exc.value.problems] == [("ptga", 2), ("ptga", 3), ("ptga", 4)]
    assert "0 (no activity)" in (exc.value.problems[0].allowed or "")


def test_booleans_are_refused() -> None:
    with pytest.raises(InputError, match="not true/false"):
        ptga.score_frame(pd.DataFrame({"ptga": [True]}))
