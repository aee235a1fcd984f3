"""The quote-free fast path of the cohort CSV reader parses the file's bytes (to hold less in
memory, benchmarks/bench_validate.py): it must give exactly the frame of the strict path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears.cohort._csv import _strict, _without_quotes

_CELL = st.text(st.characters(codec="utf-8", exclude_characters='",\r\n'), max_size=4)
_END = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def _tables(draw: st.DrawFn) -> str:
    width = draw(st.integers(2, 4))
    header = [f"c{i}" for i in range(width)]
    if draw(st.booleans()):
        header[-1] = header[0]  # a repeated name is kept for validation to refuse
    rows = draw(st.lists(st.lists(_CELL, min_size=width, max_size=width), min_size=1, max_size=5))
    end = draw(_END)
    lines = [",".join(header), *(",".join(row) for row in rows)]
    if draw(st.booleans()):
        lines.insert(1, "")  # a blank line
    return end.join(lines) + (end if draw(st.booleans()) else "")


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=200, deadline=None)
@given(text=_tables())
def test_the_bytes_path_reads_what_the_strict_path_reads(text: str) -> None:
    fast = _without_quotes(text, text.encode("utf-8"))
    if fast is None:
        return  # left to the strict path (for instance a blank-looking first cell)
    strict = _strict(text, "visits.csv")
    assert not isinstance(strict, list)
    pd.testing.assert_frame_equal(fast, strict)
    text_path = _without_quotes(text)
    assert text_path is not None
    pd.testing.assert_frame_equal(fast, text_path)


@pytest.mark.parametrize(
    "text",
    [
        "patient_id,centre\nP1,BCN\n\n\nP2,LYO\n",
        "patient_id,centre\r\nP1,\u00e9\r\n",
        "patient_id,anc,anc\nP1,1,2\n",
    ],
)
def test_known_shapes_read_the_same_from_bytes(text: str) -> None:
    fast = _without_quotes(text, text.encode("utf-8"))
    strict = _strict(text, "visits.csv")
    assert fast is not None
    assert not isinstance(strict, list)
    pd.testing.assert_frame_equal(fast, strict)


def test_a_ragged_line_is_still_left_to_the_strict_path() -> None:
    text = "patient_id,centre\nP1,BCN\nP2\n"
    assert _without_quotes(text, text.encode("utf-8")) is None


def test_a_nul_character_is_left_to_the_strict_path_which_keeps_it() -> None:
    # pandas' C parser read "\x00x" as ""; the csv module keeps the cell as written.
    text = "patient_id,centre\nP1,\x00x\n"
    assert _without_quotes(text, text.encode("utf-8")) is None
    strict = _strict(text, "patients.csv")
    assert not isinstance(strict, list)
    assert strict["centre"].tolist() == ["\x00x"]


@pytest.mark.parametrize("text", ["c0,c1\r\r,0", "patient_id,centre\rP1,BCN\r"])
def test_bare_carriage_returns_are_left_to_the_strict_path(text: str) -> None:
    # pandas read "c0,c1\r\r,0" as the row ["0", ""]; the csv module reads ["", "0"].
    assert _without_quotes(text, text.encode("utf-8")) is None
    assert _without_quotes(text) is None


_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cohort"


@pytest.mark.parametrize("table", ["patients", "treatments", "visits", "adverse_events"])
def test_a_compact_read_holds_the_same_text(table: str) -> None:
    from clears.cohort._csv import expand, read_csv

    compact = read_csv(_EXAMPLE / f"{table}.csv", compact=True)
    plain = read_csv(_EXAMPLE / f"{table}.csv")
    assert not isinstance(compact, list)
    assert not isinstance(plain, list)
    assert all(isinstance(compact[c].dtype, pd.CategoricalDtype) for c in compact.columns)
    expanded = pd.DataFrame({c: expand(compact[c]) for c in compact.columns})
    pd.testing.assert_frame_equal(expanded, plain)


@pytest.mark.slow
def test_the_cohort_read_compact_equals_the_cohort_conformed_from_text() -> None:
    import datetime as dt

    import clears.cohort
    from clears.cohort import TABLES, Cohort
    from clears.cohort._csv import read_csv

    today = dt.date(2025, 1, 1)
    frames = {}
    for table in TABLES:
        frame = read_csv(_EXAMPLE / f"{table}.csv")
        assert not isinstance(frame, list)
        frames[table] = frame
    expected = clears.cohort.conform(Cohort(**frames), today=today)
    got = clears.cohort.read(_EXAMPLE, today=today)
    for table in TABLES:
        pd.testing.assert_frame_equal(got.table(table), expected.table(table))
