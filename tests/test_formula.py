"""The formula-injection escape (clears._formula), against the OWASP CSV Injection rule:
cells starting with = + - @, tab or carriage return get a leading single quote."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clears._formula import TRIGGERS, neutralise, neutralise_frame, restore, restore_frame

# OWASP, "CSV Injection": the characters a cell must not start with.
_OWASP = ["=", "+", "-", "@", "\t", "\r"]


def test_the_triggers_are_the_owasp_six() -> None:
    assert sorted(TRIGGERS) == sorted(_OWASP)


@pytest.mark.parametrize("start", _OWASP)
def test_each_trigger_is_escaped_with_one_quote(start: str) -> None:
    assert neutralise(start + "1+1") == "'" + start + "1+1"


@pytest.mark.parametrize("text", ["Fatigue", "5 mg alternate days", "", " =not first", "1-2"])
def test_text_not_starting_with_a_trigger_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_a_leading_quote_is_doubled_so_that_the_escape_can_be_undone() -> None:
    assert neutralise("'=x") == "''=x"
    assert restore("''=x") == "'=x"


def test_restore_leaves_a_quote_that_is_not_an_escape() -> None:
    assert restore("'plain") == "'plain"
    assert restore("'") == "'"


@given(st.text())
def test_restore_undoes_neutralise_for_any_text(text: str) -> None:
    assert restore(neutralise(text)) == text


@given(st.text())
def test_no_neutralised_text_starts_with_a_trigger(text: str) -> None:
    assert not neutralise(text).startswith(tuple(_OWASP))


def test_a_frame_escapes_text_cells_and_names_but_not_numbers_or_dates() -> None:
    frame = pd.DataFrame(
        {
            "term": ['=HYPERLINK("http://x")', "-5", "Rash", None],
            "delta": [-5.0, 2.0, -0.5, 1.0],
            "grade": pd.array([1, 2, None, 3], dtype="Int64"),
            "when": [dt.date(2020, 1, 1), None, None, None],
            "@note": ["+1", "", "@SUM(A1)", "\tx"],
        }
    )
    safe = neutralise_frame(frame)
    assert list(safe.columns) == ["term", "delta", "grade", "when", "'@note"]
    assert safe["term"].tolist() == ['\'=HYPERLINK("http://x")', "'-5", "Rash", None]
    assert safe["delta"].tolist() == [-5.0, 2.0, -0.5, 1.0]
    assert safe["delta"].dtype == frame["delta"].dtype
    assert safe["grade"].dtype == frame["grade"].dtype
    assert safe["when"].tolist() == frame["when"].tolist()
    assert safe["'@note"].tolist() == ["'+1", "", "'@SUM(A1)", "'\tx"]


def test_a_frame_round_trips_and_the_input_is_not_modified() -> None:
    frame = pd.DataFrame([["=a", "'-b", "c"], ["-1", "x", "'"]], columns=["a", "=b", "a"])
    before = frame.copy()
    assert restore_frame(neutralise_frame(frame)).equals(frame)
    assert frame.equals(before)


def test_a_compact_text_column_is_restored_through_its_categories() -> None:
    # clears.cohort reads large quote-free CSV files as category columns.
    frame = pd.DataFrame({"term": pd.Categorical(["'=1+1", "Rash", "'=1+1", "'plain"])})
    restored = restore_frame(frame)
    assert restored["term"].astype(object).tolist() == ["=1+1", "Rash", "=1+1", "'plain"]
    assert frame["term"].astype(object).tolist()[0] == "'=1+1"  # the input is not changed
