"""Two- and k-sample tests, each returning a :class:`ComparisonResult` that names its method.

References
----------
Fisher RA. The logic of inductive inference. J R Stat Soc 1935;98:39-82.
Cornfield J. A statistical problem arising from retrospective studies (conditional MLE of the
odds ratio and its exact interval). Proc Third Berkeley Symp 1956;4:135-48; the estimator and
interval R's ``fisher.test`` prints.
Mann HB, Whitney DR. Ann Math Stat 1947;18:50-60. doi:10.1214/aoms/1177730491
Kruskal WH, Wallis WA. J Am Stat Assoc 1952;47:583-621. doi:10.1080/01621459.1952.10483441
Welch BL. Biometrika 1947;34:28-35. doi:10.1093/biomet/34.1-2.28
Kerby DS. The simple difference formula (rank-biserial r). Compr Psychol 2014;3:11.IT.3.1.
doi:10.2466/11.IT.3.1
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
from scipy import stats

from clears._exceptions import InputError, Problem, StatisticalWarning
from clears.analysis._conditional_or import conditional_odds_ratio
from clears.analysis._exact_tables import freeman_halton_p
from clears.analysis._results import ComparisonResult
from clears.analysis._validation import check_confidence, require_option, to_numeric_sample

__all__ = ["chi2_test", "fisher_exact", "kruskal_wallis", "mann_whitney", "t_test"]

_ALTERNATIVES = ("two-sided", "less", "greater")
Alternative = Literal["two-sided", "less", "greater"]


def _table(table: Any, name: str = "table") -> np.ndarray[Any, Any]:
    try:
        array = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise InputError(Problem(name, None, "must be a table of counts")) from None
    problems = []
    if array.ndim != 2 or min(array.shape) < 2:
        problems.append(
            Problem(
                name,
                array.shape,
                "must be 2-dimensional with >= 2 rows and columns",
                "an r x c table, r, c >= 2",
            )
        )
    elif not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array != np.round(array)):
        problems.append(
            Problem(name, array.tolist(), "cells must be non-negative whole counts", "0, 1, 2, ...")
        )
    elif np.any(array.sum(axis=0) == 0) or np.any(array.sum(axis=1) == 0):
        problems.append(
            Problem(
                name,
                array.tolist(),
                "a row or column total is zero; the test is undefined",
                "tables without empty rows or columns",
            )
        )
    if problems:
        raise InputError(problems)
    return array.astype(np.int64)


def fisher_exact(
    table: Any, *, alternative: str = "two-sided", confidence: float = 0.95
) -> ComparisonResult:
    """Fisher's exact test with R ``fisher.test``'s conditional maximum-likelihood odds ratio.

    For a 2 x 2 table the p-value is that of :func:`scipy.stats.fisher_exact` (two-sided: sum
    of the probabilities of all tables no more probable than the one observed), and the
    estimate is the **conditional** MLE of the odds ratio with its exact interval (Cornfield
    1956), as printed by R's ``fisher.test``; the sample odds ratio ``ad/bc`` is in the
    notes. r x 2 and 2 x c tables get the Fisher–Freeman–Halton exact p-value by full
    enumeration (deterministic; scipy's r x c default is a Monte Carlo estimate) and no
    estimate.

    Parameters
    ----------
    table
        Counts, rows = groups, columns = outcome (first column = event for 2 x 2).
    alternative
        ``"two-sided"``, ``"less"`` or ``"greater"`` (2 x 2 only for one-sided).
    confidence
        Level of the odds-ratio interval.

    Returns
    -------
    ComparisonResult
        ``statistic`` and ``estimate`` are the conditional MLE odds ratio; ``effect_size``
        is its logarithm.

    Notes
    -----
    R computes the interval limits with ``uniroot`` at a loose tolerance, so its printed
    limits can differ from the exact roots in the third significant figure (TeaTasting upper
    limit: R 621.93, exact root 626.24). The estimate and p-value agree to printed precision.

    Examples
    --------
    >>> res = fisher_exact([[3, 1], [1, 3]])   # R: TeaTasting
    >>> round(res.p_value, 4), round(res.estimate, 4)
    (0.4857, 6.4083)
    """
    require_option("alternative", alternative, _ALTERNATIVES)
    check_confidence(confidence)
    counts = _table(table)
    if counts.shape != (2, 2):
        if alternative != "two-sided":
            raise InputError(
                Problem(
                    "alternative", alternative, "one-sided tests need a 2 x 2 table", "'two-sided'"
                )
            )
        p = freeman_halton_p(counts)
        return ComparisonResult(
            method="Fisher-Freeman-Halton exact test (two-sided, full enumeration)",
            statistic=math.nan,
            statistic_name="",
            p_value=p,
            n=tuple(int(v) for v in counts.sum(axis=1)),
        )
    notes: list[str] = []
    a, b, c, d = (int(v) for v in counts.ravel())
    sample_or = math.inf if b * c == 0 and a * d > 0 else (a * d / (b * c) if b * c else math.nan)
    notes.append(f"sample odds ratio ad/bc = {sample_or:.6g}")
    if 0 in (a, b, c, d):
        notes.append("zero cell: the odds ratio estimate is 0 or infinite")
        warnings.warn(
            f"2 x 2 table {counts.tolist()} has a zero cell; the odds ratio is 0 or infinite",
            StatisticalWarning,
            stacklevel=2,
        )
    p = float(stats.fisher_exact(counts, alternative=cast(Alternative, alternative)).pvalue)
    estimate, ci_low, ci_high = conditional_odds_ratio(
        a, b, c, d, confidence=confidence, alternative=alternative
    )
    return ComparisonResult(
        method=f"Fisher's exact test ({alternative}); conditional MLE odds ratio",
        statistic=estimate,
        statistic_name="odds ratio (conditional MLE)",
        p_value=p,
        estimate=estimate,
        estimate_name="odds ratio (conditional MLE)",
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=confidence,
        effect_size=math.log(estimate)
        if 0 < estimate < math.inf
        else (-math.inf if estimate == 0 else math.inf),
        effect_name="log odds ratio",
        n=(a + b, c + d),
        alternative=alternative,
        notes=tuple(notes),
    )


def chi2_test(table: Any, *, correction: bool = False) -> ComparisonResult:
    """Pearson's chi-squared test of independence, with Cramér's V.

    Without continuity correction by default (R ``chisq.test(correct=FALSE)``; gtsummary's
    default); ``correction=True`` applies Yates' correction to 2 x 2 tables. A
    :class:`~clears.StatisticalWarning` is issued when any expected count is below 5
    (Cochran's rule); prefer :func:`fisher_exact` then.

    Examples
    --------
    >>> res = chi2_test([[20, 10], [10, 20]])
    >>> round(res.statistic, 4), res.df
    (6.6667, 1.0)
    """
    counts = _table(table)
    result = stats.chi2_contingency(counts, correction=correction)
    expected = np.asarray(result.expected_freq, dtype=float)
    notes: list[str] = []
    min_expected = float(expected.min())
    if min_expected < 5:
        message = (
            f"smallest expected count is {min_expected:.2f} < 5 (Cochran's rule); "
            "the chi-squared approximation is doubtful"
        )
        notes.append(message)
        warnings.warn(message, StatisticalWarning, stacklevel=2)
    n_total = counts.sum()
    chi2 = float(result.statistic)
    k = min(counts.shape) - 1
    uncorrected = float(stats.chi2_contingency(counts, correction=False).statistic)
    cramer_v = math.sqrt(uncorrected / (n_total * k))
    applied = correction and counts.shape == (2, 2)
    method = "Pearson's chi-squared test" + (
        " with Yates' continuity correction" if applied else " (no continuity correction)"
    )
    return ComparisonResult(
        method=method,
        statistic=chi2,
        statistic_name="chi2",
        p_value=float(result.pvalue),
        effect_size=cramer_v,
        effect_name="Cramér's V",
        df=float(result.dof),
        n=tuple(int(v) for v in counts.sum(axis=1)),
        notes=tuple(notes),
    )


def _has_ties(values: np.ndarray[Any, Any]) -> bool:
    return bool(np.unique(values).size < values.size)


def mann_whitney(
    x: Any, y: Any, *, alternative: str = "two-sided", exact: bool | None = None
) -> ComparisonResult:
    """Mann–Whitney U (Wilcoxon rank-sum) test with the rank-biserial correlation.

    ``exact=None`` follows R ``wilcox.test``: the exact null distribution when both samples
    have fewer than 50 values and there are no ties, otherwise the normal approximation with
    tie correction and continuity correction. ``U`` is the statistic of ``x``; the
    rank-biserial r = 2U/(n1 n2) - 1 (Kerby 2014) is positive when ``x`` tends to be larger.

    Examples
    --------
    >>> res = mann_whitney([1, 2, 3], [4, 5, 6])
    >>> res.statistic, round(res.p_value, 4), res.effect_size
    (0.0, 0.1, -1.0)
    """
    require_option("alternative", alternative, _ALTERNATIVES)
    a = to_numeric_sample(x, "x")
    b = to_numeric_sample(y, "y")
    pooled = np.concatenate([a, b])
    if exact is None:
        exact = a.size < 50 and b.size < 50 and not _has_ties(pooled)
    if exact and _has_ties(pooled):
        raise InputError(
            Problem(
                "exact",
                True,
                "the exact test is not available with tied values",
                "exact=False or None",
            )
        )
    method: Literal["exact", "asymptotic"] = "exact" if exact else "asymptotic"
    result = stats.mannwhitneyu(
        a, b, alternative=cast(Alternative, alternative), method=method, use_continuity=True
    )
    u = float(result.statistic)
    approach = "exact" if exact else "normal approximation"
    notes = (
        ("normal approximation with tie and continuity correction",)
        if not exact
        else ("exact null distribution",)
    )
    return ComparisonResult(
        method=f"Mann-Whitney U test ({alternative}, {approach})",
        statistic=u,
        statistic_name="U",
        p_value=float(result.pvalue),
        effect_size=2 * u / (a.size * b.size) - 1,
        effect_name="rank-biserial r",
        n=(int(a.size), int(b.size)),
        alternative=alternative,
        notes=notes,
    )


def kruskal_wallis(*samples: Any) -> ComparisonResult:
    """Kruskal–Wallis H test (tie-corrected, chi-squared reference) with epsilon-squared.

    epsilon² = H / (n - 1) (Tomczak & Tomczak 2014, Trends Sport Sci 21:19-25).

    Examples
    --------
    >>> res = kruskal_wallis([1, 2, 3], [4, 5, 6], [7, 8, 9])
    >>> round(res.statistic, 4), res.df
    (7.2, 2.0)
    """
    if len(samples) < 2:
        raise InputError(
            Problem("samples", len(samples), "needs at least two groups", ">= 2 samples")
        )
    arrays = [to_numeric_sample(s, f"samples[{i}]") for i, s in enumerate(samples)]
    result = stats.kruskal(*arrays)
    n_total = sum(a.size for a in arrays)
    h = float(result.statistic)
    return ComparisonResult(
        method="Kruskal-Wallis rank-sum test (chi-squared approximation, tie-corrected)",
        statistic=h,
        statistic_name="H",
        p_value=float(result.pvalue),
        effect_size=h / (n_total - 1),
        effect_name="epsilon-squared",
        df=float(len(arrays) - 1),
        n=tuple(int(a.size) for a in arrays),
    )


def t_test(
    x: Any,
    y: Any,
    *,
    paired: bool = False,
    equal_var: bool = False,
    alternative: str = "two-sided",
    confidence: float = 0.95,
) -> ComparisonResult:
    """Two-sample t test: Welch (default), Student (``equal_var=True``) or paired.

    The estimate is the mean difference ``x - y`` with its confidence interval. Effect
    sizes: Cohen's d with the pooled SD for independent samples; d_z = mean difference / SD
    of differences for paired samples (Cohen 1988).

    Examples
    --------
    >>> # means 2.5 and 5; SE = sqrt(1.6667/4 + 6.6667/4) = 1.4434; t = -2.5 / 1.4434
    >>> res = t_test([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0])
    >>> round(res.statistic, 4), round(res.df, 4)
    (-1.7321, 4.4118)
    """
    require_option("alternative", alternative, _ALTERNATIVES)
    check_confidence(confidence)
    if paired:
        try:
            pairs = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InputError(Problem("x", None, "must contain numbers only")) from None
        if pairs[0].size != pairs[1].size:
            raise InputError(
                Problem(
                    "y",
                    int(pairs[1].size),
                    f"paired samples need the same length as x ({pairs[0].size})",
                )
            )
        keep = ~(np.isnan(pairs[0]) | np.isnan(pairs[1]))
        a = to_numeric_sample(pairs[0][keep], "x", minimum=2)
        b: npt.NDArray[np.float64] = pairs[1][keep]
        result = stats.ttest_rel(a, b, alternative=cast(Alternative, alternative))
        diff = a - b
        sd = float(np.std(diff, ddof=1))
        effect = float(np.mean(diff)) / sd if sd > 0 else math.nan
        effect_name = "Cohen's d_z"
        method = f"paired t test ({alternative})"
        n: tuple[int, ...] = (int(a.size),)
    else:
        a = to_numeric_sample(x, "x", minimum=2)
        b = to_numeric_sample(y, "y", minimum=2)
        result = stats.ttest_ind(
            a, b, equal_var=equal_var, alternative=cast(Alternative, alternative)
        )
        pooled = math.sqrt(
            ((a.size - 1) * np.var(a, ddof=1) + (b.size - 1) * np.var(b, ddof=1))
            / (a.size + b.size - 2)
        )
        effect = float(np.mean(a) - np.mean(b)) / pooled if pooled > 0 else math.nan
        effect_name = "Cohen's d (pooled SD)"
        method = (
            "Welch two-sample t test"
            if not equal_var
            else "Student two-sample t test (equal variances)"
        ) + f" ({alternative})"
        n = (int(a.size), int(b.size))
    ci = result.confidence_interval(confidence_level=confidence)
    return ComparisonResult(
        method=method,
        statistic=float(result.statistic),
        statistic_name="t",
        p_value=float(result.pvalue),
        estimate=float(np.mean(a) - np.mean(b)) if not paired else float(np.mean(a - b)),
        estimate_name="mean difference (x - y)",
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        confidence=confidence,
        effect_size=effect,
        effect_name=effect_name,
        df=float(result.df),
        n=n,
        alternative=alternative,
    )
