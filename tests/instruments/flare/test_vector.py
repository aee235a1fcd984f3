"""Vectorised flare classification (``classify_change``): SLEDAI changes over columns.

Expected classes come from the single-record path (``test_record``, itself checked against
the published definitions: SFI, Petri 1999 and Buyon 2005; Cortés-Hernández 2012, change
> 3 mild, > 12 severe) and from the worked cases below: 0 -> 13 is a change of 13 > 12, so
severe; scores are whole numbers 0-105 (the SLEDAI-2K range, Gladman 2002).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears import InputError
from clears.instruments import flare
from clears.instruments.flare import FlareInput


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 105), st.integers(0, 105)), min_size=1, max_size=8),
    rule=st.sampled_from(["sfi", "cortes2012"]),
    severe_reading=st.sampled_from(["to", "change"]),
    mild_reading=st.sampled_from([None, "ge3", "gt3"]),
)
def test_classify_change_equals_single_path(
    pairs: list[tuple[int, int]], rule: str, severe_reading: str, mild_reading: str | None
) -> None:
    options: dict[str, Any] = {
        "rule": rule,
        "severe_reading": severe_reading,
        "mild_reading": mild_reading,
    }
    previous = pd.Series([p for p, _ in pairs], index=[f"v{i}" for i in range(len(pairs))])
    current = np.array([c for _, c in pairs])
    expected = [flare.classify(FlareInput(p, c), **options).flare for p, c in pairs]
    result = flare.classify_change(previous, current, **options)
    assert result.tolist() == expected
    assert result.index.tolist() == previous.index.tolist()


def test_classify_change_missing_gives_missing() -> None:
    result = flare.classify_change([0, None, 0], [13, 5, float("nan")])
    assert result.iloc[0] == "severe"
    assert result.iloc[1:].isna().all()


@pytest.mark.parametrize("bad", [106, -1, 2.5, True, "x"])
def test_classify_change_rejects_non_scores_with_row(bad: object) -> None:
    with pytest.raises(InputError) as err:
        flare.classify_change([0, 0], [1, bad])
    (problem,) = err.value.problems
    assert (problem.field, problem.row) == ("current", 2)


def test_classify_change_rejects_length_mismatch() -> None:
    with pytest.raises(InputError, match="length differs"):
        flare.classify_change([0, 0], [1])
