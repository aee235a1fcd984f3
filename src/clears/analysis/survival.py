"""Kaplan–Meier, log-rank and Cox proportional hazards (lifelines underneath, imported lazily).

Kaplan–Meier confidence intervals use Greenwood's variance, with two transforms:

* ``conf_type="log"`` — R ``survfit``'s default: S·exp(±z·σ), σ² = Σ d/(n(n−d)), upper
  limit capped at 1;
* ``conf_type="log-log"`` — lifelines' default ("exponential Greenwood"):
  S^exp(±z·σ/log S).

The median and its CI follow R ``quantile.survfit``: the median is the first time the curve
is below 0.5; if the curve is exactly 0.5 (within 1.5e-8) over a flat stretch, the midpoint of
that stretch (to the last follow-up time when it is the end of the curve). The lower CI limit
applies the same rule to the lower band and the upper limit to the upper band; a band that
never falls to 0.5 gives NaN (R prints NA). ``median_rule="first"`` gives lifelines'
``median_survival_times`` instead (first time at or below 0.5, no midpoint).

References
----------
Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-81. doi:10.1080/01621459.1958.10501452
Greenwood M. Reports on Public Health and Medical Subjects 33, HMSO 1926.
Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics
1982;38:29-41. doi:10.2307/2530286
Mantel N. Cancer Chemother Rep 1966;50:163-70 (log-rank).
Cox DR. J R Stat Soc B 1972;34:187-220 (proportional hazards); Efron B. J Am Stat Assoc
1977;72:557-65 (ties); Grambsch PM, Therneau TM. Biometrika 1994;81:515-26.
doi:10.1093/biomet/81.3.515 (proportional-hazards test).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from clears._exceptions import ConvergenceError, InputError, Problem, StatisticalWarning
from clears.analysis._results import ComparisonResult
from clears.analysis._validation import check_confidence, require_columns, require_option

__all__ = ["CoxResult", "KaplanMeierResult", "cox_ph", "kaplan_meier", "log_rank"]

_T = TypeVar("_T")
_TOL = 1.5e-8  # R quantile.survfit: sqrt(.Machine$double.eps)


@contextmanager
def _quiet_lifelines() -> Iterator[None]:
    """Drop pandas deprecation noise raised inside lifelines; re-issue its real warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        if issubclass(w.category, DeprecationWarning | FutureWarning):
            continue
        warnings.warn(str(w.message), StatisticalWarning, stacklevel=3)


def _lifelines(call: Callable[[], _T]) -> _T:
    from lifelines.exceptions import ConvergenceError as LifelinesConvergenceError

    try:
        with _quiet_lifelines():
            return call()
    except LifelinesConvergenceError as exc:
        raise ConvergenceError(f"lifelines did not converge: {exc}") from exc


def _survival_frame(
    data: pd.DataFrame, duration: str, event: str, extra: Sequence[str]
) -> pd.DataFrame:
    require_columns(data, [duration, event, *extra], "data")
    frame = data[[duration, event, *extra]].dropna()
    problems = []
    times = pd.to_numeric(frame[duration], errors="coerce")
    if times.isna().any() or (times < 0).any():
        problems.append(Problem(duration, None, "durations must be numbers >= 0", ">= 0"))
    events = frame[event]
    if not events.isin([0, 1, True, False]).all():
        bad = events[~events.isin([0, 1, True, False])].iloc[0]
        problems.append(Problem(event, bad, "event indicator must be 0/1 or boolean", "0, 1"))
    if frame.empty:
        problems.append(Problem(duration, None, "no complete rows", ">= 1 row"))
    if problems:
        raise InputError(problems)
    out = frame.copy()
    out[duration] = times.astype(float)
    out[event] = events.astype(int)
    return out


def _first_below(
    times: npt.NDArray[np.float64], curve: npt.NDArray[np.float64], end: float, rule: str
) -> float:
    """Time at which a step curve (value after each time) crosses 0.5."""
    if rule == "first":
        hit = np.nonzero(curve <= 0.5)[0]
        return float(times[hit[0]]) if hit.size else math.nan
    flat = np.nonzero(np.abs(curve - 0.5) < _TOL)[0]
    below = np.nonzero(curve < 0.5 - _TOL)[0]
    if flat.size:
        start = float(times[flat[0]])
        later = below[below > flat[0]]
        stop = float(times[later[0]]) if later.size else end
        return (start + stop) / 2
    return float(times[below[0]]) if below.size else math.nan


@dataclass(frozen=True)
class KaplanMeierResult:
    """Kaplan–Meier estimate(s).

    Attributes
    ----------
    table
        One row per group and distinct event time: ``group``, ``time``, ``n_risk``,
        ``n_event``, ``n_censor``, ``survival``, ``std_err`` (of S, Greenwood), ``ci_low``,
        ``ci_high``.
    medians
        One row per group: ``group``, ``n``, ``events``, ``median``, ``ci_low``, ``ci_high``.
    method
        Estimator, CI transform, level and median rule.
    durations
        The durations used, per group (for :meth:`at_risk`).
    """

    table: pd.DataFrame
    medians: pd.DataFrame
    method: str

    durations: Mapping[Any, npt.NDArray[np.float64]] = field(default_factory=dict, repr=False)

    def at_risk(self, times: Sequence[float]) -> pd.DataFrame:
        """Numbers at risk at each of ``times`` (patients with duration >= t), per group.

        Counted at the start of each time (R ``summary(fit, times=)`` ``n.risk``).
        """
        rows = [
            {"group": group, "time": t, "n_risk": int((values >= t).sum())}
            for group, values in self.durations.items()
            for t in times
        ]
        return pd.DataFrame(rows)


def _km_one(
    durations: npt.NDArray[np.float64],
    events: npt.NDArray[np.int64],
    z: float,
    conf_type: str,
    rule: str,
) -> tuple[pd.DataFrame, dict[str, float]]:
    from lifelines import KaplanMeierFitter

    fitter = _lifelines(lambda: KaplanMeierFitter().fit(durations, events))
    table = fitter.event_table
    table = table[table.index > 0] if 0.0 not in durations else table
    times = table.index.to_numpy(dtype=float)
    n_risk = table["at_risk"].to_numpy(dtype=float)
    n_event = table["observed"].to_numpy(dtype=float)
    surv = np.cumprod(1 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        var_log = np.cumsum(terms)
        sigma = np.sqrt(var_log)
        if conf_type == "log":
            low = surv * np.exp(-z * sigma)
            high = np.minimum(1.0, surv * np.exp(z * sigma))
        else:
            theta = np.exp(z * sigma / np.log(surv))
            low, high = surv ** (1 / theta), surv**theta
    undefined = surv <= 0
    low = np.where(undefined, np.nan, low)
    high = np.where(undefined, np.nan, high)
    frame = pd.DataFrame(
        {
            "time": times,
            "n_risk": n_risk.astype(int),
            "n_event": n_event.astype(int),
            "n_censor": table["censored"].to_numpy(dtype=int),
            "survival": surv,
            "std_err": surv * sigma,
            "ci_low": low,
            "ci_high": high,
        }
    )
    end = float(durations.max())
    median = {
        "n": int(durations.size),
        "events": int(events.sum()),
        "median": _first_below(times, surv, end, rule),
        "ci_low": _first_below(times, np.nan_to_num(low, nan=0.0), end, rule),
        "ci_high": _first_below(times, np.nan_to_num(high, nan=0.0), end, rule),
    }
    return frame, median


def kaplan_meier(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    group: str | None = None,
    conf_type: str = "log",
    confidence: float = 0.95,
    median_rule: str = "midpoint",
) -> KaplanMeierResult:
    """Kaplan–Meier curves with Greenwood CIs, numbers at risk and medians with CIs.

    Parameters
    ----------
    data
        One row per patient (time to complete response, time to relapse...).
    duration, event
        Column names: time from the index date (>= 0) and 1/True if the event was seen.
    group
        Optional column; one curve per level.
    conf_type
        ``"log"`` (R survfit default) or ``"log-log"`` (lifelines default).
    median_rule
        ``"midpoint"`` (R) or ``"first"`` (lifelines).

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 1, 1]})
    >>> km = kaplan_meier(df, duration="t", event="e")
    >>> km.medians[["n", "events", "median"]].to_dict("records")  # S = 0.5 on [2, 3): (2+3)/2
    [{'n': 4, 'events': 4, 'median': 2.5}]
    """
    require_option("conf_type", conf_type, ("log", "log-log"))
    require_option("median_rule", median_rule, ("midpoint", "first"))
    check_confidence(confidence)
    frame = _survival_frame(data, duration, event, [group] if group else [])
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    tables, medians = [], []
    durations: dict[Any, npt.NDArray[np.float64]] = {}
    groups = [("all", frame)] if group is None else list(frame.groupby(group, sort=True))
    for name, sub in groups:
        d = sub[duration].to_numpy(dtype=float)
        e = sub[event].to_numpy(dtype=np.int64)
        table, median = _km_one(d, e, z, conf_type, median_rule)
        tables.append(table.assign(group=name))
        medians.append({"group": name, **median})
        durations[name] = d
        if e.sum() == 0:
            warnings.warn(f"group {name!r} has no events", StatisticalWarning, stacklevel=2)
    table = pd.concat(tables, ignore_index=True)
    table = table[["group", *[c for c in table.columns if c != "group"]]]
    transform = "log (R survfit default)" if conf_type == "log" else "log-log (lifelines default)"
    rule = (
        "R quantile.survfit midpoint rule"
        if median_rule == "midpoint"
        else "first time S <= 0.5 (lifelines)"
    )
    method = (
        f"Kaplan-Meier; Greenwood variance, {transform} {confidence:.0%} CI; "
        f"median CI from the CI bands crossing 0.5, {rule}"
    )
    return KaplanMeierResult(
        table=table, medians=pd.DataFrame(medians), method=method, durations=durations
    )


def log_rank(data: pd.DataFrame, *, duration: str, event: str, group: str) -> ComparisonResult:
    """Log-rank (Mantel–Cox) test across the levels of ``group`` (lifelines).

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1] * 6, "g": list("aaabbb")})
    >>> # O_a = 3, E_a = 3/6 + 2/5 + 1/4 = 1.15, V = 0.25 + 0.24 + 0.1875 = 0.6775
    >>> res = log_rank(df, duration="t", event="e", group="g")  # chi2 = 1.85**2 / 0.6775
    >>> round(res.statistic, 4), round(res.p_value, 4)
    (5.0517, 0.0246)
    """
    from lifelines.statistics import multivariate_logrank_test

    frame = _survival_frame(data, duration, event, [group])
    levels = frame[group].nunique()
    if levels < 2:
        raise InputError(Problem(group, int(levels), "needs at least two groups", ">= 2 levels"))
    res = _lifelines(lambda: multivariate_logrank_test(frame[duration], frame[group], frame[event]))
    return ComparisonResult(
        method="log-rank test (Mantel-Cox, chi-squared approximation)",
        statistic=float(res.test_statistic),
        statistic_name="chi2",
        p_value=float(res.p_value),
        df=float(levels - 1),
        n=tuple(int(v) for v in frame.groupby(group, sort=True).size()),
    )


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model.

    Attributes
    ----------
    summary
        One row per covariate: ``covariate``, ``coef``, ``hazard_ratio``, ``se``,
        ``ci_low``, ``ci_high`` (of the HR), ``z``, ``p_value``.
    ph_test
        Grambsch–Therneau test of proportional hazards per covariate (``statistic``,
        ``p_value``, ``transform``).
    n, events
        Patients and events used.
    method
        Estimator, ties, CI and PH-test description.
    """

    summary: pd.DataFrame
    ph_test: pd.DataFrame
    n: int
    events: int
    method: str


def cox_ph(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    confidence: float = 0.95,
    ph_transform: str = "km",
) -> CoxResult:
    """Cox proportional-hazards model (partial likelihood, Efron ties) with a PH check.

    Covariates must be numeric (encode categories as 0/1 columns first). The PH check is
    lifelines' ``proportional_hazard_test`` (scaled Schoenfeld residuals against
    transformed time, ``ph_transform`` = ``"km"``, ``"rank"``, ``"identity"`` or ``"log"``).
    Fewer than 10 events per covariate gives a :class:`~clears.StatisticalWarning`.
    """
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    require_option("ph_transform", ph_transform, ("km", "rank", "identity", "log"))
    check_confidence(confidence)
    if not covariates:
        raise InputError(Problem("covariates", [], "needs at least one covariate", "column names"))
    frame = _survival_frame(data, duration, event, list(covariates))
    non_numeric = [c for c in covariates if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise InputError(
            [
                Problem(c, str(frame[c].dtype), "covariate must be numeric", "0/1 or numbers")
                for c in non_numeric
            ]
        )
    events = int(frame[event].sum())
    if events < 10 * len(covariates):
        warnings.warn(
            f"{events} events for {len(covariates)} covariate(s): "
            "fewer than 10 events per covariate",
            StatisticalWarning,
            stacklevel=2,
        )
    fitter = CoxPHFitter(alpha=1 - confidence)
    _lifelines(lambda: fitter.fit(frame, duration_col=duration, event_col=event))
    s = fitter.summary
    lower = next(c for c in s.columns if c.startswith("exp(coef) lower"))
    upper = next(c for c in s.columns if c.startswith("exp(coef) upper"))
    summary = pd.DataFrame(
        {
            "covariate": s.index.astype(str),
            "coef": s["coef"].to_numpy(),
            "hazard_ratio": s["exp(coef)"].to_numpy(),
            "se": s["se(coef)"].to_numpy(),
            "ci_low": s[lower].to_numpy(),
            "ci_high": s[upper].to_numpy(),
            "z": s["z"].to_numpy(),
            "p_value": s["p"].to_numpy(),
        }
    )
    ph = _lifelines(lambda: proportional_hazard_test(fitter, frame, time_transform=ph_transform))
    ph_frame = pd.DataFrame(
        {
            "covariate": [str(i[0]) if isinstance(i, tuple) else str(i) for i in ph.summary.index],
            "statistic": ph.summary["test_statistic"].to_numpy(),
            "p_value": ph.summary["p"].to_numpy(),
            "transform": ph_transform,
        }
    )
    method = (
        f"Cox proportional hazards (partial likelihood, Efron ties, Wald {confidence:.0%} CI; "
        "lifelines); PH test: Grambsch-Therneau scaled Schoenfeld residuals vs "
        f"{ph_transform}-transformed time"
    )
    return CoxResult(summary=summary, ph_test=ph_frame, n=len(frame), events=events, method=method)
