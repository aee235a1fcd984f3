"""Cox models and the proportional-hazards test against R (tests/reference/survival.json).

Expected values: R's ``coxph`` (coefficients, standard errors, hazard-ratio CI, z, p, the
log-likelihood and the likelihood-ratio, Wald and score tests, the iteration count) and
``cox.zph`` (score test per covariate and GLOBAL, transforms km, identity, rank, log), R
4.2.2 and survival 3.5.3 when written; the call is in each case (``case["call"]``).
Datasets: survival::lung (1 and 2 numeric covariates), aml (one categorical), veteran
(Karnofsky score + 4-level cell type) and a synthetic heavily tied set (age + 3-level
smoking), with Efron and Breslow ties.

Tolerance: R writes 15 significant digits; the same Newton–Raphson path agrees to about
1e-13, so rtol 1e-9 leaves room for another BLAS only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.reference._fixtures import dataset, load, numbers

from clears import InputError, StatisticalWarning
from clears.analysis import CoxResult, cox_ph

RTOL = 1e-9
CASES = load("survival")["cox"]


def _id(case: dict[str, Any]) -> str:
    return f"{case['data']}-{'+'.join(case['covariates'])}-{case['ties']}"


def _close(ours: Any, theirs: Any, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(ours, dtype=float), numbers(theirs), rtol=RTOL, atol=1e-300, err_msg=what
    )


def _fit(case: dict[str, Any], transform: str = "km") -> CoxResult:
    with _WarnsWhenFewEvents(case):
        return cox_ph(
            dataset(case["data"]),
            duration="time",
            event="status",
            covariates=case["covariates"],
            ties=case["ties"],
            ph_transform=transform,
        )


class _WarnsWhenFewEvents:
    """Expect the few-events warning exactly when R's fit has < 10 events per coefficient."""

    def __init__(self, case: dict[str, Any]) -> None:
        self.few = case["events"] < 10 * len(case["term"])
        self.inner: Any = None

    def __enter__(self) -> None:
        if self.few:
            self.inner = pytest.warns(StatisticalWarning, match="fewer than 10 events")
            self.inner.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.inner is not None:
            self.inner.__exit__(*exc)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_coefficients_match_coxph(case: dict[str, Any]) -> None:
    # R: summary(coxph(...))$coefficients and $conf.int: coef, se(coef), exp(coef), z,
    # Pr(>|z|), lower .95, upper .95; categorical levels as R names them after the term.
    fit = _fit(case)
    s = fit.summary
    assert [name.replace("=", "") for name in s["covariate"]] == case["term"]
    for ours, theirs in (
        ("coef", "coef"),
        ("se", "se"),
        ("hazard_ratio", "hazard_ratio"),
        ("ci_low", "ci_low"),
        ("ci_high", "ci_high"),
        ("z", "z"),
        ("p_value", "p"),
    ):
        _close(s[ours], case[theirs], f"{case['call']} {ours}")
    assert (fit.n, fit.events) == (case["n"], case["events"])
    assert fit.iterations == case["iterations"]
    assert case["ties"].capitalize() in fit.method


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_loglik_and_global_tests_match_coxph(case: dict[str, Any]) -> None:
    # R: fit$loglik (at beta = 0 and at the estimate); summary(fit)$logtest, fit$wald.test,
    # fit$score with their df and pchisq p-values.
    fit = _fit(case)
    _close(fit.loglik, case["loglik"], "loglik")
    for name in ("likelihood_ratio", "wald", "score"):
        test = getattr(fit, name)
        assert test is not None
        expected = case[name]
        _close(
            [test.statistic, test.df, test.p_value],
            [expected["statistic"], expected["df"], expected["p"]],
            f"{case['call']} {name}",
        )
        assert test.statistic_name == "chi2"


@pytest.mark.parametrize(
    ("case", "zph"),
    [(case, zph) for case in CASES for zph in case["zph"]],
    ids=[f"{_id(case)}-{zph['transform']}" for case in CASES for zph in case["zph"]],
)
def test_ph_test_matches_cox_zph(case: dict[str, Any], zph: dict[str, Any]) -> None:
    # R: cox.zph(fit, transform = ...)$table: chisq, df, p per term (a categorical term on
    # as many df as levels - 1) and GLOBAL.
    fit = _fit(case, zph["transform"])
    table = fit.ph_test
    assert table["covariate"].tolist() == zph["term"]
    assert table["df"].tolist() == zph["df"]
    _close(table["statistic"], zph["chisq"], f"{case['call']} {zph['transform']} chisq")
    _close(table["p_value"], zph["p"], f"{case['call']} {zph['transform']} p")
    assert set(table["transform"]) == {zph["transform"]}
    assert f"g = {zph['transform']}" in fit.method


def test_categorical_reference_level_and_pandas_categories() -> None:
    # veteran celltype: levels adeno, large, smallcell, squamous (R's factor order);
    # reference adeno. A pandas Categorical with another order changes the reference.
    case = next(c for c in CASES if c["data"] == "veteran")
    fit = _fit(case)
    assert fit.references == {"celltype": "adeno"}
    data = dataset("veteran")
    data["celltype"] = pd.Categorical(
        data["celltype"], categories=["squamous", "smallcell", "adeno", "large"]
    )
    other = cox_ph(data, duration="time", event="status", covariates=["karno", "celltype"])
    assert other.references == {"celltype": "squamous"}
    assert other.summary["covariate"].tolist()[1:] == [
        "celltype=smallcell",
        "celltype=adeno",
        "celltype=large",
    ]
    # The model is the same: same log-likelihood and Karnofsky coefficient as R's.
    _close(other.loglik, case["loglik"], "loglik")
    _close(other.summary["coef"].iloc[0], case["coef"][0], "karno")


def test_numpy_integers_accepted() -> None:
    # lung ~ sex with NumPy int16 durations, uint8 events and int64 sex: R's numbers.
    case = next(c for c in CASES if c["data"] == "lung" and c["covariates"] == ["sex"])
    lung = dataset("lung")
    typed = pd.DataFrame(
        {
            "time": lung["time"].to_numpy(dtype=np.int16),
            "status": lung["status"].to_numpy(dtype=np.uint8),
            "sex": lung["sex"].to_numpy(dtype=np.int64),
        }
    )
    fit = cox_ph(typed, duration="time", event="status", covariates=np.array(["sex"]).tolist())
    _close(fit.summary["coef"], case["coef"], "coef")
    assert isinstance(fit.n, int)
    assert isinstance(fit.events, int)


def test_object_column_of_numbers_is_numeric() -> None:
    # lung age as Python ints in an object column: the same model as R's age + sex fit.
    case = next(c for c in CASES if c["covariates"] == ["age", "sex"] and c["ties"] == "efron")
    lung = dataset("lung")
    lung["age"] = pd.Series([int(v) for v in lung["age"]], dtype=object)
    fit = cox_ph(lung, duration="time", event="status", covariates=["age", "sex"])
    assert fit.summary["covariate"].tolist() == ["age", "sex"]
    _close(fit.summary["coef"], case["coef"], "coef")


def test_boolean_events_and_missing_rows() -> None:
    # lung ~ age + sex has 228 rows, none missing in these columns; ph.ecog has one missing:
    # R's coxph(Surv(time, status) ~ ph.ecog) uses 227 (na.omit).
    lung = dataset("lung").assign(status=lambda d: d["status"] == 1)
    fit = cox_ph(lung, duration="time", event="status", covariates=["ph_ecog"])
    assert fit.n == 227


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"x": [1] * 8}, "x", "one value"),
        ({"g": ["a"] * 8}, "g", "one level"),
        ({"e": [0] * 8}, "e", "no events"),
        ({"t": [1, 2, 3, -4, 5, 6, 7, 8]}, "t", ">= 0"),
        ({"e": [1, 0, 2, 1, 0, 1, 1, 0]}, "e", "0/1"),
    ],
)
def test_bad_input_names_field(change: dict[str, list[Any]], field: str, message: str) -> None:
    base = pd.DataFrame(
        {
            "t": [1, 2, 3, 4, 5, 6, 7, 8],
            "e": [1, 0, 1, 1, 0, 1, 1, 0],
            "x": [0, 1, 0, 1, 1, 0, 1, 0],
            "g": list("abababab"),
        }
    )
    covariates = ["g"] if "g" in change else ["x"]
    with pytest.raises(InputError, match=message) as info:
        cox_ph(base.assign(**change), duration="t", event="e", covariates=covariates)
    assert info.value.problems[0].field == field


def test_collinear_covariates_refused() -> None:
    df = pd.DataFrame({"t": np.arange(1, 31), "e": [1, 0, 1] * 10, "x": np.arange(30) % 4}).assign(
        y=lambda d: 2 * d["x"]
    )
    with pytest.raises(InputError, match="collinear"):
        cox_ph(df, duration="t", event="e", covariates=["x", "y"])


def test_unknown_options_refused() -> None:
    df = dataset("aml")
    with pytest.raises(InputError, match="unknown option"):
        cox_ph(df, duration="time", event="status", covariates=["x"], ties="exact")
    with pytest.raises(InputError, match="unknown option"):
        cox_ph(df, duration="time", event="status", covariates=["x"], ph_transform="hazard")


def test_monotone_likelihood_warns_infinite_coefficient() -> None:
    # Every event in group 1 comes before every time in group 0: the partial likelihood
    # rises without bound in beta, and R warns "Loglik converged before variable 1;
    # coefficient may be infinite" (survival's coxph.fit, toler.inf = sqrt(eps)).
    df = pd.DataFrame(
        {
            "t": np.arange(1, 41),
            "e": [1] * 20 + [0, 1] * 10,
            "x": [1] * 20 + [0] * 20,
        }
    )
    with pytest.warns(StatisticalWarning, match="may be infinite"):
        fit = cox_ph(df, duration="t", event="e", covariates=["x"])
    # R 4.2.2, survival 3.5.3: coef(fit) 21.75381, fit$iter 19, sqrt(fit$var) 6240.928
    assert fit.summary.loc[0, "coef"] == pytest.approx(21.75381, abs=1e-5)
    assert fit.iterations == 19
    assert fit.summary.loc[0, "se"] == pytest.approx(6240.928, abs=1e-3)
    assert fit.summary.loc[0, "ci_high"] == np.inf
