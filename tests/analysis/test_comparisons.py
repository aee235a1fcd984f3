"""Tests for clears.analysis.comparisons against R outputs printed in docs and scipy calls."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from clears import InputError, StatisticalWarning
from clears.analysis import chi2_test, fisher_exact, kruskal_wallis, mann_whitney, t_test


class TestFisher:
    def test_tea_tasting_matches_r_docs(self) -> None:
        # R: fisher.test(TeaTasting) with TeaTasting = matrix(c(3,1,1,3), 2) (R ?fisher.test):
        # p-value = 0.4857, odds ratio 6.408309, 95% CI 0.2117329 621.9337505.
        res = fisher_exact([[3, 1], [1, 3]])
        assert res.p_value == pytest.approx(0.4857, abs=5e-5)
        assert res.estimate == pytest.approx(6.408309, rel=1e-5)
        assert res.ci_low == pytest.approx(0.2117329, rel=1e-4)
        # R's upper limit comes from uniroot at a loose tolerance: agree within 1 %.
        assert res.ci_high == pytest.approx(621.9337505, rel=0.01)
        assert "conditional MLE" in res.method

    def test_tea_tasting_one_sided_matches_r_docs(self) -> None:
        # R: fisher.test(TeaTasting, alternative = "greater") => p = 0.2429 (R ?fisher.test).
        res = fisher_exact([[3, 1], [1, 3]], alternative="greater")
        assert res.p_value == pytest.approx(0.2429, abs=5e-5)
        assert math.isinf(res.ci_high)

    def test_scipy_user_fixture_matches_r(self) -> None:
        # docs/reference/statistics.md: [[8,2],[1,5]] -> R OR 15.46969, CI 1.008849-1049.791446,
        # p = 0.03497 (python.org/pipermail/scipy-user/2019-April/037587.html).
        res = fisher_exact([[8, 2], [1, 5]])
        assert res.p_value == pytest.approx(0.034965034965, rel=1e-9)
        assert res.estimate == pytest.approx(15.46969, rel=1e-3)
        assert res.ci_low == pytest.approx(1.008849, rel=1e-3)
        assert res.ci_high == pytest.approx(1049.791446, rel=0.02)
        assert "sample odds ratio ad/bc = 20" in res.notes[0]

    def test_interval_limits_are_exact_tail_roots(self) -> None:
        # Independent check of the Cornfield interval: at each limit the noncentral
        # hypergeometric tail equals alpha/2 (scipy.stats.nchypergeom_fisher).
        res = fisher_exact([[3, 1], [1, 3]])
        # a = 3; row 1 total 4, column 1 total 4, grand total 8.
        lower_tail = stats.nchypergeom_fisher(8, 4, 4, res.ci_low).sf(2)  # P(a >= 3)
        upper_tail = stats.nchypergeom_fisher(8, 4, 4, res.ci_high).cdf(3)  # P(a <= 3)
        assert lower_tail == pytest.approx(0.025, rel=1e-4)
        assert upper_tail == pytest.approx(0.025, rel=1e-4)

    def test_aitmehdi_a1(self) -> None:
        # docs/reference/published-figures.md A1: CR 17/33 vs 0/7 -> Fisher two-sided p = 0.0142
        # (scipy.stats.fisher_exact([[17, 16], [0, 7]])); published "p=0.01".
        with pytest.warns(StatisticalWarning, match="zero cell"):
            res = fisher_exact([[17, 16], [0, 7]])
        assert res.p_value == pytest.approx(0.0142, abs=5e-5)
        assert math.isinf(res.estimate)

    def test_larger_table_is_freeman_halton(self) -> None:
        # docs/reference/published-figures.md A2: PR by severity 10/12, 19/21, 6/7 -> Freeman-Halton
        # p = 0.830.
        res = fisher_exact([[10, 2], [19, 2], [6, 1]])
        assert res.p_value == pytest.approx(0.830, abs=5e-4)
        assert res.method.startswith("Fisher-Freeman-Halton")

    @pytest.mark.parametrize(
        ("table", "field"),
        [
            ([[1, 2, 3]], "table"),
            ([[1, -1], [2, 3]], "table"),
            ([[1.5, 1], [2, 3]], "table"),
            ([[0, 0], [2, 3]], "table"),
        ],
    )
    def test_rejects_bad_tables(self, table: list[list[float]], field: str) -> None:
        with pytest.raises(InputError) as info:
            fisher_exact(table)
        assert info.value.problems[0].field == field

    def test_rejects_bad_alternative_and_confidence(self) -> None:
        with pytest.raises(InputError, match="unknown option"):
            fisher_exact([[1, 2], [3, 4]], alternative="bigger")
        with pytest.raises(InputError, match="0 < confidence < 1"):
            fisher_exact([[1, 2], [3, 4]], confidence=95)

    @pytest.mark.slow
    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.integers(1, 12), min_size=4, max_size=4))
    def test_p_value_equals_scipy(self, cells: list[int]) -> None:
        table = [cells[:2], cells[2:]]
        # scipy.stats.fisher_exact(table).pvalue is the reference p-value.
        assert fisher_exact(table).p_value == pytest.approx(stats.fisher_exact(table).pvalue)


class TestChi2:
    def test_worked_example(self) -> None:
        # [[20,10],[10,20]]: expected 15 everywhere; chi2 = 4 * 25/15 = 6.6667, df 1.
        res = chi2_test([[20, 10], [10, 20]])
        assert res.statistic == pytest.approx(20 / 3)
        assert res.df == 1
        # scipy.stats.chi2.sf(20/3, 1) = 0.009823
        assert res.p_value == pytest.approx(stats.chi2.sf(20 / 3, 1))
        # Cramér's V = sqrt(6.6667 / 60) = 0.3333
        assert res.effect_size == pytest.approx(1 / 3)
        assert "no continuity correction" in res.method

    def test_aitmehdi_a1_chi2_variants(self) -> None:
        # docs/reference/published-figures.md A1: chi2 without correction p = 0.0123, with Yates p =
        # 0.0372, smallest expected count 2.98 -> warning.
        with pytest.warns(StatisticalWarning, match=r"2\.98 < 5"):
            plain = chi2_test([[17, 16], [0, 7]])
        with pytest.warns(StatisticalWarning):
            yates = chi2_test([[17, 16], [0, 7]], correction=True)
        assert plain.p_value == pytest.approx(0.0123, abs=5e-5)
        assert yates.p_value == pytest.approx(0.0372, abs=5e-5)
        assert "Yates" in yates.method

    def test_no_warning_at_expected_exactly_5(self) -> None:
        # [[5,5],[5,5]]: every expected count is exactly 5 -> no warning (rule is < 5).
        res = chi2_test([[5, 5], [5, 5]])
        assert res.statistic == pytest.approx(0.0)
        assert res.notes == ()


class TestMannWhitney:
    def test_complete_separation_exact(self) -> None:
        # x all below y, n = 3 + 3: U = 0; exact two-sided p = 2 / C(6,3) = 2/20 = 0.1.
        res = mann_whitney([1, 2, 3], [4, 5, 6])
        assert res.statistic == 0.0
        assert res.p_value == pytest.approx(0.1)
        assert res.effect_size == -1.0
        assert "exact" in res.method

    def test_ties_use_normal_approximation_like_scipy(self) -> None:
        x, y = [1, 2, 2, 3, 5], [2, 4, 4, 6, 7, 8]
        res = mann_whitney(x, y)
        # scipy.stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
        ref = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
        assert res.statistic == ref.statistic
        assert res.p_value == pytest.approx(ref.pvalue)
        assert "normal approximation" in res.method

    def test_exact_with_ties_is_refused(self) -> None:
        with pytest.raises(InputError, match="tied"):
            mann_whitney([1, 2], [2, 3], exact=True)

    def test_aitmehdi_a4_indicative(self) -> None:
        # docs/reference/published-figures.md A4: exact two-sided Mann-Whitney, n 8 vs 18, U = 22 ->
        # p 0.0042, U = 23 -> p 0.0051 (scipy.stats.mannwhitneyu(method="exact")). Synthetic untied
        # samples with U = 22: 22 of the 144 (x, y) pairs have x > y.
        x = np.array([1, 2, 3, 4, 5, 6, 7, 40.0])
        y = np.arange(18, dtype=float) + 20.5
        y[:3] = [4.5, 5.5, 6.5]  # pairs x > y: (5,4.5) (6,4.5) (6,5.5) (7,...) x3 + 40 > 15
        res = mann_whitney(x, y)
        expected = stats.mannwhitneyu(x, y, method="exact")
        assert res.statistic == expected.statistic
        assert res.p_value == pytest.approx(expected.pvalue)

    def test_rejects_empty(self) -> None:
        with pytest.raises(InputError, match="at least 1"):
            mann_whitney([], [1, 2])


class TestKruskal:
    def test_worked_example(self) -> None:
        # ranks 1-3, 4-6, 7-9: H = 12/(9*10) * (36+225+576)/3 - 3*10 = 7.2, df 2
        res = kruskal_wallis([1, 2, 3], [4, 5, 6], [7, 8, 9])
        assert res.statistic == pytest.approx(7.2)
        assert res.p_value == pytest.approx(stats.chi2.sf(7.2, 2))
        assert res.effect_size == pytest.approx(7.2 / 8)

    def test_needs_two_groups(self) -> None:
        with pytest.raises(InputError, match="two groups"):
            kruskal_wallis([1, 2, 3])


class TestT:
    def test_welch_matches_scipy(self) -> None:
        x, y = [5.1, 4.9, 6.2, 5.8, 6.0], [4.1, 3.9, 4.4, 5.0, 4.6, 4.2]
        res = t_test(x, y)
        ref = stats.ttest_ind(x, y, equal_var=False)  # scipy reference
        assert res.statistic == pytest.approx(ref.statistic)
        assert res.p_value == pytest.approx(ref.pvalue)
        assert res.df == pytest.approx(ref.df)
        assert "Welch" in res.method

    def test_student_and_paired(self) -> None:
        x, y = [5.1, 4.9, 6.2, 5.8, 6.0], [4.1, 3.9, 4.4, 5.0, 4.6]
        student = t_test(x, y, equal_var=True)
        assert student.p_value == pytest.approx(stats.ttest_ind(x, y).pvalue)
        paired = t_test(x, y, paired=True)
        # differences 1.0, 1.0, 1.8, 0.8, 1.4: mean 1.2, SD 0.4 -> t = 1.2/(0.4/sqrt 5) = 6.708
        assert paired.statistic == pytest.approx(1.2 / (0.4 / math.sqrt(5)))
        assert paired.effect_size == pytest.approx(3.0)
        assert paired.method.startswith("paired")

    def test_paired_length_mismatch(self) -> None:
        with pytest.raises(InputError, match="same length"):
            t_test([1, 2, 3], [1, 2], paired=True)

    def test_every_input_changes_result(self) -> None:
        base = t_test([1.0, 2.0, 3.0], [2.0, 3.0, 5.0])
        assert t_test([1.0, 2.0, 4.0], [2.0, 3.0, 5.0]).p_value != base.p_value
        assert t_test([1.0, 2.0, 3.0], [2.0, 3.0, 6.0]).p_value != base.p_value
        assert t_test([1.0, 2.0, 3.0], [2.0, 3.0, 5.0], equal_var=True).p_value != base.p_value


def test_freeman_halton_is_invariant_to_row_order_and_orientation() -> None:
    # The enumeration does not depend on row order or orientation (2 x c = transposed r x 2).
    a = fisher_exact([[10, 2], [19, 2], [6, 1]]).p_value
    b = fisher_exact([[6, 1], [10, 2], [19, 2]]).p_value
    c = fisher_exact([[10, 19, 6], [2, 2, 1]]).p_value
    assert a == pytest.approx(b) == pytest.approx(c)


def test_freeman_halton_refuses_3x3() -> None:
    with pytest.raises(InputError, match="r x 2"):
        fisher_exact([[1, 2, 3], [2, 3, 4], [4, 5, 6]])
