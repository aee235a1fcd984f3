"""Inverse-variance pooling and τ² estimators against metafor's published results."""

import numpy as np
import pytest
from statsmodels.stats.meta_analysis import combine_effects
from tests.evidence._fixtures import PRITZ_NI, PRITZ_XI, bcg_log_or, bcg_log_rr

from clears._exceptions import ConvergenceError
from clears.evidence import _tau2
from clears.evidence._rma import heterogeneity, pool
from clears.evidence._tau2 import estimate_tau2

YI, VI = bcg_log_rr()


def test_equal_effects_matches_metafor_and_metan() -> None:
    # wviechtb/metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r,
    # rma(yi, vi, data=dat, method="FE") with escalc(measure="RR", data=dat.bcg);
    # also Stata `metan tpos tneg cpos cneg, fixedi nograph rr log`.
    fit = pool(YI, VI, "EE")
    assert fit.estimate == pytest.approx(-0.4303, abs=5e-5)
    assert fit.ci_low == pytest.approx(-0.5097, abs=5e-5)
    assert fit.ci_high == pytest.approx(-0.3509, abs=5e-5)
    assert fit.z == pytest.approx(-10.6247, abs=5e-5)
    assert fit.heterogeneity.q == pytest.approx(152.2330, abs=5e-5)
    # same file: predict(res, transf=exp) -> 0.6503 [0.6007, 0.7040]
    assert np.exp([fit.estimate, fit.ci_low, fit.ci_high]) == pytest.approx(
        [0.6503, 0.6007, 0.7040], abs=5e-5
    )
    assert fit.tau2 == 0.0
    # EE prediction interval collapses to the CI (metafor predict for EE models)
    assert (fit.pi_low, fit.pi_high) == (fit.ci_low, fit.ci_high)


def test_dersimonian_laird_matches_metafor_and_metan() -> None:
    # same metafor test file, rma(yi, vi, data=dat, method="DL"):
    # beta -0.7141, ci -1.0644/-0.3638, z -3.9952, tau2 0.3088, I2 92.1173;
    # predict(res, transf=exp): 0.4896 [0.3449, 0.6950]
    fit = pool(YI, VI, "DL")
    assert fit.estimate == pytest.approx(-0.7141, abs=5e-5)
    assert fit.ci_low == pytest.approx(-1.0644, abs=5e-5)
    assert fit.ci_high == pytest.approx(-0.3638, abs=5e-5)
    assert fit.z == pytest.approx(-3.9952, abs=5e-5)
    assert fit.tau2 == pytest.approx(0.3088, abs=5e-5)
    assert fit.heterogeneity.i2 == pytest.approx(92.1173, abs=5e-5)
    assert np.exp([fit.estimate, fit.ci_low, fit.ci_high]) == pytest.approx(
        [0.4896, 0.3449, 0.6950], abs=5e-5
    )


def test_reml_matches_metafor_printed_output() -> None:
    # R: dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    #    rma(yi, vi, data=dat, method="REML") prints tau^2 0.3132 (SE 0.1664), I^2 92.22%,
    #    Q(df = 12) = 152.2330, estimate -0.7145, se 0.1798, zval -3.9744,
    #    ci.lb -1.0669, ci.ub -0.3622 (metafor's printed output as reproduced in public
    #    vignettes; the same model as in Viechtbauer 2010, J Stat Softw 36(3)).
    fit = pool(YI, VI, "REML")
    assert fit.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert fit.heterogeneity.i2 == pytest.approx(92.22, abs=5e-3)
    assert fit.heterogeneity.q_df == 12
    assert fit.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert fit.se == pytest.approx(0.1798, abs=5e-5)
    assert fit.z == pytest.approx(-3.9744, abs=5e-5)
    assert fit.ci_low == pytest.approx(-1.0669, abs=5e-5)
    assert fit.ci_high == pytest.approx(-0.3622, abs=5e-5)


def test_paule_mandel_matches_metafor_iterated_estimators() -> None:
    # wviechtb/metafor tests/testthat/test_misc_rma_uni.r: rma(yi, vi, data=dat,
    # method="DLIT") and method="SJIT" both give tau2 = 0.3181 on dat.bcg RR; iterated DL
    # converges to the Paule-Mandel estimator (DerSimonian & Kacker 2007, Contemp Clin
    # Trials 28:105-114).
    assert estimate_tau2(YI, VI, "PM").tau2 == pytest.approx(0.3181, abs=5e-5)


def test_ml_and_prediction_interval_match_van_houwelingen_2002() -> None:
    # wviechtb/metafor tests/testthat/test_analysis_example_vanhouwelingen2002.r,
    # rma(yi, vi, data=dat, method="ML") on escalc(measure="OR", data=dat.colditz1994):
    # tau2 .302; predict(res, transf=exp) .476 [.336, .675]; predict(res) pi -1.875/0.391
    # (van Houwelingen et al. 2002, Stat Med 21:589-624, p. 597).
    yi, vi = bcg_log_or()
    fit = pool(yi, vi, "ML")
    assert round(fit.tau2, 3) == 0.302
    assert np.round(np.exp([fit.estimate, fit.ci_low, fit.ci_high]), 3) == pytest.approx(
        [0.476, 0.336, 0.675]
    )
    assert (round(fit.pi_low, 3), round(fit.pi_high, 3)) == (-1.875, 0.391)


@pytest.mark.parametrize(("ours", "theirs"), [("DL", "dl"), ("PM", "iterated")])
def test_cross_check_with_statsmodels_combine_effects(ours: str, theirs: str) -> None:
    # statsmodels.stats.meta_analysis.combine_effects(y, v, method_re=...) on the logit
    # proportions of dat.pritz1997 (secondary, independent implementation).
    from clears.evidence._transforms import transform

    t = transform(PRITZ_XI, PRITZ_NI, "PLO")
    sm = combine_effects(t.yi, t.vi, method_re=theirs)
    fit = pool(t.yi, t.vi, ours)
    assert fit.tau2 == pytest.approx(sm.tau2, abs=1e-6)
    assert fit.estimate == pytest.approx(sm.mean_effect_re, abs=1e-6)
    assert fit.se == pytest.approx(sm.sd_eff_w_re, abs=1e-6)
    assert fit.heterogeneity.q == pytest.approx(sm.q, abs=1e-6)


def test_weights_are_percentages_of_inverse_total_variance() -> None:
    # y = (0, 1), v = (1, 3), EE: w = (1, 1/3) -> 75% and 25%
    fit = pool([0.0, 1.0], [1.0, 3.0], "EE")
    assert fit.weights == pytest.approx([75.0, 25.0])
    assert fit.estimate == pytest.approx(0.25)


def test_homogeneous_studies_give_zero_tau2_for_every_estimator() -> None:
    # identical outcomes: Q = 0 < k - 1, so every estimator truncates at 0
    for method in ("DL", "PM", "ML", "REML"):
        assert estimate_tau2([0.3, 0.3, 0.3], [0.1, 0.2, 0.3], method).tau2 == 0.0


def test_every_outcome_changes_the_estimate() -> None:
    base = pool([0.1, 0.5, 0.9], [0.04, 0.05, 0.06], "REML").estimate
    for i in range(3):
        y = [0.1, 0.5, 0.9]
        y[i] += 0.2
        assert pool(y, [0.04, 0.05, 0.06], "REML").estimate != base


def test_i2_for_equal_effects_uses_q() -> None:
    # Q = 20 on 3 df -> I2 = 100 * (20 - 3) / 20 = 85
    h = heterogeneity(np.array([0.1, 0.5, 0.9, 1.3]), np.array([0.04] * 4), 0.0, random=False)
    assert h.i2 == pytest.approx(85.0)
    assert h.h2 == pytest.approx(20 / 3)


def test_non_convergence_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_tau2, "MAX_ITER", 1)
    with pytest.raises(ConvergenceError, match="REML Fisher scoring did not converge"):
        estimate_tau2(YI, VI, "REML")
