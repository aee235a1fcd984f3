"""clears.analysis.proportions vs scipy, statsmodels, docs/reference/published-figures.md."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from clears import InputError
from clears.analysis.proportions import proportion_ci, response_rates


def test_scipy_docs_fixture() -> None:
    # scipy docs: binomtest(k=7, n=50, p=0.1).proportion_ci() ->
    # (0.05819170033997342, 0.26739600249700846)
    est = proportion_ci(7, 50)
    assert est.ci_low == pytest.approx(0.05819170033997342, rel=1e-12)
    assert est.ci_high == pytest.approx(0.26739600249700846, rel=1e-12)


@pytest.mark.parametrize(
    ("count", "nobs", "low", "high"),
    [
        # docs/reference/published-figures.md exact 95 % CIs (percent, 1 decimal)
        (17, 40, 27.0, 59.1),  # Aitmehdi CR 17/40
        (35, 40, 73.2, 95.8),  # Aitmehdi PR or better
        (0, 7, 0.0, 41.0),  # Aitmehdi CR severe
        (8, 26, 14.3, 51.8),  # Aitmehdi SLE flare
        (14, 14, 76.8, 100.0),  # Cortés-Hernández any response
        (5, 9, 21.2, 86.3),  # Kindle CR
    ],
)
def test_evidence_clopper_pearson(count: int, nobs: int, low: float, high: float) -> None:
    est = proportion_ci(count, nobs)
    assert round(est.ci_low * 100, 1) == low
    assert round(est.ci_high * 100, 1) == high


def test_wilson_matches_statsmodels_and_anchor() -> None:
    # docs/reference/statistics.md: 12/14 Wilson (0.6006, 0.9599);
    # statsmodels proportion_confint(12, 14, method="wilson") is the reference.
    est = proportion_ci(12, 14, method="wilson")
    low, high = proportion_confint(12, 14, method="wilson")
    assert (est.ci_low, est.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert (round(est.ci_low, 4), round(est.ci_high, 4)) == (0.6006, 0.9599)
    assert est.method == "Wilson score"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_exact_equals_statsmodels_beta(pair: tuple[int, int]) -> None:
    count, nobs = pair
    # statsmodels proportion_confint(method="beta") is Clopper-Pearson.
    low, high = proportion_confint(count, nobs, method="beta")
    est = proportion_ci(count, nobs)
    assert est.ci_low == pytest.approx(low, abs=1e-9)
    assert est.ci_high == pytest.approx(high, abs=1e-9)
    assert est.ci_low <= est.proportion <= est.ci_high


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"count": 5, "nobs": 0}, "nobs"),
        ({"count": 6, "nobs": 5}, "count"),
        ({"count": -1, "nobs": 5}, "count"),
    ],
)
def test_rejections(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(InputError) as info:
        proportion_ci(**kwargs)
    assert info.value.problems[0].field == field


def test_rejects_unknown_method() -> None:
    with pytest.raises(InputError, match="unknown option"):
        proportion_ci(1, 2, method="wald")


def _cohort() -> pd.DataFrame:
    # Synthetic: Aitmehdi-like PR by severity 10/12 mild, 19/21 moderate, 6/7 severe.
    rows = []
    for band, responders, n in (("mild", 10, 12), ("moderate", 19, 21), ("severe", 6, 7)):
        rows += [{"band": band, "best": "partial"}] * responders
        rows += [{"band": band, "best": "none"}] * (n - responders)
    frame = pd.DataFrame(rows)
    return pd.concat(
        [frame.assign(criteria="aitmehdi2021"), frame.assign(criteria="other", best="none")]
    )


def test_response_rates_by_subgroup_and_criteria() -> None:
    data = _cohort()
    before = data.copy()
    result = response_rates(
        data, outcome="best", success={"partial", "complete"}, by=["band"], criteria="criteria"
    )
    out = result.table
    pd.testing.assert_frame_equal(data, before)  # input not mutated
    first = out[out["criteria"] == "aitmehdi2021"].set_index("level")
    # 35/40 = 87.5 % -> "88" half up; 10/12 = 83.3 -> "83"; 6/7 = 85.7 -> "86"
    assert first.loc["all", "responders"] == 35
    assert first.loc["all", "percent"] == "88"
    assert first.loc["severe", "percent"] == "86"
    # docs/reference/published-figures.md: mild 10/12 exact CI 51.6-97.9 %
    assert round(first.loc["mild", "ci_low_exact"] * 100, 1) == 51.6
    assert round(first.loc["mild", "ci_high_exact"] * 100, 1) == 97.9
    ref = stats.binomtest(19, 21).proportion_ci(method="wilson")  # scipy reference
    assert first.loc["moderate", "ci_low_wilson"] == pytest.approx(ref.low)
    other = out[out["criteria"] == "other"].set_index("level")
    assert other.loc["all", "responders"] == 0
    assert "Clopper-Pearson exact, Wilson score" in result.method
    assert "half up" in result.method


def test_response_rates_missing_outcomes_are_counted_not_used() -> None:
    data = pd.DataFrame({"cr": [True, False, None, True]})
    out = response_rates(data, outcome="cr").table
    assert out.loc[0, ["responders", "n", "missing"]].tolist() == [2, 3, 1]


def test_response_rates_missing_column() -> None:
    with pytest.raises(InputError, match="column not found") as info:
        response_rates(pd.DataFrame({"x": [1]}), outcome="best", by=["band"])
    assert [p.field for p in info.value.problems] == ["best", "band"]
