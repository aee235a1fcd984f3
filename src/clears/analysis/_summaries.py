"""Cell summaries and standardised mean differences for :func:`clears.analysis.table_one`.

The summaries are the ones clinical papers print: ``n (%)`` for a level, ``median (range)``,
``median [Q1, Q3]`` or ``mean (SD)`` for a number. Numbers are rounded half up with
:func:`~clears.analysis.round_half_up`; quartiles use linear interpolation between order
statistics (R ``quantile(type = 7)``, NumPy's default, the quartiles tableone prints).

Standardised mean differences (SMD) follow the formulas R and Python ``tableone`` use:

* continuous: ``|mean1 - mean2| / sqrt((s1² + s2²) / 2)`` (Austin PC. Balance diagnostics
  for comparing the distribution of baseline covariates between treatment groups in
  propensity-score matched samples. Stat Med 2009;28:3083-3107. doi:10.1002/sim.3697);
* categorical with ``k`` levels: ``sqrt((T - C)' S⁻¹ (T - C))`` over the proportions of
  levels 2..k, where ``S`` is the average of the two multinomial covariance matrices
  (Yang D, Dalton JE. A unified approach to measuring the effect size between two groups
  using SAS. SAS Global Forum 2012, paper 335-2012). For two levels it is
  ``|p1 - p2| / sqrt((p1(1 - p1) + p2(1 - p2)) / 2)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from clears.analysis._rounding import round_half_up

__all__ = [
    "SMD_METHOD",
    "SUMMARIES",
    "SummaryKind",
    "categorical_smd",
    "continuous_smd",
    "format_number",
    "mean_pairwise",
    "pairs",
    "summarise_numbers",
]

SummaryKind = Literal["median_range", "median_iqr", "mean_sd"]

#: Summary of a continuous variable: option -> label printed next to the variable.
SUMMARIES: Final = {
    "median_range": "median (range)",
    "median_iqr": "median [Q1, Q3]",
    "mean_sd": "mean (SD)",
}

#: How the SMD column is computed, for the footnotes.
SMD_METHOD: Final = (
    "SMD: continuous |mean difference| / sqrt((SD1² + SD2²) / 2) (Austin 2009, "
    "doi:10.1002/sim.3697); categorical multinomial Mahalanobis form (Yang & Dalton 2012, "
    "SAS Global Forum paper 335-2012), as R and Python tableone; with more than two groups "
    "the mean of the pairwise SMDs (as R tableone prints)"
)

Floats = npt.NDArray[np.float64]


def format_number(value: float, digits: int) -> str:
    """Round half up to ``digits`` decimals and print; a minus sign is kept.

    Examples
    --------
    >>> format_number(2.25, 1), format_number(43.0, 0), format_number(-0.04, 1)
    ('2.3', '43', '0.0')
    """
    rounded = round_half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)
    return str(rounded) if digits > 0 else str(rounded.quantize(Decimal(1)))


def summarise_numbers(values: Floats, kind: SummaryKind, digits: int) -> str:
    """Print one continuous summary of the non-missing ``values``.

    ``median_range`` prints ``median (min–max)``, with ``to`` instead of the dash when a
    limit is negative; ``median_iqr`` prints ``median [Q1, Q3]``; ``mean_sd`` prints
    ``mean (SD)`` with the ``n - 1`` SD. An empty sample prints ``""``; one value has no SD
    (``mean (-)``).

    Examples
    --------
    >>> x = np.array([22.0, 30.0, 43.0, 50.0, 71.0])
    >>> summarise_numbers(x, "median_range", 0)
    '43 (22–71)'
    >>> summarise_numbers(x, "median_iqr", 1)   # numpy quartiles: 30 and 50
    '43.0 [30.0, 50.0]'
    >>> summarise_numbers(np.array([1.0, 2.0, 4.0]), "mean_sd", 2)   # SD = sqrt(7/3)
    '2.33 (1.53)'
    """
    if values.size == 0:
        return ""
    if kind == "median_range":
        low, high = float(values.min()), float(values.max())
        median = format_number(float(np.median(values)), digits)
        sep = " to " if low < 0 or high < 0 else "–"
        return f"{median} ({format_number(low, digits)}{sep}{format_number(high, digits)})"
    if kind == "median_iqr":
        q1, med, q3 = (float(q) for q in np.quantile(values, [0.25, 0.5, 0.75]))
        parts = (format_number(q, digits) for q in (med, q1, q3))
        return "{} [{}, {}]".format(*parts)
    mean = format_number(float(values.mean()), digits)
    if values.size < 2:
        return f"{mean} (-)"
    return f"{mean} ({format_number(float(values.std(ddof=1)), digits)})"


def continuous_smd(a: Floats, b: Floats) -> float:
    """Absolute SMD of two samples: ``|mean(a) - mean(b)| / sqrt((var(a) + var(b)) / 2)``.

    Variances use ``n - 1``. Two constant samples give 0 when the means are equal and
    ``inf`` otherwise; a sample with fewer than two values gives NaN.

    Examples
    --------
    >>> # means 2 and 4, variances 1 and 1 -> |2 - 4| / sqrt(1) = 2
    >>> continuous_smd(np.array([1.0, 2.0, 3.0]), np.array([3.0, 4.0, 5.0]))
    2.0
    """
    if a.size < 2 or b.size < 2:
        return math.nan
    diff = abs(float(a.mean()) - float(b.mean()))
    spread = math.sqrt((float(a.var(ddof=1)) + float(b.var(ddof=1))) / 2)
    if spread == 0:
        return 0.0 if diff == 0 else math.inf
    return diff / spread


def categorical_smd(counts_a: Sequence[int], counts_b: Sequence[int]) -> float:
    """Yang & Dalton (2012) SMD of one categorical variable between two groups.

    ``counts_a`` and ``counts_b`` are the counts per level, in the same level order.
    Levels absent from both groups are dropped. When the pooled covariance matrix is
    singular (a level present in only one group, with no spread to divide by), the SMD is
    ``inf`` if the difference in proportions lies outside the matrix's column space (the
    groups do not overlap on it) and is taken through the pseudo-inverse otherwise; R
    tableone reports such disjoint groups as balanced (kaz-yos/tableone issue 114).

    Examples
    --------
    >>> # binary: p1 = 0.5, p2 = 0.25 -> 0.25 / sqrt((0.25 + 0.1875) / 2) = 0.5345
    >>> round(categorical_smd([2, 2], [1, 3]), 4)
    0.5345
    """
    a = np.asarray(counts_a, dtype=float)
    b = np.asarray(counts_b, dtype=float)
    if a.sum() == 0 or b.sum() == 0:
        return math.nan
    keep = (a + b) > 0
    p1 = (a / a.sum())[keep]
    p2 = (b / b.sum())[keep]
    if p1.size < 2:
        return 0.0
    t, c = p1[1:], p2[1:]
    cov = -(np.outer(t, t) + np.outer(c, c)) / 2
    np.fill_diagonal(cov, (t * (1 - t) + c * (1 - c)) / 2)
    diff = t - c
    if not np.any(diff):
        return 0.0
    inverse = np.linalg.pinv(cov)
    residual = cov @ inverse @ diff - diff
    if float(np.abs(residual).max()) > 1e-9:
        return math.inf
    return math.sqrt(max(0.0, float(diff @ inverse @ diff)))


def mean_pairwise(values: Sequence[float]) -> float:
    """Mean of the pairwise SMDs (NaN when there are none or one is NaN).

    Examples
    --------
    >>> mean_pairwise([0.5, 1.0])
    0.75
    """
    if not values:
        return math.nan
    return float(sum(values) / len(values))


def pairs(n_groups: int) -> list[tuple[int, int]]:
    """All pairs ``(i, j)``, ``i < j``, of ``n_groups`` group positions."""
    return list(itertools.combinations(range(n_groups), 2))
