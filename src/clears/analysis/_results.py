"""Result shapes shared by the analysis functions.

Every result carries the name of the method that produced it (test, estimator, CI method) and
turns into a one-row tidy DataFrame with :meth:`to_frame`, so results of different tests can
be stacked with :func:`pandas.concat`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from clears._cells import is_missing

__all__ = ["ComparisonResult", "ProportionEstimate", "RateEstimate", "ResponseRates"]


def _clean(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def _json_ready(result: Any) -> dict[str, Any]:
    """The fields of a result dataclass as JSON (missing values ``None``, tuples lists)."""
    return {key: _clean(value) for key, value in asdict(result).items()}


@dataclass(frozen=True, slots=True)
class ComparisonResult:
    """The result of one hypothesis test.

    Attributes
    ----------
    method
        Full name of the test as a reader should see it, e.g. ``"Fisher's exact test
        (two-sided)"``.
    statistic, statistic_name
        The test statistic and its name (``"U"``, ``"t"``, ``"chi2"``...).
    p_value
        The p-value for ``alternative``.
    estimate, estimate_name, ci_low, ci_high, confidence
        The quantity estimated (odds ratio, mean difference, hazard ratio...) with its
        confidence interval (NaN when none is defined).
    effect_size, effect_name
        A standardised effect size (Cramér's V, rank-biserial r, Cohen's d...).
    df
        Degrees of freedom, when the reference distribution has them.
    n
        Sample sizes, one per group.
    alternative
        ``"two-sided"``, ``"less"`` or ``"greater"``.
    notes
        Anything a reader must know (zero cells, small expected counts, correction used).
    """

    method: str
    statistic: float
    statistic_name: str
    p_value: float
    estimate: float = math.nan
    estimate_name: str = ""
    ci_low: float = math.nan
    ci_high: float = math.nan
    confidence: float = 0.95
    effect_size: float = math.nan
    effect_name: str = ""
    df: float = math.nan
    n: tuple[int, ...] = ()
    alternative: str = "two-sided"
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping (NaN becomes ``None``)."""
        return _json_ready(self)

    def to_frame(self) -> pd.DataFrame:
        """Return the result as a one-row DataFrame."""
        row = asdict(self)
        row["n"] = ", ".join(str(k) for k in self.n)
        row["notes"] = "; ".join(self.notes)
        return pd.DataFrame([row])


@dataclass(frozen=True, slots=True)
class ProportionEstimate:
    """A binomial proportion with its confidence interval.

    Attributes
    ----------
    count, nobs
        Successes and trials.
    proportion
        ``count / nobs``.
    ci_low, ci_high, confidence
        The interval and its level.
    method
        The CI method, e.g. ``"Clopper-Pearson exact"`` or ``"Wilson score"``.
    """

    count: int
    nobs: int
    proportion: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate as a JSON-ready mapping."""
        return _json_ready(self)


@dataclass(frozen=True, slots=True)
class RateEstimate:
    """An incidence rate per ``per`` units of person-time, with its confidence interval.

    Attributes
    ----------
    events, person_time
        Number of events and the person-time at risk (e.g. patient-years).
    per
        The rate is expressed per this much person-time (100 = per 100 patient-years).
    rate, ci_low, ci_high, confidence
        The rate and its interval, already multiplied by ``per``.
    method
        The CI method.
    """

    events: int
    person_time: float
    per: float
    rate: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate as a JSON-ready mapping."""
        return _json_ready(self)


@dataclass(frozen=True, slots=True)
class ResponseRates:
    """Response proportions by subgroup and the methods that produced them.

    Attributes
    ----------
    table
        One row per (criteria preset,) subgroup and level; the columns are listed in
        :func:`clears.analysis.response_rates`.
    method
        The CI methods, the confidence and the rounding rule, as a reader should see them.
    confidence
        The level of every interval in ``table``.
    """

    table: pd.DataFrame
    method: str
    confidence: float
