"""Binomial-normal GLMM against Stijnen et al. (2010) as reproduced by metafor."""

import pytest
from scipy.special import expit
from tests.evidence._fixtures import NIEL_AI, NIEL_CI, NIEL_N1I, NIEL_N2I

from clears.evidence._glmm import fit_glmm

Z = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def test_standard_catheter_arm_matches_stijnen_2010_table_ii() -> None:
    # wviechtb/metafor tests/testthat/test_analysis_example_stijnen2010.r:
    # rma.glmm(measure="PLO", xi=ci, ni=n2i, data=dat.nielweise2007) -> coef -3.50, se 0.26,
    # tau2 0.81; predict(res, transf=transf.ilogit) .029 [.018, .048] (Stijnen et al. 2010,
    # Stat Med 29:3046, Table II p. 3050)
    g = fit_glmm(NIEL_CI, NIEL_N2I)
    assert round(g.estimate, 2) == -3.50
    assert round(g.se, 2) == 0.26
    assert round(g.tau2, 2) == 0.81
    p = expit([g.estimate, g.estimate - Z * g.se, g.estimate + Z * g.se])
    assert [round(float(v), 3) for v in p] == [0.029, 0.018, 0.048]


def test_anti_infective_arm_with_zero_events_matches_stijnen_2010() -> None:
    # same file: rma.glmm(measure="PLO", xi=ai, ni=n1i) -> -4.81, se 0.36, tau2 0.83;
    # ilogit .008 [.004, .016]; six studies have 0 events and enter without correction
    g = fit_glmm(NIEL_AI, NIEL_N1I)
    assert round(g.estimate, 2) == -4.81
    assert round(g.se, 2) == 0.36
    assert round(g.tau2, 2) == 0.83
    p = expit([g.estimate, g.estimate - Z * g.se, g.estimate + Z * g.se])
    assert [round(float(v), 3) for v in p] == [0.008, 0.004, 0.016]


@pytest.mark.slow
def test_more_quadrature_nodes_change_little() -> None:
    # adaptive quadrature: 7 vs 21 nodes agree to 1e-4 on the logit scale
    a = fit_glmm(NIEL_CI, NIEL_N2I, nodes=7)
    b = fit_glmm(NIEL_CI, NIEL_N2I, nodes=21)
    assert a.estimate == pytest.approx(b.estimate, abs=1e-4)
    assert a.tau2 == pytest.approx(b.tau2, abs=1e-3)


@pytest.mark.slow
def test_homogeneous_counts_give_the_logistic_common_effect() -> None:
    # all studies 5/20: tau2 = 0 and mu = logit(0.25); SE = 1/sqrt(60 * 0.25 * 0.75)
    g = fit_glmm([5, 5, 5], [20, 20, 20])
    assert g.tau2 == 0.0
    assert g.se == pytest.approx(1 / (60 * 0.25 * 0.75) ** 0.5)
