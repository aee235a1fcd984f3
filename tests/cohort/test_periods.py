"""The one overlap rule for dose periods, and its three users agreeing on it.

Definition (``docs/cohort-tables.md``, treatments): two periods of the same patient and drug
overlap when they start on the same day or when each starts before the other ends; a blank
end is ongoing. The cohort check, the outcome time line and the exposure sums all apply
:func:`clears.cohort._periods.overlapping_pairs`; the tests below compare it with a
brute-force reading of the definition and check that each user refuses the same periods.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.outcomes._build import cohort, period, visit

from clears import InputError
from clears.analysis import exposure_years
from clears.cohort._periods import find_overlaps, overlapping_pairs
from clears.outcomes import derive

Row = tuple[int, float, float]


def _oracle(rows: list[Row]) -> set[tuple[int, int]]:
    """(period, first other period it overlaps), positions; order of (start, end) per group."""
    pairs = set()
    for n, (group, start, end) in enumerate(rows):
        end = math.inf if math.isnan(end) else end
        others = sorted(
            (
                (s, math.inf if math.isnan(e) else e, k)
                for k, (g, s, e) in enumerate(rows)
                if g == group and k != n
            ),
        )
        for s, e, k in others:
            if s == start or (start < e and s < end):
                pairs.add((n, k))
                break
    return pairs


rows_strategy = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 10).map(float),
        st.none().map(lambda _: math.nan) | st.integers(0, 12).map(float),
    ).filter(lambda r: math.isnan(r[2]) or r[2] >= r[1]),
    max_size=10,
)


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=300, deadline=None)
@given(rows_strategy)
def test_pairs_are_those_of_the_definition(rows: list[Row]) -> None:
    group = [r[0] for r in rows]
    start = [r[1] for r in rows]
    end = [r[2] for r in rows]
    first, other = overlapping_pairs(group, start, end)
    assert set(zip(first.tolist(), other.tolist(), strict=True)) == _oracle(rows)
    assert len(set(first.tolist())) == len(first)  # each period named once


def test_sorted_and_shuffled_input_give_the_same_pairs() -> None:
    # Group 0: [0, 10) holds [2, 3) and [5, 6); group 1 touches only ([0, 4) then [4, ...)).
    group = np.array([0, 0, 0, 1, 1])
    start = np.array([0.0, 2.0, 5.0, 0.0, 4.0])
    end = np.array([10.0, 3.0, 6.0, 4.0, np.nan])
    shuffle = np.array([4, 2, 0, 3, 1])
    first, other = overlapping_pairs(group, start, end)
    sorted_pairs = set(zip(first.tolist(), other.tolist(), strict=True))
    i, j = overlapping_pairs(group[shuffle], start[shuffle], end[shuffle])
    assert {(int(shuffle[a]), int(shuffle[b])) for a, b in zip(i, j, strict=True)} == (sorted_pairs)
    assert sorted_pairs == {(0, 1), (1, 0), (2, 0)}


# One patient: 2020-01-01..2020-03-01, then 2020-02-01..ongoing (a month of overlap).
OVERLAPPING = [("P01", "2020-01-01", "2020-03-01"), ("P01", "2020-02-01", None)]
# The same patient with the second period starting the day the first ends: no overlap.
TOUCHING = [("P01", "2020-01-01", "2020-03-01"), ("P01", "2020-03-01", None)]


def _treatments(periods: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": [p for p, _, _ in periods],
            "drug": "lenalidomide",
            "start_date": pd.to_datetime([s for _, s, _ in periods]),
            "end_date": pd.to_datetime([e for _, _, e in periods]),
            "dose_mg_per_day": 5.0,
        }
    )


def test_outcomes_refuse_the_overlap_in_the_cohort_check_words() -> None:
    c = cohort([period(p, s, e, 5.0) for p, s, e in OVERLAPPING], [visit("P01", "2020-01-01", 10)])
    with pytest.raises(InputError) as info:
        derive(c, ["aitmehdi2021"])
    # The time line names the later period of the pair, the one starting while row 1 runs.
    found = [(p.field, p.row) for p in info.value.problems]
    assert found == [("start_date", 2)]
    assert "overlaps the lenalidomide period from 2020-01-01 to 2020-03-01" in str(info.value)


def test_exposure_refuses_the_overlap_and_accepts_touching_periods() -> None:
    with pytest.raises(InputError) as info:
        exposure_years(_treatments(OVERLAPPING), data_cutoff="2020-12-31")
    # As on the time line, the later period of the pair is named.
    assert [p.row for p in info.value.problems] == [2]
    # 2020-01-01 to 2020-12-31 = 365 days without a break.
    years = exposure_years(_treatments(TOUCHING), data_cutoff="2020-12-31")
    assert years["P01"] == pytest.approx(365 / 365.25)


def test_exposure_ignores_an_overlap_that_starts_after_the_cutoff() -> None:
    # Both periods start after the cut-off of 2019-12-31: nothing is counted, nothing refused.
    years = exposure_years(_treatments(OVERLAPPING), data_cutoff="2019-12-31")
    assert years["P01"] == 0


def test_dates_beyond_the_nanosecond_range_are_compared() -> None:
    # 9999-12-31 is past pandas' nanosecond range (2262); the rule reads day numbers.
    periods = pd.DataFrame(
        {
            "patient_id": ["P01", "P01"],
            "drug": "lenalidomide",
            "start": pd.to_datetime(["2020-01-01", "2021-01-01"]).as_unit("s"),
            "end": pd.Series(
                [np.datetime64("9999-12-31", "s"), np.datetime64("NaT", "s")], dtype="M8[s]"
            ),
            "row": [1, 2],
        }
    )
    assert [p.row for p in find_overlaps(periods, "treatments")] == [1, 2]
