"""The conditional MLE odds ratio and its exact interval, against scipy and R."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats.contingency import odds_ratio

from clears.analysis._conditional_or import conditional_odds_ratio


def test_tea_tasting_as_r_prints_it() -> None:
    # R: fisher.test(matrix(c(3, 1, 1, 3), 2)) => odds ratio 6.408309, 95 % CI 0.2117329 to
    # 621.9337 (R ?fisher.test). R finds all three with uniroot at its default tolerance,
    # so they agree with the exact roots to about 1e-5 (the estimate and lower limit) and
    # the upper limit only to 1 %; the exact upper root is 626.2435 (scipy's conditional
    # odds_ratio gives the same).
    estimate, low, high = conditional_odds_ratio(3, 1, 1, 3)
    assert estimate == pytest.approx(6.408309, rel=5e-6)
    assert low == pytest.approx(0.2117329, rel=5e-5)
    assert high == pytest.approx(621.9337, rel=0.01)
    assert high == pytest.approx(626.2435, rel=1e-6)


def test_ends_of_the_support_give_zero_and_infinity() -> None:
    # a = 0 is the smallest possible first cell: the MLE is 0 and so is the lower limit;
    # a = min(a + b, a + c) the largest: infinite estimate and upper limit (R prints Inf).
    assert conditional_odds_ratio(0, 5, 4, 3)[:2] == (0.0, 0.0)
    estimate, _, high = conditional_odds_ratio(5, 0, 3, 4)
    assert estimate == math.inf
    assert high == math.inf


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=150, deadline=None)
@given(
    st.tuples(*(st.integers(0, 30) for _ in range(4))).filter(
        lambda t: t[0] + t[1] > 0 and t[2] + t[3] > 0 and t[0] + t[2] > 0 and t[1] + t[3] > 0
    ),
    st.sampled_from(["two-sided", "less", "greater"]),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_equals_scipy_conditional_odds_ratio(
    cells: tuple[int, int, int, int], alternative: str, confidence: float
) -> None:
    # scipy.stats.contingency.odds_ratio(kind="conditional") is an independent implementation
    # of the same definitions (point-by-point evaluation of the distribution).
    a, b, c, d = cells
    reference = odds_ratio([[a, b], [c, d]], kind="conditional")
    interval = reference.confidence_interval(confidence_level=confidence, alternative=alternative)
    expected = (float(reference.statistic), float(interval.low), float(interval.high))
    found = conditional_odds_ratio(a, b, c, d, confidence=confidence, alternative=alternative)
    for ours, theirs in zip(found, expected, strict=True):
        if math.isnan(theirs):
            assert math.isnan(ours)
        elif theirs in (0.0, math.inf):
            assert ours == theirs
        else:
            assert ours == pytest.approx(theirs, rel=1e-8)


@pytest.mark.slow  # over a second in --durations
def test_a_large_table_agrees_with_scipy() -> None:
    # 10,000 patients: scipy takes seconds here, which is why clears has its own evaluation.
    reference = odds_ratio([[3000, 2000], [2500, 2500]], kind="conditional")
    interval = reference.confidence_interval()
    estimate, low, high = conditional_odds_ratio(3000, 2000, 2500, 2500)
    assert estimate == pytest.approx(float(reference.statistic), rel=1e-9)
    assert low == pytest.approx(float(interval.low), rel=1e-9)
    assert high == pytest.approx(float(interval.high), rel=1e-9)
