"""Vectorised CLA-IGA: equal to the single-record path; vectorised rejections."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.instruments.cla_iga.test_definition import GRADES

from clears import InputError
from clears.instruments import cla_iga
from clears.instruments.cla_iga import ClaIgaInput


@pytest.mark.slow
@given(st.lists(st.one_of(st.sampled_from(sorted(GRADES)), st.none()), min_size=1, max_size=20))
def test_frame_equals_single_record_path(grades: list[int | None]) -> None:
    out = cla_iga.score_frame(pd.DataFrame({"cla_iga": grades}, dtype="Int64"), partial=True)
    singles = [cla_iga.score(ClaIgaInput(grade=g), partial=True) for g in grades]
    assert [None if pd.isna(v) else int(v) for v in out["cla_iga"]] == [s.grade for s in singles]
    labels = [None if pd.isna(v) else v for v in out["cla_iga_label"]]
    assert labels == [s.label for s in singles]


def test_labels_are_ordered() -> None:
    out = cla_iga.score_frame(pd.DataFrame({"cla_iga": [4, 0]}))
    assert out["cla_iga_label"].cat.ordered
    assert out["cla_iga_label"].iloc[0] > out["cla_iga_label"].iloc[1]


def test_bad_rows_are_refused_with_row_numbers() -> None:
    frame = pd.DataFrame({"cla_iga": [0, 5, None, "x"]}, dtype=object)
    with pytest.raises(InputError) as exc:
        cla_iga.score_frame(frame)
    found = {(p.row, p.message) for p in exc.value.problems}
    assert found == {(2, "not an allowed level"), (3, "is missing"), (4, "expects a number")}
    assert all(p.field == "cla_iga" for p in exc.value.problems)


def test_absent_column_needs_partial() -> None:
    with pytest.raises(InputError, match="cla_iga: column is missing"):
        cla_iga.score_frame(pd.DataFrame({"x": [1]}))
    assert cla_iga.score_frame(pd.DataFrame({"x": [1]}), partial=True)["cla_iga"].isna().all()
