"""metaprop end to end: published examples, subgroups, leave-one-out, warnings, rejections."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from tests.evidence._fixtures import NIEL_CI, NIEL_N2I, NIEL_STUDY

from clears._exceptions import ConvergenceError, InputError, StatisticalWarning
from clears.evidence import _metaprop as mp
from clears.evidence import leave_one_out, metaprop

MILLER = pd.DataFrame({"study": list("abcd"), "events": [3, 6, 10, 1], "n": [11, 17, 21, 6]})
NIEL = pd.DataFrame({"study": NIEL_STUDY, "events": NIEL_CI, "n": NIEL_N2I})


def test_pft_equal_effects_matches_miller_1978() -> None:
    # wviechtb/metafor tests/testthat/test_analysis_example_miller1978.r:
    # rma(yi, vi, method="EE") on escalc(measure="PFT"); predict(transf=x*2) 1.3093 and
    # predict(transf=transf.ipft.hm, targs=list(ni=dat$ni)) 0.3595.
    with pytest.warns(StatisticalWarning, match="Schwarzer"):
        res = metaprop(MILLER, measure="PFT", method="EE")
    o = res.overall
    assert o["estimate_t"] * 2 == pytest.approx(1.3093, abs=5e-5)
    assert o["estimate"] == pytest.approx(0.3595, abs=5e-5)
    assert res.measure == "PFT"
    assert any("harmonic mean" in note for note in res.notes)


def test_pft_back_transformed_ci_matches_metafor() -> None:
    # same metafor file: xi = 0, 4, 9, 16, 20; ni = 10, 10, 15, 20, 20; escalc(add=0),
    # rma(method="EE"), transf.ipft.hm: 0.6886 [0.5734, 0.7943]
    df = pd.DataFrame(
        {"study": list("abcde"), "events": [0, 4, 9, 16, 20], "n": [10, 10, 15, 20, 20]}
    )
    with pytest.warns(StatisticalWarning):
        o = metaprop(df, measure="PFT", method="EE").overall
    assert o["estimate"] == pytest.approx(0.6886, abs=5e-5)
    assert o["ci_low"] == pytest.approx(0.5734, abs=5e-5)
    assert o["ci_high"] == pytest.approx(0.7943, abs=5e-5)


@pytest.mark.slow
def test_logit_reml_and_glmm_match_stijnen_2010() -> None:
    # metafor test_analysis_example_stijnen2010.r: rma(measure="PLO", xi=ci, ni=n2i) ->
    # -3.30 (se .24), tau2 .663, ilogit .036 [.023, .055]; rma.glmm -> .029 [.018, .048]
    with pytest.warns(StatisticalWarning, match="continuity correction"):
        reml = metaprop(NIEL, method="REML").overall
    assert round(reml["estimate_t"], 2) == -3.30
    assert round(reml["tau2"], 3) == 0.663
    assert [round(reml[k], 3) for k in ("estimate", "ci_low", "ci_high")] == [
        0.036,
        0.023,
        0.055,
    ]
    glmm = metaprop(NIEL, method="GLMM")  # no continuity correction, so no warning
    o = glmm.overall
    assert [round(o[k], 3) for k in ("estimate", "ci_low", "ci_high")] == [0.029, 0.018, 0.048]
    assert glmm.studies["weight"].isna().all()


def test_study_rows_use_clopper_pearson() -> None:
    res = metaprop(MILLER, method="DL")
    for _, row in res.studies.iterrows():
        ci = stats.binomtest(int(row["events"]), int(row["n"])).proportion_ci(method="exact")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
    # scipy docs fixture: binomtest(k=7, n=50).proportion_ci() = (0.058192, 0.267396)
    one = metaprop(pd.DataFrame({"study": ["x", "y"], "events": [7, 8], "n": [50, 50]}))
    assert one.studies.loc[0, "ci_low"] == pytest.approx(0.05819170033997342)
    assert one.studies.loc[0, "ci_high"] == pytest.approx(0.26739600249700846)
    assert res.studies["weight"].sum() == pytest.approx(100.0)


def test_subgroups_and_test_for_differences() -> None:
    df = pd.DataFrame(
        {"study": list("abcdef"), "events": [9, 4, 15, 30, 12, 25], "n": [12, 10, 21, 40, 40, 60],
         "drug": ["len", "len", "len", "thal", "thal", "thal"]}
    )  # fmt: skip
    res = metaprop(df, method="DL", subgroup="drug")
    assert res.summary["group"].tolist() == ["overall", "len", "thal"]
    sub = res.summary.set_index("group")
    # Q_between by hand from the two subgroup estimates and SEs (inverse-variance, 1 df)
    th = sub.loc[["len", "thal"], "estimate_t"].to_numpy()
    w = 1 / sub.loc[["len", "thal"], "se_t"].to_numpy() ** 2
    qb = float(np.sum(w * (th - np.sum(w * th) / np.sum(w)) ** 2))
    assert res.subgroup_test is not None
    assert res.subgroup_test.q == pytest.approx(qb)
    assert res.subgroup_test.p_value == pytest.approx(stats.chi2.sf(qb, 1))
    # each subgroup equals metaprop run on that subgroup alone
    alone = metaprop(df[df["drug"] == "len"], method="DL").overall
    assert sub.loc["len", "estimate"] == pytest.approx(alone["estimate"])
    d = res.to_dict()
    assert {"estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low",
            "pi_high", "method", "measure", "studies"} <= set(d)  # fmt: skip
    assert d["subgroup_test"]["df"] == 1
    assert "Test for subgroup differences" in res.to_text()


def test_leave_one_out_matches_refits() -> None:
    loo = leave_one_out(MILLER, method="REML")
    assert loo["omitted"].tolist() == list("abcd")
    again = metaprop(MILLER.iloc[1:], method="REML").overall
    assert loo.loc[0, "estimate"] == pytest.approx(again["estimate"])
    assert (loo["k"] == 3).all()


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("method", ["EE", "DL", "PM", "ML", "REML", "GLMM"])
def test_every_method_reports_itself_and_every_count_matters(method: str) -> None:
    base = metaprop(MILLER, method=method)
    assert base.method == method
    for i in range(4):
        changed = MILLER.copy()
        changed.loc[i, "events"] += 1
        assert metaprop(changed, method=method).overall["estimate"] != base.overall["estimate"]


def test_input_is_not_mutated() -> None:
    before = MILLER.copy()
    metaprop(MILLER, method="DL", subgroup=None)
    pd.testing.assert_frame_equal(MILLER, before)


def test_rejections_list_every_problem() -> None:
    bad = pd.DataFrame(
        {"study": ["a", "b", "c", "a"], "events": [5, -1, 3.5, 2], "n": [4, 10, 0, 5]}
    )
    with pytest.raises(InputError) as err:
        metaprop(bad, file="x.csv")
    text = str(err.value)
    assert "x.csv, row 1: events: exceeds n (4)" in text
    assert "row 2: events: negative" in text
    assert "row 3: events: not a whole number" in text
    assert "row 3: n: must be at least 1" in text
    with pytest.raises(InputError, match="events: column is missing"):
        metaprop(pd.DataFrame({"study": ["a"], "n": [3]}))
    with pytest.raises(InputError, match="duplicated study label"):
        metaprop(pd.DataFrame({"study": ["a", "a"], "events": [1, 2], "n": [3, 3]}))
    with pytest.raises(InputError, match="method: unknown option"):
        metaprop(MILLER, method="HS")
    with pytest.raises(InputError, match="measure: unknown option"):
        metaprop(MILLER, measure="PAS")
    with pytest.raises(InputError, match="confidence: out of range"):
        metaprop(MILLER, confidence=95)
    with pytest.raises(InputError, match="no studies"):
        metaprop(MILLER.iloc[0:0])
    with pytest.raises(InputError, match="undefined on this scale"):
        metaprop(pd.DataFrame({"study": ["a", "b"], "events": [0, 3], "n": [5, 6]}), to="none")


def test_no_silent_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    from clears.evidence._rma import pool as real_pool

    def reml_fails(yi: object, vi: object, method: object, *, confidence: float) -> object:
        if str(method) == "REML":
            raise ConvergenceError("forced non-convergence")
        return real_pool(yi, vi, method, confidence=confidence)  # type: ignore[arg-type]

    monkeypatch.setattr(mp, "pool", reml_fails)
    with pytest.raises(ConvergenceError, match="fallback"):
        metaprop(MILLER, method="REML")
    with pytest.warns(StatisticalWarning, match="fell back to DL"):
        res = metaprop(MILLER, method="REML", fallback="DL")
    assert (res.method, res.method_requested) == ("DL", "REML")
    assert any("did not converge" in note for note in res.notes)


def test_single_study_warns() -> None:
    with pytest.warns(StatisticalWarning, match="single study"):
        res = metaprop(MILLER.iloc[:1], method="REML")
    assert res.overall["k"] == 1


@pytest.mark.slow
def test_glmm_ignores_measure_and_uses_no_correction() -> None:
    df = pd.DataFrame({"study": list("abc"), "events": [0, 5, 9], "n": [10, 10, 10]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = metaprop(df, method="GLMM", measure="PR")
    assert res.measure == "PLO"
