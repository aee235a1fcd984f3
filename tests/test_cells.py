"""The one reading of a missing cell (clears._cells): the spellings a cohort table can hold,
read one value at a time and a column at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clears._cells import is_missing, missing_mask

#: Missing by the module's definition: None, NaN (Python or numpy), NaT (pandas or numpy), NA.
MISSING = [
    None,
    float("nan"),
    np.float64("nan"),
    np.float32("nan"),
    pd.NaT,
    pd.NA,
    np.datetime64("NaT"),
    np.timedelta64("NaT"),
]
#: Present: blank text is a cohort-table matter, and the text "nan" is text.
PRESENT = [
    "",
    " ",
    "nan",
    0,
    0.0,
    False,
    1.5,
    np.int64(3),
    pd.Timestamp("2020-01-01"),
    np.datetime64("2020-01-02"),
    "P01",
]


@pytest.mark.parametrize("value", MISSING, ids=repr)
def test_every_spelling_of_missing_is_missing(value: object) -> None:
    assert is_missing(value)
    assert missing_mask(pd.Series([value], dtype=object)).tolist() == [True]


@pytest.mark.parametrize("value", PRESENT, ids=repr)
def test_a_given_value_is_not_missing(value: object) -> None:
    assert not is_missing(value)
    assert missing_mask(pd.Series([value], dtype=object)).tolist() == [False]


@given(st.lists(st.sampled_from(range(len(MISSING) + len(PRESENT))), max_size=30))
def test_the_column_reading_equals_the_value_reading(picks: list[int]) -> None:
    pool = MISSING + PRESENT
    column = pd.Series([pool[i] for i in picks], dtype=object)
    assert missing_mask(column).tolist() == [is_missing(v) for v in column]
    assert missing_mask(column.to_numpy()).tolist() == [is_missing(v) for v in column]
