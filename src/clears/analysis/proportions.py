"""Binomial proportions with exact (Clopper–Pearson) and Wilson score intervals.

References
----------
Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of
the binomial. Biometrika 1934;26:404-13. doi:10.1093/biomet/26.4.404
Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat
Assoc 1927;22:209-12. doi:10.1080/01621459.1927.10502953
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import MappingProxyType
from typing import Any, Final, Literal, cast

import pandas as pd
from scipy import stats

from clears._exceptions import InputError, Problem
from clears.analysis._results import ProportionEstimate, ResponseRates
from clears.analysis._rounding import ROUNDING_RULE, format_percent
from clears.analysis._validation import check_confidence, require_columns, require_option

__all__ = ["CI_METHODS", "proportion_ci", "response_rates"]

#: CI methods: key -> (scipy ``proportion_ci`` method, name printed in results).
CI_METHODS: Final = MappingProxyType(
    {
        "exact": ("exact", "Clopper-Pearson exact"),
        "wilson": ("wilson", "Wilson score"),
        "wilsoncc": ("wilsoncc", "Wilson score with continuity correction"),
    }
)


def proportion_ci(
    count: int, nobs: int, *, method: str = "exact", confidence: float = 0.95
) -> ProportionEstimate:
    """Return ``count / nobs`` with a confidence interval.

    Parameters
    ----------
    count, nobs
        Successes and trials, ``0 <= count <= nobs``, ``nobs >= 1``.
    method
        ``"exact"`` (Clopper–Pearson, default), ``"wilson"`` or ``"wilsoncc"``.
    confidence
        Interval level.

    Examples
    --------
    >>> est = proportion_ci(12, 14)   # Cortés-Hernández 2012 CR (docs/reference/statistics.md)
    >>> round(est.ci_low, 4), round(est.ci_high, 4), est.method
    (0.5719, 0.9822, 'Clopper-Pearson exact')
    """
    require_option("method", method, tuple(CI_METHODS))
    check_confidence(confidence)
    problems = []
    if not isinstance(nobs, int) or nobs < 1:
        problems.append(Problem("nobs", nobs, "must be a whole number >= 1", "1, 2, 3, ..."))
    if not isinstance(count, int) or count < 0 or (isinstance(nobs, int) and count > nobs):
        problems.append(
            Problem("count", count, "must be a whole number between 0 and nobs", f"0..{nobs}")
        )
    if problems:
        raise InputError(problems)
    scipy_method, name = CI_METHODS[method]
    ci = stats.binomtest(count, nobs).proportion_ci(
        confidence_level=confidence,
        method=cast(Literal["exact", "wilson", "wilsoncc"], scipy_method),
    )
    return ProportionEstimate(
        count=count,
        nobs=nobs,
        proportion=count / nobs,
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        confidence=confidence,
        method=name,
    )


def _is_success(values: pd.Series, success: Any) -> pd.Series:
    if success is None:
        return values.astype(bool)
    if isinstance(success, Collection) and not isinstance(success, str):
        return values.isin(list(success))
    matched: pd.Series = values == success
    return matched


def response_rates(
    data: pd.DataFrame,
    *,
    outcome: str,
    success: Any = None,
    by: Sequence[str] = (),
    criteria: str | None = None,
    methods: Sequence[str] = ("exact", "wilson"),
    confidence: float = 0.95,
    percent_digits: int = 0,
) -> ResponseRates:
    """Response proportions overall and by subgroup, with several CI methods side by side.

    Parameters
    ----------
    data
        One row per patient (per criteria preset when ``criteria`` is given).
    outcome
        Column holding the outcome; missing values are left out of the denominator and
        counted in ``missing``.
    success
        Value, or collection of values, that counts as a response (``{"complete",
        "partial"}``); ``None`` reads ``outcome`` as a boolean.
    by
        Subgroup columns (severity band, subtype, smoking, SLE...). Each gives one block of
        rows after the ``overall`` block.
    criteria
        Column naming the criteria preset; each preset gets its own blocks.
    methods
        CI methods, keys of :data:`CI_METHODS`; each adds ``ci_low_<m>``/``ci_high_<m>``.

    Returns
    -------
    ResponseRates
        ``table`` has the columns ``criteria`` (if given), ``subgroup``, ``level`` (the
        subgroup's value), ``responders``, ``n``, ``missing``, ``proportion``, ``percent``
        (half-up, string), then the CI columns; ``method`` names the CI methods, the
        confidence and the rounding rule.

    Examples
    --------
    >>> df = pd.DataFrame({"best": ["complete"] * 3 + ["none"], "sle": [True, False, True, True]})
    >>> out = response_rates(df, outcome="best", success="complete", by=["sle"])
    >>> out.table[["subgroup", "level", "responders", "n", "percent"]]
      subgroup  level  responders  n percent
    0  overall    all           3  4      75
    1      sle  False           1  1     100
    2      sle   True           2  3      67
    """
    for m in methods:
        require_option("methods", m, tuple(CI_METHODS))
    check_confidence(confidence)
    require_columns(data, [outcome, criteria, *by], "data")
    rows: list[dict[str, Any]] = []
    presets = [(None, data)] if criteria is None else list(data.groupby(criteria, sort=False))
    for preset, frame in presets:
        blocks: list[tuple[str, Any, pd.DataFrame]] = [("overall", "all", frame)]
        for column in by:
            for level, sub in frame.groupby(column, sort=True, dropna=False):
                blocks.append((column, level, sub))
        for subgroup, level, sub in blocks:
            present = sub[outcome].notna()
            n = int(present.sum())
            responders = int(_is_success(sub.loc[present, outcome], success).sum())
            row: dict[str, Any] = {} if criteria is None else {"criteria": preset}
            row.update(
                subgroup=subgroup,
                level=level,
                responders=responders,
                n=n,
                missing=int((~present).sum()),
                proportion=responders / n if n else float("nan"),
                percent=format_percent(responders, n, percent_digits),
            )
            for m in methods:
                if n:
                    est = proportion_ci(responders, n, method=m, confidence=confidence)
                    row[f"ci_low_{m}"], row[f"ci_high_{m}"] = est.ci_low, est.ci_high
                else:
                    row[f"ci_low_{m}"] = row[f"ci_high_{m}"] = float("nan")
            rows.append(row)
    method = (
        f"{confidence:.0%} CIs: "
        + ", ".join(CI_METHODS[m][1] for m in methods)
        + f"; {ROUNDING_RULE}"
    )
    return ResponseRates(pd.DataFrame(rows), method, confidence)
