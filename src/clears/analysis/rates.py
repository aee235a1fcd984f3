"""Incidence rates per person-time with exact Poisson confidence intervals.

The exact (Garwood) interval for ``k`` events is ``[chi2(a/2; 2k) / 2, chi2(1 - a/2; 2k + 2) /
2]`` events, divided by the person-time (Garwood F. Fiducial limits for the Poisson
distribution. Biometrika 1936;28:437-42. doi:10.1093/biomet/28.3-4.437). It equals
statsmodels ``confint_poisson(method="exact-c")``.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from clears._exceptions import InputError, Problem
from clears.analysis._results import RateEstimate
from clears.analysis._validation import check_confidence, require_columns

__all__ = ["incidence_rate", "incidence_table"]

_METHOD = "exact Poisson (Garwood 1936, chi-squared quantiles)"


def incidence_rate(
    events: int, person_time: float, *, per: float = 100.0, confidence: float = 0.95
) -> RateEstimate:
    """Events per ``per`` units of person-time with the exact Poisson interval.

    Examples
    --------
    >>> est = incidence_rate(3, 93)   # Aitmehdi 2021: 3 arterial events in 93 patient-years
    >>> round(est.rate, 2), round(est.ci_low, 2), round(est.ci_high, 2)
    (3.23, 0.67, 9.43)
    """
    check_confidence(confidence)
    problems = []
    if not isinstance(events, int) or events < 0:
        problems.append(Problem("events", events, "must be a whole number >= 0", "0, 1, 2, ..."))
    if not (
        isinstance(person_time, int | float) and math.isfinite(person_time) and person_time > 0
    ):
        problems.append(Problem("person_time", person_time, "must be a positive number", "> 0"))
    if not (isinstance(per, int | float) and per > 0):
        problems.append(Problem("per", per, "must be a positive number", "> 0, e.g. 100"))
    if problems:
        raise InputError(problems)
    alpha = 1 - confidence
    low = 0.0 if events == 0 else float(stats.chi2.ppf(alpha / 2, 2 * events)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * events + 2)) / 2
    scale = per / person_time
    return RateEstimate(
        events=events,
        person_time=float(person_time),
        per=float(per),
        rate=events * scale,
        ci_low=low * scale,
        ci_high=high * scale,
        confidence=confidence,
        method=_METHOD,
    )


def incidence_table(
    events: pd.DataFrame,
    *,
    person_time: float,
    category: str,
    per: float = 100.0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Incidence of every category (e.g. CTCAE term) of an event table per person-time.

    Every row of ``events`` is one event; all occurrences count (not patients).

    Returns
    -------
    pandas.DataFrame
        ``category``, ``events``, ``person_time``, ``rate``, ``ci_low``, ``ci_high``,
        ``per``, ``method``; sorted by decreasing count then name, with an ``All`` row last.

    Examples
    --------
    >>> ae = pd.DataFrame({"term": ["Neutropenia", "Neutropenia", "Asthenia"]})
    >>> incidence_table(ae, person_time=10, category="term")[["term", "events", "rate"]]
              term  events  rate
    0  Neutropenia       2  20.0
    1     Asthenia       1  10.0
    2          All       3  30.0
    """
    require_columns(events, [category], "events")
    counts = events[category].value_counts(dropna=False)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    rows = []
    for name, k in [*ordered, ("All", len(events))]:
        est = incidence_rate(int(k), person_time, per=per, confidence=confidence)
        rows.append(
            {
                category: name,
                "events": est.events,
                "person_time": est.person_time,
                "rate": est.rate,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "per": est.per,
                "method": est.method,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[category, "events", "person_time", "rate", "ci_low", "ci_high", "per", "method"],
    )
