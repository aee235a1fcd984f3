"""Duplicate-row detection equals a plain row-by-row count, blanks compared as equal."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears.cohort._table_checks import _duplicate_rows

_CELLS = st.sampled_from([None, np.nan, pd.NA, "", "a", "b", 1, 2])


def _plain(frame: pd.DataFrame) -> list[tuple[int, int]]:
    # The definition: a row is a duplicate when another row has the same cells, a missing
    # value (None, NaN, NA) matching any missing value; the empty string is a value.
    def key(row: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(
            "<blank>" if (v is None or v is pd.NA or (isinstance(v, float) and v != v)) else v
            for v in row
        )

    keys = [key(r) for r in frame.itertuples(index=False, name=None)]
    counts = Counter(keys)
    return [(i + 1, counts[k]) for i, k in enumerate(keys) if counts[k] > 1]


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=200)
@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), min_size=1, max_size=12))
def test_equals_the_plain_definition(rows: list[list[object]]) -> None:
    frame = pd.DataFrame(rows, columns=["x", "y", "z"], dtype=object)
    found = [(p.row, int(p.message.split()[3])) for p in _duplicate_rows(frame, "t.csv")]
    assert sorted(found, key=lambda t: t[0] or 0) == _plain(frame)


def test_worked_example() -> None:
    # Rows 1 and 3 are identical (a blank in z each, one None and one NaN); row 2 differs.
    frame = pd.DataFrame(
        {"x": ["P1", "P1", "P1"], "y": [5, 6, 5], "z": [None, "", np.nan]}, dtype=object
    )
    problems = _duplicate_rows(frame, "visits.csv")
    assert [(p.file, p.row) for p in problems] == [("visits.csv", 1), ("visits.csv", 3)]
    assert problems[0].message == "is a duplicate: 2 identical rows in this table"
