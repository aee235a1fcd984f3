"""The conditional maximum-likelihood odds ratio of a 2 x 2 table and its exact interval.

Given the margins of the table ``[[a, b], [c, d]]``, the count ``a`` follows Fisher's
noncentral hypergeometric distribution with odds ratio ``psi``:
``P(X = x) ∝ C(a + b, x) · C(c + d, a + c - x) · psi**x`` on its support
``max(0, a + c - c - d) .. min(a + b, a + c)``. The conditional MLE solves
``E_psi[X] = a``; the exact (Cornfield 1956) limits solve ``P_psi(X >= a) = alpha/2`` (lower)
and ``P_psi(X <= a) = alpha/2`` (upper), with ``alpha`` for one-sided intervals. These are
the definitions R's ``fisher.test`` uses (Fay 2010, R Journal 2(1):53-58) and
:func:`scipy.stats.contingency.odds_ratio` with ``kind="conditional"`` computes.

The log-combinatorial terms are computed once per table and every evaluation is one
vectorised pass over the support, so a table of 100,000 patients costs milliseconds (the
scipy version evaluates the distribution point by point: seconds to minutes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.special import gammaln, logsumexp

__all__ = ["conditional_odds_ratio"]

#: Root-finding in log odds ratio; the bracket grows until it holds the root.
_START: Final = 4.0
_LIMIT: Final = 700.0
_XTOL: Final = 1e-12


def _log_choose(n: int, k: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return result


class _Distribution:
    """Fisher's noncentral hypergeometric distribution of one table's first cell."""

    def __init__(self, a: int, b: int, c: int, d: int) -> None:
        rows1, rows2, column1 = a + b, c + d, a + c
        self.low = max(0, column1 - rows2)
        self.high = min(rows1, column1)
        self.x = np.arange(self.low, self.high + 1, dtype=np.float64)
        self.base = _log_choose(rows1, self.x) + _log_choose(rows2, column1 - self.x)
        self.observed = a

    def _log_pmf(self, log_psi: float) -> npt.NDArray[np.float64]:
        terms = self.base + self.x * log_psi
        result: npt.NDArray[np.float64] = terms - logsumexp(terms)
        return result

    def mean(self, log_psi: float) -> float:
        return float(np.exp(self._log_pmf(log_psi)) @ self.x)

    def upper_tail(self, log_psi: float) -> float:
        """``P(X >= observed)``."""
        log_pmf = self._log_pmf(log_psi)
        return float(np.exp(logsumexp(log_pmf[self.observed - self.low :])))

    def lower_tail(self, log_psi: float) -> float:
        """``P(X <= observed)``."""
        log_pmf = self._log_pmf(log_psi)
        return float(np.exp(logsumexp(log_pmf[: self.observed - self.low + 1])))


def _root(f: Callable[[float], float], target: float) -> float:
    """``psi`` where the monotone ``f(log psi)`` equals ``target``."""

    def g(t: float) -> float:
        return f(t) - target

    span = _START
    while span <= _LIMIT:
        if g(-span) * g(span) <= 0:
            return math.exp(brentq(g, -span, span, xtol=_XTOL, rtol=4 * np.finfo(float).eps))
        span *= 2
    raise ArithmeticError(  # pragma: no cover - inside the support a root lies within exp(±700)
        "no root of the conditional odds ratio equation"
    )


def conditional_odds_ratio(
    a: int, b: int, c: int, d: int, *, confidence: float = 0.95, alternative: str = "two-sided"
) -> tuple[float, float, float]:
    """Conditional MLE odds ratio of ``[[a, b], [c, d]]`` and its exact interval.

    Returns
    -------
    tuple of float
        ``(estimate, low, high)``; 0 or ``inf`` at the ends of the support, as R prints.

    Examples
    --------
    >>> est, low, high = conditional_odds_ratio(3, 1, 1, 3)   # R: fisher.test(TeaTasting)
    >>> round(est, 4), round(low, 4)
    (6.4083, 0.2117)
    """
    dist = _Distribution(a, b, c, d)
    if dist.low == dist.high:
        return math.nan, 0.0, math.inf
    if a == dist.low:
        estimate = 0.0
    elif a == dist.high:
        estimate = math.inf
    else:
        estimate = _root(dist.mean, float(a))
    alpha = 1.0 - confidence
    tail = alpha / 2 if alternative == "two-sided" else alpha
    low, high = 0.0, math.inf
    if alternative in ("two-sided", "greater") and a != dist.low:
        low = _root(dist.upper_tail, tail)
    if alternative in ("two-sided", "less") and a != dist.high:
        high = _root(dist.lower_tail, tail)
    return estimate, low, high
