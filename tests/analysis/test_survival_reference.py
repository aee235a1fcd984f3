"""Kaplan–Meier, survival at chosen times and log-rank against R (tests/reference/survival.json).

Every expected number was computed by R's survival package (R 4.2.2, survival 3.5.3 when
written) with the call recorded beside it in the fixture (``case["call"]``); regenerate
with ``Rscript tests/reference/survival.R``. Datasets: survival::aml, lung, veteran and
small synthetic sets (heavily tied times, a median not reached, curves flat at 0.5).

Tolerance: R writes 15 significant digits and the arithmetic is the same, so values agree
to rtol 1e-10 (counts exactly); NA in R is NaN here.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.reference._fixtures import dataset, load, numbers

from clears import StatisticalWarning
from clears.analysis import kaplan_meier, log_rank, survival_at

RTOL = 1e-10
REF = load("survival")
KM_CASES = REF["kaplan_meier"]
LOG_RANK_CASES = REF["log_rank"]


def _id(case: dict[str, Any]) -> str:
    return f"{case['data']}-{case['group'] or 'all'}-{case['conf_type']}"


def _close(ours: Any, theirs: Any, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(ours, dtype=float), numbers(theirs), rtol=RTOL, atol=1e-14, err_msg=what
    )


def _groups(values: pd.Series) -> list[str]:
    return [str(v) for v in values]


@pytest.mark.parametrize("case", KM_CASES, ids=_id)
def test_curve_matches_survfit(case: dict[str, Any]) -> None:
    # R: survfit(Surv(time, status) ~ group, conf.type = ...): time, n.risk, n.event,
    # n.censor, surv, surv * std.err (summary's std.err), lower, upper.
    km = kaplan_meier(
        dataset(case["data"]),
        duration="time",
        event="status",
        group=case["group"],
        conf_type=case["conf_type"],
    )
    expected = case["curve"]
    assert _groups(km.table["group"]) == expected["group"]
    for column in ("n_risk", "n_event", "n_censor"):
        assert km.table[column].tolist() == expected[column], column
    for column in ("time", "survival", "std_err", "ci_low", "ci_high"):
        _close(km.table[column], expected[column], f"{case['call']} {column}")


@pytest.mark.parametrize("case", KM_CASES, ids=_id)
def test_median_matches_print_survfit(case: dict[str, Any]) -> None:
    # R: print(survfit(...)) / summary(fit)$table: records, events, median, 0.95LCL, 0.95UCL
    # (NA when the curve or band never reaches 0.5), for both conf.type "log" and "log-log".
    km = kaplan_meier(
        dataset(case["data"]),
        duration="time",
        event="status",
        group=case["group"],
        conf_type=case["conf_type"],
    )
    expected = case["medians"]
    assert _groups(km.medians["group"]) == expected["group"]
    assert km.medians["n"].tolist() == expected["n"]
    assert km.medians["events"].tolist() == expected["events"]
    for column in ("median", "ci_low", "ci_high"):
        _close(km.medians[column], expected[column], f"{case['call']} {column}")


@pytest.mark.parametrize("case", KM_CASES, ids=_id)
def test_median_matches_quantile_survfit(case: dict[str, Any]) -> None:
    # R: quantile(fit, 0.5): quantile, lower, upper.
    km = kaplan_meier(
        dataset(case["data"]),
        duration="time",
        event="status",
        group=case["group"],
        conf_type=case["conf_type"],
        median_rule="quantile",
    )
    for column in ("median", "ci_low", "ci_high"):
        _close(km.medians[column], case["quantile_medians"][column], column)


def test_fixture_covers_the_cases_asked_for() -> None:
    # A median not reached, an upper limit NA with a median reached, a curve flat at 0.5,
    # a curve falling to 0 with its upper limit NA.
    medians = {(c["data"], c["conf_type"]): c["medians"] for c in KM_CASES}
    assert medians[("not_reached", "log")]["median"] == [None]
    aml = medians[("aml", "log")]
    assert aml["median"][0] is not None
    assert aml["ci_high"][0] is None
    assert medians[("flat", "log")]["median"] == [2.5]  # (2 + 3) / 2
    # S reaches 0 at 5 with the upper band above 0.5 until then: R prints UCL NA.
    falls = medians[("falls_to_zero", "log")]
    assert (falls["median"], falls["ci_low"], falls["ci_high"]) == ([5], [3], [None])


@pytest.mark.parametrize("case", KM_CASES, ids=_id)
def test_survival_at_matches_summary_times(case: dict[str, Any]) -> None:
    # R: summary(fit, times = case$times): time, n.risk, n.event, surv, std.err, lower,
    # upper; times after a group's last follow-up are left out (extend = FALSE).
    data = dataset(case["data"])
    last = (
        data["time"].max()
        if case["group"] is None
        else data.groupby(case["group"])["time"].max().min()
    )
    with warnings.catch_warnings():
        if max(case["times"]) > last:
            warnings.simplefilter("ignore", StatisticalWarning)
        at = survival_at(
            data,
            duration="time",
            event="status",
            times=case["times"],
            group=case["group"],
            conf_type=case["conf_type"],
        )
    expected = case["at_times"]
    assert _groups(at["group"]) == expected["group"]
    assert at["n_risk"].tolist() == expected["n_risk"]
    assert at["n_event"].tolist() == expected["n_event"]
    for column in ("time", "survival", "std_err", "ci_low", "ci_high"):
        _close(at[column], expected[column], f"{case['call']} {column}")
    assert "Kaplan-Meier" in at.attrs["method"]


@pytest.mark.parametrize("case", KM_CASES, ids=_id)
def test_survival_at_extend_matches_summary_times_extend(case: dict[str, Any]) -> None:
    # R: summary(fit, times = case$times, extend = TRUE): every time kept, n.risk 0 after
    # the last follow-up.
    at = survival_at(
        dataset(case["data"]),
        duration="time",
        event="status",
        times=case["times"],
        group=case["group"],
        conf_type=case["conf_type"],
        extend=True,
    )
    expected = case["at_times_extended"]
    assert _groups(at["group"]) == expected["group"]
    assert at["n_risk"].tolist() == expected["n_risk"]
    assert at["n_event"].tolist() == expected["n_event"]
    for column in ("time", "survival", "std_err", "ci_low", "ci_high"):
        _close(at[column], expected[column], f"{case['call']} {column}")


def test_survival_at_warns_past_follow_up() -> None:
    # aml Maintained ends at 161, Nonmaintained at 45: t = 100 is past the latter, which
    # R's summary(fit, times = 100) leaves out.
    with pytest.warns(StatisticalWarning, match="Nonmaintained: 100"):
        at = survival_at(dataset("aml"), duration="time", event="status", times=[100], group="x")
    assert at["group"].tolist() == ["Maintained"]


@pytest.mark.parametrize("case", LOG_RANK_CASES, ids=lambda c: f"{c['data']}-{c['group']}")
def test_log_rank_matches_survdiff(case: dict[str, Any]) -> None:
    # R: survdiff(Surv(time, status) ~ group): chisq, df, p = pchisq(chisq, df, lower = F);
    # 2 groups (aml, lung), 3 groups (tied, synthetic) and 4 (veteran celltype).
    res = log_rank(dataset(case["data"]), duration="time", event="status", group=case["group"])
    _close([res.statistic, res.df, res.p_value], [case["chisq"], case["df"], case["p"]], "test")
    assert list(res.n) == case["n"]
    for note, level, observed in zip(res.notes, case["levels"], case["observed"], strict=True):
        assert note.startswith(f"{level}: observed {observed:g},")
    assert "survdiff" in res.method


def test_numpy_integers_accepted() -> None:
    # The same aml data as NumPy int8/uint16/int64 columns and NumPy scalars for the times:
    # identical results to Python ints (R's values are in the fixture: aml, conf.type log).
    aml = dataset("aml")
    typed = pd.DataFrame(
        {
            "time": aml["time"].to_numpy(dtype=np.uint16),
            "status": aml["status"].to_numpy(dtype=np.int8),
            "x": np.where(aml["x"] == "Maintained", np.int64(1), np.int64(0)),
        }
    )
    km = kaplan_meier(typed, duration="time", event="status", group="x")
    case = next(c for c in KM_CASES if c["data"] == "aml" and c["conf_type"] == "log")
    by_group = km.medians.set_index("group")
    _close(by_group.loc[1, "median"], case["medians"]["median"][0], "Maintained median")
    assert isinstance(km.medians["group"].tolist()[0], int)
    at = survival_at(typed, duration="time", event="status", group="x", times=np.array([12, 30]))
    assert at["time"].tolist() == [12.0, 30.0, 12.0, 30.0]
    # durations >= 12: Nonmaintained (x = 0) 12, 16, 23, 27, 30, 33, 43, 45 = 8;
    # Maintained (x = 1) 13, 13, 18, 23, 28, 31, 34, 45, 48, 161 = 10
    assert km.at_risk([np.int64(12)])["n_risk"].tolist() == [8, 10]
    single = kaplan_meier(typed, duration="time", event="status", confidence=np.float32(0.95))
    plain = kaplan_meier(aml, duration="time", event="status", confidence=0.95)
    pd.testing.assert_frame_equal(single.table, plain.table)
    res = log_rank(typed, duration="time", event="status", group="x")
    lr = next(c for c in LOG_RANK_CASES if c["data"] == "aml")
    _close(res.statistic, lr["chisq"], "chisq")
