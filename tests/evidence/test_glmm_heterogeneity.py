"""Heterogeneity tests of the logistic model as ``metafor::rma.glmm(measure="PLO")``
reports them (``QE.Wld``, ``QE.LRT``), read from ``tests/reference/metafor.json``."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from tests.reference._fixtures import dataset, load

from clears._exceptions import StatisticalWarning
from clears.evidence import glmm_heterogeneity, metaprop

CASES = load("metafor")["glmm"]


@pytest.mark.parametrize("case", CASES, ids=[c["dataset"] for c in CASES])
def test_wald_and_lrt_match_rma_glmm(case: dict[str, object]) -> None:
    # metafor::rma.glmm(measure = "PLO", xi = events, ni = n): QE.Wld, QE.LRT on k - 1 df.
    # QE.Wld comes from glm's iterative fit (convergence tolerance 1e-8 on the deviance),
    # so it agrees to about 1e-6 relative; QE.LRT is closed-form.
    data = dataset(str(case["dataset"]), "metafor")
    tests = glmm_heterogeneity(data["events"], data["n"])
    assert tests is not None
    assert tests.df == case["qe_df"]
    assert tests.wald == pytest.approx(case["qe_wald"], rel=1e-5)
    assert tests.wald_p == pytest.approx(case["qe_wald_p"], rel=1e-4)
    assert tests.lrt == pytest.approx(case["qe_lrt"], rel=1e-8)
    assert tests.lrt_p == pytest.approx(case["qe_lrt_p"], rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c["dataset"] for c in CASES])
def test_metaprop_glmm_reports_both_tests(case: dict[str, object]) -> None:
    data = dataset(str(case["dataset"]), "metafor")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = metaprop(data, method="GLMM")
    o = res.overall
    # Same R call: beta, se and tau2 of the ML fit (glmer, nAGQ = 7).
    assert o["estimate_t"] == pytest.approx(case["estimate"], abs=2e-4)
    assert o["tau2"] == pytest.approx(case["tau2"], rel=2e-3)
    assert o["q"] == pytest.approx(case["qe_wald"], rel=1e-5)
    assert o["q_lrt"] == pytest.approx(case["qe_lrt"], rel=1e-8)
    assert o["q_df"] == case["qe_df"]
    assert "QE.Wld" in o["q_test"]
    text = res.to_text()
    assert "Wald-type QE=" in text
    assert "LRT QE=" in text


def test_boundary_study_has_weight_zero_in_the_wald_test() -> None:
    # A 0/n study's saturated logit diverges with infinite variance (weight 0): adding one
    # leaves QE.Wld unchanged, while QE.LRT uses its exact likelihood and changes.
    # Two studies 2/10 and 8/10: logits -/+ log 4, information 1.6 each, so
    # QE.Wld = 2 * 1.6 * log(4)^2 (hand arithmetic).
    import math

    two = glmm_heterogeneity([2, 8], [10, 10])
    three = glmm_heterogeneity([2, 8, 0], [10, 10, 10])
    assert two is not None
    assert three is not None
    assert two.wald == pytest.approx(2 * 1.6 * math.log(4) ** 2, rel=1e-12)
    assert three.wald == pytest.approx(two.wald, rel=1e-12)
    assert three.df == 2
    assert three.lrt > two.lrt


@pytest.mark.slow
def test_a_subgroup_of_one_study_gets_no_test_and_a_note() -> None:
    data = pd.DataFrame(
        {"study": ["a", "b", "c"], "events": [3, 5, 9], "n": [10, 12, 20], "g": ["x", "x", "y"]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = metaprop(data, method="GLMM", subgroup="g")
    alone = res.summary.loc[res.summary["group"] == "y"].iloc[0]
    assert alone["q_df"] == 0
    assert pd.isna(alone["q"])
    assert pd.isna(alone["q_lrt"])
    assert any("y: one study, so no test of heterogeneity" in n for n in res.notes)
    assert "y: k=1" in res.to_text()
    assert "no heterogeneity test (one study)" in res.to_text()
    assert glmm_heterogeneity([3], [10]) is None
