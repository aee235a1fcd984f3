"""The log-rank test as R's ``survdiff`` (rho = 0) computes it.

At each distinct event time with n at risk and d events, group g with n_g at risk expects
d·n_g/n events; the hypergeometric covariance is V_gh = d(n − d)/(n − 1)·(n_g/n)(δ_gh −
n_h/n). With O − E summed over times, χ² = (O − E)ᵀ V⁻ (O − E) on the groups with a
positive expected count, one of them left out (R drops the first), df = their number − 1.

References
----------
Mantel N. Evaluation of survival data and two new rank order statistics arising in its
consideration. Cancer Chemother Rep 1966;50:163-70.
Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc A
1972;135:185-207. doi:10.2307/2344317
R package ``survival`` >= 3.0, function ``survdiff``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["LogRank", "log_rank_arrays"]


@dataclass(frozen=True)
class LogRank:
    """Observed and expected events per group, their covariance, and the χ² test."""

    observed: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]
    variance: npt.NDArray[np.float64]
    chisq: float
    df: int


def log_rank_arrays(
    durations: npt.NDArray[np.float64],
    events: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
    n_groups: int,
) -> LogRank:
    """Log-rank χ² for ``groups`` coded 0 .. ``n_groups`` − 1."""
    times, inverse = np.unique(durations, return_inverse=True)
    shape = (times.size, n_groups)
    at_time = np.zeros(shape)
    deaths = np.zeros(shape)
    np.add.at(at_time, (inverse, groups), 1.0)
    np.add.at(deaths, (inverse, groups), events.astype(float))
    at_risk = np.cumsum(at_time[::-1], axis=0)[::-1]
    n = at_risk.sum(axis=1)
    d = deaths.sum(axis=1)
    used = d > 0
    at_risk, n, d, deaths = at_risk[used], n[used], d[used], deaths[used]
    share = at_risk / n[:, None]
    expected = (d[:, None] * share).sum(axis=0)
    observed = deaths.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    variance = np.einsum("t,tg,gh->gh", scale, share, np.eye(n_groups)) - np.einsum(
        "t,tg,th->gh", scale, share, share
    )
    keep = np.flatnonzero(expected > 0)
    df = keep.size - 1
    if df < 1:
        return LogRank(observed, expected, variance, 0.0, 0)
    diff = (observed - expected)[keep][1:]
    sub = variance[np.ix_(keep, keep)][1:, 1:]
    chisq = float(diff @ np.linalg.solve(sub, diff))
    return LogRank(observed, expected, variance, chisq, int(df))
