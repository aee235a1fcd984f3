"""Tests for clears.analysis.survival against R survival outputs printed in public docs."""

import math

import numpy as np
import pandas as pd
import pytest

from clears import InputError, StatisticalWarning
from clears.analysis.survival import cox_ph, kaplan_meier, log_rank

# R survival::aml, Maintained arm (Embury et al. 1977; data as printed in R's ?aml and
# rpubs.com 610133): 9, 13, 13+, 18, 23, 28+, 31, 34, 45+, 48, 161+.
AML_MAINTAINED = pd.DataFrame(
    {
        "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
        "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0],
    }
)


def _lung() -> pd.DataFrame:
    from lifelines.datasets import load_lung  # R survival::lung, shipped by lifelines

    return load_lung()


def test_aml_maintained_matches_r_summary_survfit() -> None:
    # R: summary(survfit(Surv(time, status) ~ x, data = aml)), x = Maintained
    # (printed at rstudio-pubs-static ... 610133): time n.risk n.event survival std.err lower upper
    #  9 11 1 0.909 0.0867 0.7541 1.000 / 13 10 1 0.818 0.1163 0.6192 1.000 /
    # 18 8 1 0.716 0.1397 0.4884 1.000 / 23 7 1 0.614 0.1526 0.3769 0.999 /
    # 31 5 1 0.491 0.1642 0.2549 0.946
    km = kaplan_meier(AML_MAINTAINED, duration="time", event="status")
    t = km.table.set_index("time")
    expected = {
        9: (11, 0.909, 0.0867, 0.7541, 1.000),
        13: (10, 0.818, 0.1163, 0.6192, 1.000),
        18: (8, 0.716, 0.1397, 0.4884, 1.000),
        23: (7, 0.614, 0.1526, 0.3769, 0.999),
        31: (5, 0.491, 0.1642, 0.2549, 0.946),
    }
    for time, (n_risk, surv, se, low, high) in expected.items():
        row = t.loc[float(time)]
        assert row["n_risk"] == n_risk
        assert round(row["survival"], 3) == surv
        assert round(row["std_err"], 4) == se
        assert round(row["ci_low"], 4) == low
        assert round(row["ci_high"], 3) == high
    # R print(survfit(...)): x=Maintained n 11 events 7 median 31 0.95LCL 18 0.95UCL NA
    med = km.medians.iloc[0]
    assert (med["n"], med["events"], med["median"], med["ci_low"]) == (11, 7, 31.0, 18.0)
    assert math.isnan(med["ci_high"])
    assert "log (R survfit default)" in km.method


@pytest.mark.slow
def test_lung_by_sex_matches_r() -> None:
    # R: summary(survfit(Surv(time, status) ~ sex, data = lung)) (drkim.quarto.pub):
    # sex=1: time 11 n.risk 138 n.event 3 survival 0.9783 std.err 0.0124 CI 0.9542-1.000;
    # time 163 n.risk 100 n.event 3 survival 0.7029 std.err 0.0389 CI 0.6306-0.783
    km = kaplan_meier(_lung(), duration="time", event="status", group="sex")
    male = km.table[km.table["group"] == 1].set_index("time")
    assert male.loc[11.0, ["n_risk", "n_event"]].tolist() == [138, 3]
    assert round(male.loc[11.0, "survival"], 4) == 0.9783
    assert round(male.loc[11.0, "std_err"], 4) == 0.0124
    assert round(male.loc[11.0, "ci_low"], 4) == 0.9542
    assert round(male.loc[163.0, "survival"], 4) == 0.7029
    assert round(male.loc[163.0, "ci_low"], 4) == 0.6306
    assert round(male.loc[163.0, "ci_high"], 3) == 0.783
    # R print(survfit(Surv(time, status) ~ sex, lung)): sex=1 138 112 270 212 310;
    # sex=2 90 53 426 348 550 (survival package docs and tutorials).
    medians = km.medians.set_index("group")
    assert medians.loc[1, ["n", "events", "median", "ci_low", "ci_high"]].tolist() == [
        138,
        112,
        270.0,
        212.0,
        310.0,
    ]
    assert medians.loc[2, ["median", "ci_low", "ci_high"]].tolist() == [426.0, 348.0, 550.0]


def test_log_log_matches_lifelines() -> None:
    # lifelines KaplanMeierFitter.confidence_interval_ (exponential Greenwood) as reference.
    from lifelines import KaplanMeierFitter

    df = _lung()
    km = kaplan_meier(df, duration="time", event="status", conf_type="log-log")
    ref = KaplanMeierFitter().fit(df["time"], df["status"]).confidence_interval_
    ref = ref.loc[km.table["time"]]
    np.testing.assert_allclose(km.table["ci_low"], ref.iloc[:, 0], rtol=1e-9)
    np.testing.assert_allclose(km.table["ci_high"], ref.iloc[:, 1], rtol=1e-9)


def test_median_midpoint_and_first_rules() -> None:
    # 4 uncensored times 1..4: S = 0.75, 0.5, 0.25, 0; R midpoint rule -> (2 + 3) / 2 = 2.5;
    # lifelines rule (first S <= 0.5) -> 2.
    df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 1, 1]})
    assert kaplan_meier(df, duration="t", event="e").medians.loc[0, "median"] == 2.5
    first = kaplan_meier(df, duration="t", event="e", median_rule="first")
    assert first.medians.loc[0, "median"] == 2.0


def test_median_flat_at_end_print_and_quantile_rules() -> None:
    # times 1, 2 events, then 3+, 4+ censored: S = 0.75, 0.5 flat to the end (4).
    # R 4.2.2, survival 3.5.3: print(survfit(Surv(time, status) ~ 1)) median 2 (start of the
    # stretch, survmean's rule); quantile(fit, 0.5) 3 (midpoint of [2, 4]).
    df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 0, 0]})
    assert kaplan_meier(df, duration="t", event="e").medians.loc[0, "median"] == 2.0
    quantile = kaplan_meier(df, duration="t", event="e", median_rule="quantile")
    assert quantile.medians.loc[0, "median"] == 3.0


def test_at_risk() -> None:
    km = kaplan_meier(AML_MAINTAINED, duration="time", event="status")
    # durations >= 0: all 11; >= 12: 13,13,18,23,28,31,34,45,48,161 = 10; >= 30: 5; >= 100: 1
    assert km.at_risk([0, 12, 30, 100])["n_risk"].tolist() == [11, 10, 5, 1]


def test_lung_log_rank_matches_r_survdiff() -> None:
    # R: survdiff(Surv(time, status) ~ sex, lung): Chisq = 10.3267 on 1 df, p = 0.00131116
    res = log_rank(_lung(), duration="time", event="status", group="sex")
    assert res.statistic == pytest.approx(10.3267, abs=1e-4)
    assert res.p_value == pytest.approx(0.00131116, rel=1e-4)
    assert res.df == 1


def test_lung_cox_matches_r_coxph() -> None:
    # R: coxph(Surv(time, status) ~ sex, lung): coef -0.5310, exp(coef) 0.5880,
    # se 0.1672, p 0.00149, 95 % CI 0.4237-0.8160 (survival package tutorials).
    res = cox_ph(_lung(), duration="time", event="status", covariates=["sex"])
    row = res.summary.iloc[0]
    assert row["coef"] == pytest.approx(-0.5310, abs=1e-4)
    assert row["hazard_ratio"] == pytest.approx(0.5880, abs=1e-4)
    assert row["se"] == pytest.approx(0.1672, abs=1e-4)
    assert row["p_value"] == pytest.approx(0.00149, abs=1e-5)
    assert (round(row["ci_low"], 4), round(row["ci_high"], 3)) == (0.4237, 0.816)
    assert (res.n, res.events) == (228, 165)
    # cox.zph(fit): one row per covariate and GLOBAL (values: tests/analysis/test_cox.py)
    assert res.ph_test["covariate"].tolist() == ["sex", "GLOBAL"]
    assert "Efron" in res.method


def test_cox_few_events_warns() -> None:
    df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 0, 1, 1, 0, 1], "x": [0, 1, 0, 1, 1, 0]})
    with pytest.warns(StatisticalWarning, match="fewer than 10 events"):
        cox_ph(df, duration="t", event="e", covariates=["x"])


@pytest.mark.parametrize(
    ("frame", "field"),
    [
        (pd.DataFrame({"t": [-1, 2], "e": [1, 1]}), "t"),
        (pd.DataFrame({"t": [1, 2], "e": [1, 2]}), "e"),
    ],
)
def test_rejections(frame: pd.DataFrame, field: str) -> None:
    with pytest.raises(InputError) as info:
        kaplan_meier(frame, duration="t", event="e")
    assert info.value.problems[0].field == field


def test_unknown_conf_type_and_single_group() -> None:
    with pytest.raises(InputError, match="unknown option"):
        kaplan_meier(AML_MAINTAINED, duration="time", event="status", conf_type="plain")
    with pytest.raises(InputError, match="two groups"):
        log_rank(AML_MAINTAINED.assign(g="a"), duration="time", event="status", group="g")
