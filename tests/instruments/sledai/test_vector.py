"""Vectorised SLEDAI-2K and SELENA-SLEDAI: flat ``sledai_*`` columns to totals.

Expected totals come from the single-record path, itself checked against the published
weights (Gladman 2002, J Rheumatol 29:288-291; ``test_record.PUBLISHED_WEIGHTS``), and from
worked examples written out below. Column codes: 0 absent, 1 present (onset not recorded),
2 new or recurrent, 3 persistent (SELENA-SLEDAI counts 2 only, for the four onset-sensitive
descriptors).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.instruments.sledai.test_record import FOUR, PUBLISHED_WEIGHTS, SHORT

from clears import InputError
from clears.instruments import sledai

CODES = {key: ((0, 1, 2, 3) if key in FOUR else (0, 1)) for key in PUBLISHED_WEIGHTS}
COLUMN = {key: SHORT.get(key, f"sledai_{key}") for key in PUBLISHED_WEIGHTS}
JSON_OF_CODE: dict[int, Any] = {0: False, 1: True, 2: "new", 3: "persistent"}


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries({k: st.sampled_from(c) for k, c in CODES.items()}),
        min_size=1,
        max_size=6,
    ),
    variant=st.sampled_from(["sledai2k", "selena"]),
)
def test_frame_equals_single_record_path(rows: list[dict[str, int]], variant: str) -> None:
    if variant == "selena":  # code 1 (onset not recorded) cannot be scored by SELENA
        rows = [{k: (2 if k in FOUR and v == 1 else v) for k, v in r.items()} for r in rows]
    frame = pd.DataFrame([{COLUMN[k]: v for k, v in r.items()} for r in rows])
    expected = [
        sledai.score_mapping({k: JSON_OF_CODE[v] for k, v in r.items()}, variant=variant).score
        for r in rows
    ]
    assert sledai.score_frame(frame, variant=variant).tolist() == expected


def test_frame_worked_example_booleans_missing_and_index() -> None:
    base = dict.fromkeys(COLUMN.values(), False)
    frame = pd.DataFrame(
        [base | {"sledai_seizure": True}, base | {"sledai_fever": None}, base],
        index=["a", "b", "c"],
    )
    before = frame.copy()
    result = sledai.score_frame(frame)
    # a: seizure 8; b: a missing descriptor -> missing total; c: 0
    assert result.name == "sledai"
    assert result.index.tolist() == ["a", "b", "c"]
    assert result["a"] == 8
    assert pd.isna(result["b"])
    assert result["c"] == 0
    pd.testing.assert_frame_equal(frame, before)


def test_frame_selena_counts_code_2_only_for_the_four() -> None:
    base = dict.fromkeys(COLUMN.values(), 0)
    frame = pd.DataFrame([base | {"sledai_rash": 2}, base | {"sledai_rash": 3}])
    # rash new (2) -> 2 under both; rash persistent (3) -> 2 under 2K, 0 under SELENA
    assert sledai.score_frame(frame).tolist() == [2, 2]
    assert sledai.score_frame(frame, variant="selena").tolist() == [2, 0]


def test_frame_rejections_name_column_and_row() -> None:
    base = dict.fromkeys(COLUMN.values(), 0)
    frame = pd.DataFrame([base, base | {"sledai_fever": 2, "sledai_rash": 1}])
    with pytest.raises(InputError) as err:
        sledai.score_frame(frame)
    (problem,) = err.value.problems
    assert (problem.field, problem.row, problem.value) == ("sledai_fever", 2, 2)
    with pytest.raises(InputError) as err:
        sledai.score_frame(frame, variant="selena")
    assert sorted((p.field, p.row) for p in err.value.problems) == [
        ("sledai_fever", 2),
        ("sledai_rash", 2),
    ]


def test_frame_missing_columns_are_listed() -> None:
    frame = pd.DataFrame([dict.fromkeys(COLUMN.values(), 0)]).drop(
        columns=["sledai_obs", "sledai_dna"]
    )
    with pytest.raises(InputError) as err:
        sledai.score_frame(frame)
    assert [p.field for p in err.value.problems] == ["sledai_obs", "sledai_dna"]


def test_frame_accepts_nullable_boolean_columns() -> None:
    frame = pd.DataFrame({column: [False, False] for column in COLUMN.values()}).astype("boolean")
    frame.loc[0, "sledai_vasculitis"] = True
    frame.loc[1, "sledai_pyuria"] = pd.NA
    # row 1: vasculitis 8; row 2: a missing descriptor -> missing total
    result = sledai.score_frame(frame)
    assert result.iloc[0] == 8
    assert pd.isna(result.iloc[1])
