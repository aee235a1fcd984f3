"""Tests recomputed from published summary statistics (no patient-level data).

Used to check published results (``docs/reference/published-figures.md``) with the same
machinery as the patient-level functions.
"""

from __future__ import annotations

import math

from scipy import stats

from clears._exceptions import InputError, Problem
from clears.analysis._results import ComparisonResult
from clears.analysis.comparisons import fisher_exact

__all__ = [
    "fisher_from_counts",
    "paired_t_test_from_summary",
    "t_test_from_summary",
    "wald_p_from_ratio_ci",
]


def _positive(name: str, value: float) -> Problem | None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        return Problem(name, value, "must be a positive number", "> 0")
    return None


def fisher_from_counts(events1: int, n1: int, events2: int, n2: int) -> ComparisonResult:
    """Fisher's exact test of ``events1/n1`` vs ``events2/n2`` (table [[e1, n1-e1], [e2, n2-e2]]).

    Examples
    --------
    >>> round(fisher_from_counts(3, 4, 1, 4).p_value, 4)
    0.4857
    """
    problems = [
        Problem(name, e, f"must lie between 0 and {n}", f"0..{n}")
        for name, e, n in (("events1", events1, n1), ("events2", events2, n2))
        if not (0 <= e <= n)
    ]
    if problems:
        raise InputError(problems)
    return fisher_exact([[events1, n1 - events1], [events2, n2 - events2]])


def t_test_from_summary(
    mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int, *, equal_var: bool = False
) -> ComparisonResult:
    """Two-sample t test from means, SDs and sizes (Welch by default).

    Examples
    --------
    >>> # Cortés-Hernández 2012, CLASI-A 11 ± 5.9 (n 15) vs 4.13 ± 3.66 (n 14): P = 0.0009
    >>> round(t_test_from_summary(11, 5.9, 15, 4.13, 3.66, 14).p_value, 5)
    0.0009
    """
    problems = [p for p in (_positive("sd1", sd1), _positive("sd2", sd2)) if p]
    problems += [
        Problem(name, n, "needs at least 2 observations", ">= 2")
        for name, n in (("n1", n1), ("n2", n2))
        if not (isinstance(n, int) and n >= 2)
    ]
    if problems:
        raise InputError(problems)
    res = stats.ttest_ind_from_stats(mean1, sd1, n1, mean2, sd2, n2, equal_var=equal_var)
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    if equal_var:
        df = float(n1 + n2 - 2)
    else:
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    pooled = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    name = "Welch two-sample t test" if not equal_var else "Student two-sample t test"
    return ComparisonResult(
        method=f"{name} from summary statistics (two-sided)",
        statistic=float(res.statistic),
        statistic_name="t",
        p_value=float(res.pvalue),
        estimate=mean1 - mean2,
        estimate_name="mean difference",
        effect_size=(mean1 - mean2) / pooled,
        effect_name="Cohen's d (pooled SD)",
        df=df,
        n=(n1, n2),
    )


def paired_t_test_from_summary(
    mean1: float, sd1: float, mean2: float, sd2: float, n: int, *, correlation: float
) -> ComparisonResult:
    """Paired t test from two means and SDs, given an assumed within-patient correlation.

    SD of differences = sqrt(sd1² + sd2² - 2 r sd1 sd2); t = (mean1 - mean2) / (SD / sqrt n),
    df = n - 1. Papers rarely report r, so this is a sensitivity tool.

    Examples
    --------
    >>> # sd1 = sd2 = 1, r = 0.5 -> SD diff = 1; t = 1 / (1 / sqrt 4) = 2
    >>> paired_t_test_from_summary(1, 1, 0, 1, 4, correlation=0.5).statistic
    2.0
    """
    problems = [p for p in (_positive("sd1", sd1), _positive("sd2", sd2)) if p]
    if not (isinstance(n, int) and n >= 2):
        problems.append(Problem("n", n, "needs at least 2 pairs", ">= 2"))
    if not -1 < correlation < 1:
        problems.append(
            Problem("correlation", correlation, "must lie strictly between -1 and 1", "-1 < r < 1")
        )
    if problems:
        raise InputError(problems)
    sd_diff = math.sqrt(sd1**2 + sd2**2 - 2 * correlation * sd1 * sd2)
    t = (mean1 - mean2) / (sd_diff / math.sqrt(n))
    p = float(2 * stats.t.sf(abs(t), n - 1))
    return ComparisonResult(
        method=f"paired t test from summary statistics (two-sided, assumed r = {correlation:g})",
        statistic=t,
        statistic_name="t",
        p_value=p,
        estimate=mean1 - mean2,
        estimate_name="mean difference",
        effect_size=(mean1 - mean2) / sd_diff,
        effect_name="Cohen's d_z",
        df=float(n - 1),
        n=(n,),
    )


def wald_p_from_ratio_ci(
    estimate: float, ci_low: float, ci_high: float, *, confidence: float = 0.95
) -> ComparisonResult:
    """Wald z test implied by a ratio (HR, OR, RR) and its CI, assumed symmetric on the log scale.

    SE(log ratio) = (log high - log low) / (2 z), z = log(estimate) / SE (Altman DG, Bland JM.
    How to obtain the P value from a confidence interval. BMJ 2011;343:d2304.
    doi:10.1136/bmj.d2304). ``notes`` reports how asymmetric the CI is on the log scale.

    Examples
    --------
    >>> res = wald_p_from_ratio_ci(3.17, 1.04, 9.67)  # Aitmehdi 2021 smokers HR
    >>> round(res.p_value, 3)
    0.043
    """
    problems = [
        p
        for p in (
            _positive("estimate", estimate),
            _positive("ci_low", ci_low),
            _positive("ci_high", ci_high),
        )
        if p
    ]
    if not problems and not ci_low < estimate < ci_high:
        problems.append(
            Problem(
                "estimate",
                estimate,
                "must lie inside the interval",
                f"{ci_low} < estimate < {ci_high}",
            )
        )
    if problems:
        raise InputError(problems)
    z_crit = float(stats.norm.ppf(0.5 + confidence / 2))
    se = (math.log(ci_high) - math.log(ci_low)) / (2 * z_crit)
    z = math.log(estimate) / se
    centre = (math.log(ci_high) + math.log(ci_low)) / 2
    asym = math.exp(centre)
    return ComparisonResult(
        method="Wald z test from a ratio and its confidence interval (log scale)",
        statistic=z,
        statistic_name="z",
        p_value=float(2 * stats.norm.sf(abs(z))),
        estimate=estimate,
        estimate_name="ratio",
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=confidence,
        notes=(f"SE(log ratio) = {se:.4f}; geometric centre of the CI = {asym:.4f}",),
    )
