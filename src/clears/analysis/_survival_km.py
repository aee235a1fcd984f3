"""Kaplan–Meier arithmetic as R's ``survfit``, ``quantile.survfit`` and ``summary.survfit``.

* The curve has one row per distinct time (event or censoring), with the numbers at risk
  (duration >= t), events and censorings at t; S(t) = Π (1 − d/n).
* Greenwood's variance of log S: σ² = Σ d/(n(n−d)); ``std_err`` is the standard error of S,
  S·σ, as ``summary(survfit)`` prints it.
* ``conf_type="log"`` (R's default): exp(log S ± z·σ), the upper limit capped at 1, missing
  where S = 0. ``conf_type="log-log"``: exp(−exp(log(−log S) ± z·σ/log S)), missing where
  S is 0 or 1.
* The median and its limits as ``print(survfit)`` shows them (R ``survmean``): the first
  time the curve (band) is below 0.5 + 1.5e-8; if it is 0.5 there (within 1.5e-8) and falls
  lower later, the midpoint of that time and the first lower one; missing (NaN) when the
  curve or band never gets there. Missing band values are left out.
* As ``quantile(survfit, 0.5)`` gives them (R ``findq``): the same, except that a curve
  ending flat at exactly 0.5 gives the midpoint of the stretch to the last follow-up time,
  and the positions are those of the smallest band value at or past the level.
* Survival at chosen times: the curve's values at the last time <= t; ``n_risk`` the number
  with duration >= t and ``n_event`` the events in (previous chosen time, t]; times after the
  last follow-up are dropped unless ``extend`` (then ``n_risk`` is 0).

References
----------
Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-81. doi:10.1080/01621459.1958.10501452
Greenwood M. Reports on Public Health and Medical Subjects 33, HMSO 1926.
Kalbfleisch JD, Prentice RL. The Statistical Analysis of Failure Time Data, 2nd ed. Wiley
2002, s. 1.4 (log-log interval).
Brookmeyer R, Crowley J. Biometrics 1982;38:29-41. doi:10.2307/2530286 (median CI).
Therneau TM, Grambsch PM. Modeling Survival Data. Springer 2000, ch. 2; R package
``survival`` >= 3.0, functions ``survfit``, ``quantile.survfit`` and ``summary.survfit``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["TOLERANCE", "km_curve", "median_time", "quantile_time", "survival_at_times"]

#: R ``quantile.survfit``'s tolerance, ``sqrt(.Machine$double.eps)``.
TOLERANCE = math.sqrt(np.finfo(float).eps)

_Array = npt.NDArray[np.float64]


def km_curve(
    durations: _Array, events: npt.NDArray[np.int64], z: float, conf_type: str
) -> pd.DataFrame:
    """The Kaplan–Meier curve of one group with its Greenwood CI (columns as the table)."""
    times, inverse = np.unique(durations, return_inverse=True)
    n_event = np.bincount(inverse, weights=events, minlength=times.size)
    n_all = np.bincount(inverse, minlength=times.size).astype(float)
    n_risk = np.cumsum(n_all[::-1])[::-1]
    surv = np.cumprod(1.0 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
        sigma = np.sqrt(np.cumsum(terms))
        if conf_type == "log":
            s = np.where(surv == 0, np.nan, surv)
            low = np.exp(np.log(s) - z * sigma)
            high = np.minimum(np.exp(np.log(s) + z * sigma), 1.0)
        else:
            s = np.where((surv == 0) | (surv == 1), np.nan, surv)
            low = np.exp(-np.exp(np.log(-np.log(s)) - z * sigma / np.log(s)))
            high = np.exp(-np.exp(np.log(-np.log(s)) + z * sigma / np.log(s)))
        std_err = surv * sigma
    return pd.DataFrame(
        {
            "time": times,
            "n_risk": n_risk.astype(np.int64),
            "n_event": n_event.astype(np.int64),
            "n_censor": (n_all - n_event).astype(np.int64),
            "survival": surv,
            "std_err": np.where(np.isfinite(std_err), std_err, np.nan),
            "ci_low": low,
            "ci_high": high,
        }
    )


def median_time(times: _Array, curve: _Array) -> float:
    """The median as ``print(survfit)`` shows it (R ``survival:::survmean``, ``minmin``).

    The first time the curve (band) is below 0.5 + 1.5e-8; when it is 0.5 there (within the
    tolerance) and falls lower later, the midpoint of that time and the first lower one.
    Missing band values are left out; NaN when the curve never reaches 0.5.
    """
    keep = np.isfinite(curve) & (curve < 0.5 + TOLERANCE)
    if not keep.any():
        return math.nan
    x, y = times[keep], curve[keep]
    lower = np.flatnonzero(y < y[0])
    if abs(y[0] - 0.5) < TOLERANCE and lower.size:
        return (float(x[0]) + float(x[lower[0]])) / 2
    return float(x[0])


def quantile_time(times: _Array, curve: _Array, p: float = 0.5) -> float:
    """Time at which a step curve (its value after each of ``times``) first reaches 1 − ``p``.

    R ``survival:::findq`` on ``c(0, times)`` and ``c(0, 1 - curve)``.
    """
    x = np.concatenate([[0.0], times])
    y = np.concatenate([[0.0], 1.0 - curve])
    if not np.any(np.isfinite(y)) or np.nanmax(y) < p:
        return math.nan
    last_x = float(x[-1])
    keep = ~pd.Series(y).duplicated().to_numpy()  # R duplicated(): NaN repeats NaN
    x, y = x[keep], y[keep]
    finite = np.isfinite(y)
    positions = np.flatnonzero(finite)
    values = y[finite]

    def first_at_least(level: float) -> int | None:
        # R approx(y, 1:n, level, "constant", f = 1) on the pairs sorted by y: the position
        # of the smallest value >= level (the first crossing when the band is monotone).
        hit = np.flatnonzero(values >= level)
        return int(positions[hit[np.argmin(values[hit])]]) if hit.size else None

    low = first_at_least(p - TOLERANCE)
    high = first_at_least(p + TOLERANCE)
    if low is None:
        return math.nan
    if not np.isnan(y[-1]) and abs(p - y[-1]) < TOLERANCE:
        return (float(x[low]) + last_x) / 2
    if high is None:
        return math.nan
    return (float(x[low]) + float(x[high])) / 2


def survival_at_times(
    curve: pd.DataFrame, times: Sequence[float], n_total: int, extend: bool
) -> pd.DataFrame:
    """R ``summary(fit, times = times)`` for one group's curve from :func:`km_curve`."""
    ordered = sorted(times)
    curve_times = curve["time"].to_numpy(dtype=float)
    last = float(curve_times[-1])
    events = curve["n_event"].to_numpy(dtype=np.int64)
    cumulative_events = np.concatenate([[0], np.cumsum(events)])
    at_or_after = curve["n_risk"].to_numpy(dtype=np.int64)
    rows = []
    previous_events = 0
    for t in ordered:
        if t > last and not extend:
            continue
        index = int(np.searchsorted(curve_times, t, side="right"))  # curve rows with time <= t
        if index == 0:
            surv, se, low, high = 1.0, 0.0, 1.0, 1.0
        else:
            row = curve.iloc[index - 1]
            surv, se = float(row["survival"]), float(row["std_err"])
            low, high = float(row["ci_low"]), float(row["ci_high"])
        later = int(np.searchsorted(curve_times, t, side="left"))  # first row with time >= t
        n_risk = int(at_or_after[later]) if later < curve_times.size else 0
        if index == 0:
            n_risk = n_total
        events_so_far = int(cumulative_events[index])
        rows.append(
            {
                "time": float(t),
                "n_risk": n_risk,
                "n_event": events_so_far - previous_events,
                "survival": surv,
                "std_err": se,
                "ci_low": low,
                "ci_high": high,
            }
        )
        previous_events = events_so_far
    return pd.DataFrame(
        rows,
        columns=["time", "n_risk", "n_event", "survival", "std_err", "ci_low", "ci_high"],
    )
