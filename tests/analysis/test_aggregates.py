"""Recomputable statistics of the seed papers (docs/reference/published-figures.md)."""

import pytest
from scipy import stats

from clears import InputError, StatisticalWarning
from clears.analysis.aggregates import (
    fisher_from_counts,
    paired_t_test_from_summary,
    t_test_from_summary,
    wald_p_from_ratio_ci,
)


def test_c1_cortes_clasi_a_welch() -> None:
    # docs/reference/published-figures.md C1: 11 ± 5.9 (n 15) vs 4.13 ± 3.66 (n 14): Welch t =
    # 3.795, p = 0.00090; published P = 0.0009.
    res = t_test_from_summary(11, 5.9, 15, 4.13, 3.66, 14)
    assert res.statistic == pytest.approx(3.795, abs=5e-4)
    assert res.p_value == pytest.approx(0.00090, abs=5e-6)
    # scipy.stats.ttest_ind_from_stats(..., equal_var=False) is the reference
    ref = stats.ttest_ind_from_stats(11, 5.9, 15, 4.13, 3.66, 14, equal_var=False)
    assert res.p_value == pytest.approx(ref.pvalue)


def test_c1_variants() -> None:
    # docs/reference/published-figures.md C1: Student 15 vs 14 p = 0.00089; Welch 14 vs 14 p =
    # 0.0013; Student 14 vs 14 p = 0.0010.
    assert t_test_from_summary(11, 5.9, 15, 4.13, 3.66, 14, equal_var=True).p_value == (
        pytest.approx(0.00089, abs=5e-6)
    )
    assert t_test_from_summary(11, 5.9, 14, 4.13, 3.66, 14).p_value == pytest.approx(
        0.0013, abs=5e-5
    )
    assert t_test_from_summary(11, 5.9, 14, 4.13, 3.66, 14, equal_var=True).p_value == (
        pytest.approx(0.0010, abs=5e-5)
    )


def test_c1_paired_needs_r_about_0_28() -> None:
    # docs/reference/published-figures.md C1: a paired t with n = 14 reproduces 0.0009 only if r ≈
    # 0.28.
    res = paired_t_test_from_summary(11, 5.9, 4.13, 3.66, 14, correlation=0.28)
    assert res.p_value == pytest.approx(0.0009, abs=1e-4)
    assert paired_t_test_from_summary(11, 5.9, 4.13, 3.66, 14, correlation=0.0).p_value > 0.001


def test_c2_not_reproduced_unpaired() -> None:
    # docs/reference/published-figures.md C2 (documented, not reproduced): CLASI-D 3.08 ± 3.15 vs
    # 2.39 ± 2.96, published P = 0.398; Welch 14 vs 14 gives 0.556.
    res = t_test_from_summary(3.08, 3.15, 14, 2.39, 2.96, 14)
    assert res.p_value == pytest.approx(0.556, abs=5e-4)
    assert abs(res.p_value - 0.398) > 0.1


def test_a1_fisher_from_counts() -> None:
    # docs/reference/published-figures.md A1: 17/33 vs 0/7, Fisher two-sided 0.0142 (published p =
    # 0.01).
    with pytest.warns(StatisticalWarning):
        res = fisher_from_counts(17, 33, 0, 7)
    assert round(res.p_value, 2) == 0.01
    assert res.p_value == pytest.approx(0.0142, abs=5e-5)


def test_a3_smokers_hr() -> None:
    # docs/reference/published-figures.md A3: HR 3.17 (1.04-9.67): SE(log HR) = 0.569, z = 2.03, p =
    # 0.043.
    res = wald_p_from_ratio_ci(3.17, 1.04, 9.67)
    assert res.statistic == pytest.approx(2.03, abs=5e-3)
    assert res.p_value == pytest.approx(0.043, abs=5e-4)
    # 0.5688 rounds to 0.569; the CI is centred (log scale) on 3.171 as
    # docs/reference/published-figures.md says
    assert res.notes[0] == "SE(log ratio) = 0.5688; geometric centre of the CI = 3.1712"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: t_test_from_summary(1, 0, 5, 1, 1, 5), "sd1"),
        (lambda: t_test_from_summary(1, 1, 1, 1, 1, 5), "n1"),
        (lambda: paired_t_test_from_summary(1, 1, 1, 1, 5, correlation=1.0), "correlation"),
        (lambda: wald_p_from_ratio_ci(0.5, 1.0, 2.0), "estimate"),
        (lambda: fisher_from_counts(5, 4, 1, 4), "events1"),
    ],
)
def test_rejections(call: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert info.value.problems[0].field == field
