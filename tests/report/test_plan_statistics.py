"""The statistics only analysis plans ask for, against scipy, on Aitmehdi 2021's own counts."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from clears.report._plan_sections import cr_by_severity, cr_time_by, sledai_by_flare


def _patients(band: str, n: int, complete: int) -> list[dict[str, object]]:
    return [
        {"evaluable": True, "baseline_severity": band,
         "best_response": "complete" if i < complete else "partial"}
        for i in range(n)
    ]  # fmt: skip


def test_cr_mild_moderate_vs_severe_matches_scipy_fisher() -> None:
    # Aitmehdi 2021 (doi:10.1016/j.jaad.2020.11.014), letter lines 69-72: 12 mild, 21
    # moderate, 7 severe; "CR was significantly more frequent in patients with mild and
    # moderate compared with severe activity (17/33, 51% versus 0/7, 0% p=0.01)".
    outcomes = pd.DataFrame(
        _patients("mild", 12, 8) + _patients("moderate", 21, 9) + _patients("severe", 7, 0)
        + [{"evaluable": False, "baseline_severity": "severe", "best_response": "complete"},
           {"evaluable": True, "baseline_severity": None, "best_response": "complete"}]
    )  # fmt: skip
    with pytest.warns(Warning, match="zero cell"):
        table, result = cr_by_severity(outcomes)
    # the 2 x 2 from the definition: rows mild+moderate, severe; columns CR, not CR
    expected = [[17, 33 - 17], [0, 7]]
    assert table == expected
    reference = stats.fisher_exact(expected)  # scipy.stats.fisher_exact, two-sided
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert round(result.p_value, 2) == 0.01  # as the letter prints it
    assert result.method.startswith("Fisher's exact test (two-sided)")


def test_cr_versus_another_band() -> None:
    outcomes = pd.DataFrame(
        _patients("mild", 4, 3) + _patients("moderate", 5, 1) + _patients("severe", 3, 1)
    )
    table, result = cr_by_severity(outcomes, versus="mild")
    expected = [[2, 6], [3, 1]]  # moderate+severe: 1+1 of 8 CR; mild: 3 of 4
    assert table == expected
    assert result.p_value == pytest.approx(stats.fisher_exact(expected).pvalue, rel=1e-12)


def test_baseline_sledai_by_flare_matches_scipy_mannwhitneyu() -> None:
    flare = [6.0, 8.0, 10.0, 12.0, 7.0, 9.0, 14.0, 11.0]  # 8 SLE patients with a flare
    calm = [2.0, 4.0, 3.0, 5.0, 1.0, 4.5, 6.5, 2.5, 3.5, 0.0, 5.5, 8.5, 1.5, 7.5, 9.5, 0.5,
            13.0, 2.25]  # 18 without  # fmt: skip
    frame = pd.DataFrame(
        {"sle_flare": [True] * 8 + [False] * 18 + [None, True],
         "baseline_sledai": flare + calm + [3.0, None]}
    )  # fmt: skip
    x, y, result = sledai_by_flare(frame)
    assert x.tolist() == flare
    assert y.tolist() == calm
    # scipy.stats.mannwhitneyu, exact (no ties, both samples under 50, as R wilcox.test)
    reference = stats.mannwhitneyu(flare, calm, alternative="two-sided", method="exact")
    assert result.statistic == reference.statistic
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert result.method == "Mann-Whitney U test (two-sided, exact)"


def test_baseline_sledai_with_ties_uses_the_normal_approximation() -> None:
    flare, calm = [4.0, 6.0, 6.0, 10.0], [2.0, 2.0, 4.0, 3.0, 5.0]
    frame = pd.DataFrame({"sle_flare": [True] * 4 + [False] * 5, "baseline_sledai": flare + calm})
    _x, _y, result = sledai_by_flare(frame)
    reference = stats.mannwhitneyu(
        flare, calm, alternative="two-sided", method="asymptotic", use_continuity=True
    )
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-12)
    assert "normal approximation" in result.method


def test_time_to_cr_smokers_vs_others_matches_scipy_logrank() -> None:
    # Aitmehdi 2021: "The CR rate was significantly decreased in active smokers ... (log-rank
    # test) as compared with former and never smokers": current vs former and never together.
    current = [(120, True), (400, False), (610, False), (90, True), (800, False), (365, False)]
    others = [(60, True), (85, True), (150, True), (30, False), (200, True), (95, True),
              (300, False), (45, True)]  # fmt: skip
    frame = pd.DataFrame(
        {"time_to_complete_days": [t for t, _ in current + others] + [50.0],
         "complete_event": [e for _, e in current + others] + [True],
         "smoking": ["current"] * 6 + ["former", "never"] * 4 + [None]}
    )  # fmt: skip
    used, result = cr_time_by(frame, by="smoking", versus="current")
    assert used["group"].value_counts().to_dict() == {"not current": 8, "current": 6}

    # scipy.stats.logrank (two-sided) on the same two samples, right-censored where no CR
    def sample(rows: list[tuple[int, bool]]) -> stats.CensoredData:
        return stats.CensoredData.right_censored(
            [float(t) for t, _ in rows], [not e for _, e in rows]
        )

    reference = stats.logrank(sample(current), sample(others))
    assert result.statistic == pytest.approx(reference.statistic**2, rel=1e-10)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-10)
    assert result.method.startswith("log-rank test (Mantel-Cox")


def test_time_to_cr_by_recorded_levels() -> None:
    frame = pd.DataFrame(
        {"time_to_complete_days": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
         "complete_event": [True, True, False, True, True, False],
         "smoking": ["current", "former", "never", "current", "former", "never"]}
    )  # fmt: skip
    used, result = cr_time_by(frame, by="smoking")
    assert sorted(set(used["group"])) == ["current", "former", "never"]
    assert result.df == 2


def test_hazard_ratio_is_the_cox_models_of_the_named_group() -> None:
    from clears.analysis import cox_ph
    from clears.report._plan_sections import _hazard_ratio
    from clears.report._sections import Log

    frame = pd.DataFrame(
        {"time_to_complete_days": [120.0, 400, 610, 90, 800, 365, 60, 85, 150, 30, 200, 95],
         "complete_event": [1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1],
         "smoking": ["current"] * 6 + ["never"] * 6}
    )  # fmt: skip
    used, _ = cr_time_by(frame, by="smoking", versus="current")
    log = Log()
    shown = _hazard_ratio(used, "current", log, "Cox")
    with pytest.warns(Warning, match="fewer than 10 events"):
        fit = cox_ph(
            used.assign(x=used["group"] == "current"),
            duration="time_to_complete_days",
            event="event",
            covariates=["x"],
        )
    row = fit.summary.iloc[0]
    assert row["hazard_ratio"] < 1  # fewer and later complete responses in current smokers
    assert shown == f"{row['hazard_ratio']:.3g} ({row['ci_low']:.3g} to {row['ci_high']:.3g})"
    assert fit.method in log.methods["Time to event"]
