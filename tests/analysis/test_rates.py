"""clears.analysis.rates against statsmodels and docs/reference/published-figures.md A5."""

import pandas as pd
import pytest
from statsmodels.stats.rates import confint_poisson

from clears import InputError
from clears.analysis.rates import incidence_rate, incidence_table


@pytest.mark.parametrize(
    ("events", "rate", "low", "high"),
    [
        # docs/reference/published-figures.md A5, per 100 PY over 93 patient-years
        (3, 3.23, 0.67, 9.43),  # arterial events
        (5, 5.38, 1.75, 12.55),  # grade III/IV AE
        (4, 4.30, 1.17, 11.01),  # discontinuation
        (2, 2.15, 0.26, 7.77),  # cancer
    ],
)
def test_aitmehdi_rates(events: int, rate: float, low: float, high: float) -> None:
    est = incidence_rate(events, 93)
    assert (round(est.rate, 2), round(est.ci_low, 2), round(est.ci_high, 2)) == (rate, low, high)


@pytest.mark.parametrize("events", [0, 1, 3, 17, 250])
def test_equals_statsmodels_exact_c(events: int) -> None:
    # statsmodels.stats.rates.confint_poisson(k, exposure, method="exact-c")
    low, high = confint_poisson(events, 12.5, method="exact-c")
    est = incidence_rate(events, 12.5, per=1)
    assert est.ci_low == pytest.approx(low, abs=1e-12)
    assert est.ci_high == pytest.approx(high, rel=1e-9)


def test_anchor_fixture() -> None:
    # docs/reference/statistics.md: 3 events / 10 PY -> exact 95 % CI (0.06187, 0.87673) per PY
    est = incidence_rate(3, 10, per=1)
    assert (round(est.ci_low, 5), round(est.ci_high, 5)) == (0.06187, 0.87673)
    assert "Garwood" in est.method


def test_every_input_changes_result() -> None:
    base = incidence_rate(3, 93)
    assert incidence_rate(4, 93).rate != base.rate
    assert incidence_rate(3, 94).rate != base.rate
    assert incidence_rate(3, 93, per=1000).rate == pytest.approx(base.rate * 10)
    assert incidence_rate(3, 93, confidence=0.9).ci_high < base.ci_high


@pytest.mark.parametrize(
    ("args", "field"),
    [((-1, 10.0), "events"), ((1, 0.0), "person_time"), ((1, float("inf")), "person_time")],
)
def test_rejections(args: tuple[int, float], field: str) -> None:
    with pytest.raises(InputError) as info:
        incidence_rate(*args)
    assert info.value.problems[0].field == field


def test_table_counts_all_occurrences() -> None:
    ae = pd.DataFrame({"term": ["A", "B", "A", "A"], "patient_id": ["1", "1", "1", "2"]})
    out = incidence_table(ae, person_time=20, category="term").set_index("term")
    # A: 3 events / 20 PY * 100 = 15; All: 4 / 20 * 100 = 20
    assert out.loc["A", "rate"] == pytest.approx(15.0)
    assert out.loc["All", "events"] == 4
    assert out.index.tolist() == ["A", "B", "All"]
