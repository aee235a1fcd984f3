"""The vectorised overlapping-period check against a brute-force reading of its definition.

Definition (docs/cohort-tables.md; module docstring of ``_cross_checks``): two
periods of the same patient and drug overlap when they start on the same day or when each
starts before the other ends (blank end = ongoing); a period may start on the day another
ends. Every period involved is reported once, naming the first other period it overlaps in
the order (start, end, ongoing last, then row order). Periods ending before they start are
left out. The oracle below compares every pair in plain Python, independently of the
sort-and-running-maximum implementation.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears._exceptions import Problem
from clears.cohort._cross_checks import _overlapping_periods

BASE = dt.date(2020, 1, 1)
FAR = dt.date.max


def _oracle(rows: list[tuple[str, str, int, int | None]]) -> list[tuple[int, int]]:
    """(row, other row) pairs, 1-based, in the order the check reports them."""
    kept = [
        (n, pid, drug, start, end)
        for n, (pid, drug, start, end) in enumerate(rows, 1)
        if end is None or end >= start
    ]
    groups: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    for n, pid, drug, start, end in kept:
        groups.setdefault((pid, drug), []).append((n, start, float("inf") if end is None else end))
    pairs = []
    for members in groups.values():
        ordered = sorted(members, key=lambda m: (m[1], m[2]))  # stable: row order on ties
        for n, start, end in ordered:
            for other, other_start, other_end in ordered:
                if other == n:
                    continue
                if other_start == start or (start < other_end and other_start < end):
                    pairs.append((n, other))
                    break
    return pairs


def _frame(rows: list[tuple[str, str, int, int | None]]) -> pd.DataFrame:
    day = pd.Timestamp(BASE)
    return pd.DataFrame(
        {
            "patient_id": pd.array([pid for pid, *_ in rows], dtype="string"),
            "drug": pd.array([drug for _, drug, *_ in rows], dtype="string"),
            "start_date": pd.to_datetime(
                [day + pd.Timedelta(days=start) for _, _, start, _ in rows]
            ),
            "end_date": pd.to_datetime(
                [pd.NaT if end is None else day + pd.Timedelta(days=end) for *_, end in rows]
            ),
        }
    )


def _pairs(problems: list[Problem]) -> list[tuple[int | None, str]]:
    return [(p.row, p.message) for p in problems]


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2"]),
        st.sampled_from(["lenalidomide", "thalidomide"]),
        st.integers(0, 12),
        st.none() | st.integers(0, 14),
    ),
    max_size=9,
)


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=300, deadline=None)
@given(rows_strategy)
def test_reports_exactly_the_pairs_of_the_definition(
    rows: list[tuple[str, str, int, int | None]],
) -> None:
    frame = _frame(rows)
    problems = _overlapping_periods(frame, "treatments")
    expected = _oracle(rows)
    assert [p.row for p in problems] == [n for n, _ in expected]
    for problem, (n, other) in zip(problems, expected, strict=True):
        _, drug, start, end = rows[other - 1]
        other_start = (BASE + dt.timedelta(days=start)).isoformat()
        until = "ongoing" if end is None else f"to {BASE + dt.timedelta(days=end)}"
        assert problem.message == (
            f"this {rows[n - 1][1]} period overlaps the {drug} period from {other_start} {until}"
        )
        assert problem.value == (BASE + dt.timedelta(days=rows[n - 1][2])).isoformat()


def test_period_starting_the_day_another_ends_is_not_an_overlap() -> None:
    # [day 0, day 5) then [day 5, ongoing): touching, not overlapping.
    assert (
        _overlapping_periods(
            _frame([("P1", "lenalidomide", 0, 5), ("P1", "lenalidomide", 5, None)]), "t"
        )
        == []
    )
    # [day 0, day 6) then [day 5, ongoing): one day of overlap, reported on both rows.
    found = _overlapping_periods(
        _frame([("P1", "lenalidomide", 0, 6), ("P1", "lenalidomide", 5, None)]), "t"
    )
    assert [p.row for p in found] == [1, 2]


def test_same_patient_different_drug_and_other_patient_same_drug_do_not_overlap() -> None:
    rows = [("P1", "lenalidomide", 0, None), ("P1", "thalidomide", 0, None)]
    rows += [("P2", "lenalidomide", 0, None)]
    assert _overlapping_periods(_frame(rows), "t") == []


def test_overlap_inside_a_large_valid_group_names_the_right_period() -> None:
    # 40 back-to-back 7-day periods, then one period from day 100 to day 101 inside the
    # 15th period (days 98-105): rows 15 and 41 overlap, nothing else.
    rows: list[tuple[str, str, int, int | None]] = [
        ("P1", "lenalidomide", 7 * k, 7 * k + 7) for k in range(40)
    ]
    rows.append(("P1", "lenalidomide", 100, 101))
    found = _overlapping_periods(_frame(rows), "t")
    assert [p.row for p in found] == [15, 41]
    assert found[0].message.endswith("period from 2020-04-10 to 2020-04-11")
    assert found[1].message.endswith("period from 2020-04-08 to 2020-04-15")
