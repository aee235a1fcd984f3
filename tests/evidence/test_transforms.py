"""Proportion transformations against Miller (1978) and metafor's worked example."""

import numpy as np
import pytest

from clears.evidence._transforms import back_transform, harmonic_mean, ipft, transform

MILLER_X = [3, 6, 10, 1]
MILLER_N = [11, 17, 21, 6]


def test_freeman_tukey_matches_miller_1978_page_138() -> None:
    # wviechtb/metafor tests/testthat/test_analysis_example_miller1978.r:
    # escalc(measure="PFT"): yi*2 = 1.1391, 1.2888, 1.5253, 0.9515 and vi*4 = 0.0870, 0.0571,
    # 0.0465, 0.1538 (Miller 1978 p. 138; metafor's scale is half of Miller's).
    t = transform(MILLER_X, MILLER_N, "PFT")
    assert t.yi * 2 == pytest.approx([1.1391, 1.2888, 1.5253, 0.9515], abs=5e-5)
    assert t.vi * 4 == pytest.approx([0.0870, 0.0571, 0.0465, 0.1538], abs=5e-5)
    assert not t.corrected.any()


def test_ipft_recovers_0_and_1_and_interior_proportions() -> None:
    # same metafor file: transf.ipft(yi, ni) gives back 0, .4, .6, .8, 1 for
    # xi = 0, 4, 9, 16, 20 out of 10, 10, 15, 20, 20 (escalc add=0)
    x, n = [0, 4, 9, 16, 20], [10, 10, 15, 20, 20]
    t = transform(x, n, "PFT")
    assert ipft(t.yi, np.array(n, dtype=float)) == pytest.approx([0, 0.4, 0.6, 0.8, 1.0], abs=1e-10)


@pytest.mark.parametrize(
    ("measure", "y", "v"),
    [
        # 12/14: PR p = 0.857143, v = p(1-p)/14; PLO log(12/2), 1/12 + 1/2; PLN log(12/14),
        # 1/12 - 1/14 (metafor escalc formulas, Viechtbauer 2010 Table 2)
        ("PR", 12 / 14, (12 / 14) * (2 / 14) / 14),
        ("PLO", np.log(6.0), 1 / 12 + 1 / 2),
        ("PLN", np.log(12 / 14), 1 / 12 - 1 / 14),
    ],
)
def test_escalc_formulas(measure: str, y: float, v: float) -> None:
    t = transform([12], [14], measure)
    assert t.yi[0] == pytest.approx(y)
    assert t.vi[0] == pytest.approx(v)


def test_continuity_correction_options() -> None:
    x, n = [0, 5, 10], [10, 10, 10]
    only0 = transform(x, n, "PLO")
    # 0/10 -> (0.5)/(11): logit = log(0.5/10.5)
    assert only0.corrected.tolist() == [True, False, True]
    assert only0.yi[0] == pytest.approx(np.log(0.5 / 10.5))
    assert only0.yi[1] == pytest.approx(0.0)
    assert transform(x, n, "PLO", to="all").corrected.all()
    assert transform(x, n, "PLO", to="if0all").corrected.all()
    assert transform([5, 6], n[:2], "PLO", to="if0all").corrected.sum() == 0
    none = transform(x, n, "PLO", to="none")
    assert np.isnan(none.vi[0])
    assert np.isnan(none.vi[2])
    # the corrections size changes the result
    assert transform(x, n, "PLO", add=0.25).yi[0] != only0.yi[0]
    # Freeman-Tukey is defined at 0 and n and is never corrected
    assert not transform(x, n, "PFT", to="all").corrected.any()


def test_back_transforms() -> None:
    assert back_transform([np.log(3.0)], "PLO")[0] == pytest.approx(0.75)
    assert back_transform([np.log(0.2)], "PLN")[0] == pytest.approx(0.2)
    assert back_transform([1.2, -0.1], "PR").tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="n_harmonic"):
        back_transform([0.5], "PFT")


def test_harmonic_mean() -> None:
    # 4 / (1/11 + 1/17 + 1/21 + 1/6)
    assert harmonic_mean(MILLER_N) == pytest.approx(4 / (1 / 11 + 1 / 17 + 1 / 21 + 1 / 6))
