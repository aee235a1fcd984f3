"""Inverse-variance pooling of transformed outcomes (the normal–normal model).

Given outcomes ``y_i``, sampling variances ``v_i`` and an estimate of τ², the pooled
estimate is ``μ̂ = Σ w*_i y_i / Σ w*_i`` with ``w*_i = 1/(v_i + τ²)`` and
``SE(μ̂) = (Σ w*_i)^(-1/2)``. Conventions follow ``metafor::rma.uni`` with
``test="z"`` (its default):

* confidence interval ``μ̂ ± z_(1−α/2) SE``, Wald test ``z = μ̂/SE``;
* Cochran's ``Q = Σ w_i (y_i − μ̂_EE)²`` with ``w_i = 1/v_i`` on k − 1 df;
* for random-effects models ``I² = 100 τ²/(τ² + s²)`` and ``H² = (τ² + s²)/s²`` with the
  "typical" within-study variance ``s² = (k − 1) Σw / ((Σw)² − Σw²)`` (Higgins & Thompson
  2002); for the equal-effects model ``I² = 100 max(0, Q − (k − 1))/Q``;
* prediction interval ``μ̂ ± z_(1−α/2) √(SE² + τ²)`` (metafor ``predict()``).

References
----------
Higgins JPT, Thompson SG (2002). Quantifying heterogeneity in a meta-analysis. Stat Med
21:1539-1558. doi:10.1002/sim.1186
Riley RD, Higgins JPT, Deeks JJ (2011). Interpretation of random effects meta-analyses.
BMJ 342:d549. doi:10.1136/bmj.d549
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from clears.evidence._tau2 import Tau2Estimate, Tau2Method, estimate_tau2

__all__ = ["Heterogeneity", "PooledFit", "heterogeneity", "pool"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Heterogeneity:
    """Cochran's Q with its p-value, I² (percent) and H² for a set of studies."""

    q: float
    q_df: int
    q_p: float
    i2: float
    h2: float


@dataclass(frozen=True, slots=True)
class PooledFit:
    """One pooled estimate on the transformed scale."""

    k: int
    estimate: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_fit: Tau2Estimate
    heterogeneity: Heterogeneity
    weights: FloatArray


def heterogeneity(yi: FloatArray, vi: FloatArray, tau2: float, *, random: bool) -> Heterogeneity:
    """Return Q, its p-value and I²/H² computed as metafor does (see module docstring).

    >>> h = heterogeneity(np.array([0.1, 0.5, 0.9, 1.3]), np.array([0.04] * 4), 0.2267,
    ...                   random=True)
    >>> round(h.q, 4), round(h.i2, 1)  # Q = 25 * 0.8; I2 = 0.2267/(0.2267 + 0.04)
    (20.0, 85.0)
    """
    k = len(yi)
    w = 1 / vi
    mu_ee = float(np.sum(w * yi) / np.sum(w))
    q = float(np.sum(w * (yi - mu_ee) ** 2))
    df = k - 1
    q_p = float(stats.chi2.sf(q, df)) if df > 0 else float("nan")
    if df <= 0:
        return Heterogeneity(q, df, q_p, 0.0, 1.0)
    if random:
        sw = float(np.sum(w))
        s2 = df * sw / (sw**2 - float(np.sum(w**2)))
        i2 = 100 * tau2 / (tau2 + s2)
        h2 = (tau2 + s2) / s2
    else:
        i2 = 100 * max(0.0, q - df) / q if q > 0 else 0.0
        h2 = q / df
    return Heterogeneity(q, df, q_p, i2, h2)


def pool(
    yi: npt.ArrayLike,
    vi: npt.ArrayLike,
    method: Tau2Method | str = Tau2Method.REML,
    *,
    confidence: float = 0.95,
    tau2: Tau2Estimate | None = None,
) -> PooledFit:
    """Pool outcomes by inverse-variance weighting.

    Parameters
    ----------
    yi, vi
        Outcomes and sampling variances (finite, ``vi > 0``).
    method
        τ² estimator (``EE`` for the common-effect model).
    confidence
        Confidence level of the CI and prediction interval.
    tau2
        A τ² estimate computed elsewhere (used instead of ``method``'s estimate).

    Returns
    -------
    PooledFit
        ``weights`` are percentages summing to 100.

    Examples
    --------
    >>> fit = pool([0.1, 0.5, 0.9, 1.3], [0.04] * 4, "EE")
    >>> round(fit.estimate, 4), round(fit.se, 4)  # mean 0.7; sqrt(0.04/4) = 0.1
    (0.7, 0.1)
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    fit_tau2 = tau2 if tau2 is not None else estimate_tau2(y, v, method)
    t2 = fit_tau2.tau2
    w = 1 / (v + t2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw)
    se = float(np.sqrt(1 / sw))
    crit = float(stats.norm.ppf(0.5 + confidence / 2))
    z = mu / se
    p = float(2 * stats.norm.sf(abs(z)))
    pi_half = crit * float(np.sqrt(se**2 + t2))
    random = fit_tau2.method is not Tau2Method.EE
    return PooledFit(
        k=len(y),
        estimate=mu,
        se=se,
        z=z,
        p_value=p,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        pi_low=mu - pi_half,
        pi_high=mu + pi_half,
        tau2=t2,
        tau2_fit=fit_tau2,
        heterogeneity=heterogeneity(y, v, t2, random=random),
        weights=100 * w / sw,
    )
