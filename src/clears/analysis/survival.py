"""Kaplan–Meier, survival at chosen times, log-rank and Cox models, computed as R's survival.

Every number here is the one R's ``survival`` package (>= 3.0) prints for the same data:
``survfit`` and its median with confidence limits (:mod:`._survival_km`), ``summary(fit,
times=)`` (:func:`survival_at`), ``survdiff`` (:mod:`._survival_logrank`), ``coxph`` with
Efron or Breslow ties and its global tests (:func:`cox_ph`, defined in :mod:`._cox_model`
over :mod:`._cox_fit`) and ``cox.zph`` (:mod:`._cox_zph`). ``tests/reference/survival.R``
computes the expected values in R; the tests compare every number with them.

Kaplan–Meier confidence intervals use Greenwood's variance with R's ``conf.type`` ``"log"``
(the default) or ``"log-log"``. ``median_rule="quantile"`` gives ``quantile(survfit)``'s
median, ``median_rule="first"`` lifelines' ``median_survival_times`` (first time at or
below 0.5, no midpoint).

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
Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. Springer 2000.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from clears._exceptions import InputError, Problem, StatisticalWarning
from clears.analysis._cox_model import CoxResult, cox_ph
from clears.analysis._results import ComparisonResult
from clears.analysis._survival_data import survival_frame, to_float_list, z_value
from clears.analysis._survival_km import km_curve, median_time, quantile_time, survival_at_times
from clears.analysis._survival_logrank import log_rank_arrays
from clears.analysis._validation import require_option

__all__ = ["CoxResult", "KaplanMeierResult", "cox_ph", "kaplan_meier", "log_rank", "survival_at"]

_CONF_TYPES = ("log", "log-log")


def _groups(frame: pd.DataFrame, group: str | None) -> list[tuple[Any, pd.DataFrame]]:
    if group is None:
        return [("all", frame)]
    return [
        (name.item() if isinstance(name, np.generic) else name, sub)
        for name, sub in frame.groupby(group, sort=True)
    ]


def _first_at_or_below(times: npt.NDArray[np.float64], curve: npt.NDArray[np.float64]) -> float:
    hit = np.flatnonzero(np.nan_to_num(curve, nan=0.0) <= 0.5)
    return float(times[hit[0]]) if hit.size else math.nan


_MEDIAN_RULES = {
    "midpoint": (median_time, "R print.survfit rule"),
    "quantile": (quantile_time, "R quantile.survfit rule"),
    "first": (_first_at_or_below, "first time S <= 0.5 (lifelines)"),
}


@dataclass(frozen=True)
class KaplanMeierResult:
    """Kaplan–Meier estimate(s).

    Attributes
    ----------
    table
        One row per group and distinct time (event or censoring), as R's ``survfit``:
        ``group``, ``time``, ``n_risk``, ``n_event``, ``n_censor``, ``survival``,
        ``std_err`` (of S, Greenwood), ``ci_low``, ``ci_high`` (NaN where undefined).
    medians
        One row per group: ``group``, ``n``, ``events``, ``median``, ``ci_low``, ``ci_high``
        (NaN where R prints NA: not reached).
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
        wanted = to_float_list(times, "times")
        rows = [
            {"group": group, "time": t, "n_risk": int((values >= t).sum())}
            for group, values in self.durations.items()
            for t in wanted
        ]
        return pd.DataFrame(rows)


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
        ``"log"`` (R survfit default) or ``"log-log"``.
    median_rule
        ``"midpoint"`` (the default): the median and its limits as ``print(survfit)``
        shows them; ``"quantile"``: as ``quantile(survfit, 0.5)`` gives them (they differ
        only when the curve ends flat at exactly 0.5: ``print`` gives the start of the
        stretch, ``quantile`` its midpoint to the last follow-up); ``"first"``: lifelines'
        ``median_survival_times`` (first time at or below 0.5).

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 1, 1]})
    >>> km = kaplan_meier(df, duration="t", event="e")
    >>> km.medians[["n", "events", "median"]].to_dict("records")  # S = 0.5 on [2, 3): (2+3)/2
    [{'n': 4, 'events': 4, 'median': 2.5}]
    """
    require_option("conf_type", conf_type, _CONF_TYPES)
    require_option("median_rule", median_rule, tuple(_MEDIAN_RULES))
    z = z_value(confidence)
    frame = survival_frame(data, duration, event, [group] if group else [])
    tables, medians = [], []
    durations: dict[Any, npt.NDArray[np.float64]] = {}
    for name, sub in _groups(frame, group):
        d = sub[duration].to_numpy(dtype=float)
        e = sub[event].to_numpy(dtype=np.int64)
        table = km_curve(d, e, z, conf_type)
        times = table["time"].to_numpy(dtype=float)
        curves = [table[c].to_numpy(dtype=float) for c in ("survival", "ci_low", "ci_high")]
        find = _MEDIAN_RULES[median_rule][0]
        median, low, high = (find(times, c) for c in curves)
        tables.append(table.assign(group=name))
        medians.append(
            {
                "group": name,
                "n": int(d.size),
                "events": int(e.sum()),
                "median": median,
                "ci_low": low,
                "ci_high": high,
            }
        )
        durations[name] = d
        if e.sum() == 0:
            warnings.warn(f"group {name!r} has no events", StatisticalWarning, stacklevel=2)
    table = pd.concat(tables, ignore_index=True)
    table = table[["group", *[c for c in table.columns if c != "group"]]]
    rule = _MEDIAN_RULES[median_rule][1]
    transform = "log (R survfit default)" if conf_type == "log" else "log-log (R survfit)"
    method = (
        f"Kaplan-Meier; Greenwood variance, {transform} {float(confidence):.0%} CI; "
        f"median CI from the CI bands crossing 0.5, {rule}"
    )
    return KaplanMeierResult(
        table=table, medians=pd.DataFrame(medians), method=method, durations=durations
    )


def survival_at(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    times: Sequence[float],
    group: str | None = None,
    conf_type: str = "log",
    confidence: float = 0.95,
    extend: bool = False,
) -> pd.DataFrame:
    """Kaplan–Meier survival at chosen times, as R's ``summary(survfit(...), times = )``.

    Parameters
    ----------
    data, duration, event, group, conf_type, confidence
        As :func:`kaplan_meier`.
    times
        The times (Python or NumPy numbers >= 0), in the unit of ``duration``.
    extend
        R's ``extend``: keep times after a group's last follow-up (``n_risk`` 0, the last
        value of the curve). By default they are left out, as R does, with a
        :class:`~clears.StatisticalWarning` naming them.

    Returns
    -------
    pandas.DataFrame
        One row per group and time: ``group``, ``time``, ``n_risk`` (duration >= t),
        ``n_event`` (events since the previous time listed), ``survival``, ``std_err`` (of
        S, Greenwood), ``ci_low``, ``ci_high``. The frame's ``attrs["method"]`` names the
        estimator and the CI.

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 0, 1]})
    >>> survival_at(df, duration="t", event="e", times=[2])[["n_risk", "survival"]]
       n_risk  survival
    0       3       0.5
    """
    require_option("conf_type", conf_type, _CONF_TYPES)
    z = z_value(confidence)
    wanted = to_float_list(times, "times")
    frame = survival_frame(data, duration, event, [group] if group else [])
    parts, dropped = [], []
    for name, sub in _groups(frame, group):
        d = sub[duration].to_numpy(dtype=float)
        curve = km_curve(d, sub[event].to_numpy(dtype=np.int64), z, conf_type)
        part = survival_at_times(curve, wanted, int(d.size), extend)
        dropped += [f"{name}: {t:g}" for t in wanted if t > d.max() and not extend]
        if not part.empty:
            parts.append(part.assign(group=name))
    if dropped:
        warnings.warn(
            "times after the last follow-up left out (extend=True keeps them): "
            + ", ".join(dropped),
            StatisticalWarning,
            stacklevel=2,
        )
    columns = ["group", "time", "n_risk", "n_event", "survival", "std_err", "ci_low", "ci_high"]
    out = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    out.attrs["method"] = (
        f"Kaplan-Meier at chosen times; Greenwood variance, {conf_type} "
        f"{float(confidence):.0%} CI (R summary.survfit(times=))"
    )
    return out


def log_rank(data: pd.DataFrame, *, duration: str, event: str, group: str) -> ComparisonResult:
    """Log-rank (Mantel–Cox) test across the levels of ``group``, as R's ``survdiff``.

    The result's ``notes`` list observed and expected events per group.

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1] * 6, "g": list("aaabbb")})
    >>> # O_a = 3, E_a = 3/6 + 2/5 + 1/4 = 1.15, V = 0.25 + 0.24 + 0.1875 = 0.6775
    >>> res = log_rank(df, duration="t", event="e", group="g")  # chi2 = 1.85**2 / 0.6775
    >>> round(res.statistic, 4), round(res.p_value, 4)
    (5.0517, 0.0246)
    """
    frame = survival_frame(data, duration, event, [group])
    codes, uniques = pd.factorize(frame[group], sort=True)
    levels = [v.item() if isinstance(v, np.generic) else v for v in uniques]
    if len(levels) < 2:
        raise InputError(Problem(group, len(levels), "needs at least two groups", ">= 2 levels"))
    res = log_rank_arrays(
        frame[duration].to_numpy(dtype=float),
        frame[event].to_numpy(dtype=np.int64),
        codes.astype(np.int64),
        len(levels),
    )
    notes = tuple(
        f"{level}: observed {o:g}, expected {e:.4g}"
        for level, o, e in zip(levels, res.observed, res.expected, strict=True)
    )
    return ComparisonResult(
        method="log-rank test (Mantel-Cox, chi-squared approximation; R survdiff)",
        statistic=res.chisq,
        statistic_name="chi2",
        p_value=float(stats.chi2.sf(res.chisq, res.df)) if res.df else math.nan,
        df=float(res.df),
        n=tuple(int(v) for v in np.bincount(codes, minlength=len(levels))),
        notes=notes,
    )
