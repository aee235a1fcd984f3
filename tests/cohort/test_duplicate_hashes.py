"""The identical-row check finds its candidate rows by a hash per row (less memory than
``DataFrame.duplicated``, benchmarks/bench_validate.py): it must flag exactly the rows that
pandas' own ``duplicated(keep=False)`` flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears.cohort._table_checks import duplicate_groups

_FLOATS = st.sampled_from([0.0, -0.0, 1.5, np.nan, 2.0])
_TEXT = st.sampled_from(["", "a", "b", None])
_INTS = st.sampled_from([1, 2, None])


@st.composite
def _frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 8))
    return pd.DataFrame(
        {
            "x": pd.Series(draw(st.lists(_FLOATS, min_size=n, max_size=n)), dtype="float64"),
            "t": pd.Series(draw(st.lists(_TEXT, min_size=n, max_size=n)), dtype=object),
            "g": pd.array(draw(st.lists(_INTS, min_size=n, max_size=n)), dtype="Int64"),
            "d": pd.to_datetime(
                pd.Series(
                    draw(st.lists(st.sampled_from(["2020-01-06", None]), min_size=n, max_size=n))
                )
            ),
        }
    )


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=300, deadline=None)
@given(frame=_frames())
def test_the_rows_flagged_are_those_pandas_flags(frame: pd.DataFrame) -> None:
    expected = set(np.flatnonzero(frame.duplicated(keep=False).to_numpy()).tolist())
    assert set(duplicate_groups(frame)) == expected


def test_zero_and_minus_zero_and_every_nan_are_equal_cells() -> None:
    frame = pd.DataFrame({"x": [0.0, -0.0, np.nan, float("inf") - float("inf")]})
    assert duplicate_groups(frame) == {0: (1,), 1: (0,), 2: (3,), 3: (2,)}
