"""Between-study variance (τ²) estimators for the intercept-only random-effects model.

All follow ``metafor::rma.uni`` for a model without moderators, with outcomes ``y_i`` and
known sampling variances ``v_i``; ``w_i = 1/v_i``:

* ``EE`` – equal (common) effect: τ² = 0.
* ``DL`` – DerSimonian & Laird (1986), method of moments:
  τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)).
* ``PM`` – Paule & Mandel (1982): the τ² ≥ 0 at which the generalised Q statistic
  Σ (y_i − μ̂)²/(v_i + τ²) equals k − 1 (0 when Q(0) < k − 1); solved by Brent's method.
* ``ML`` and ``REML`` – (restricted) maximum likelihood by Fisher scoring with step
  halving and truncation at 0, started at the DL value (Viechtbauer 2005).

References
----------
DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin Trials
7:177-188. doi:10.1016/0197-2456(86)90046-2
Paule RC, Mandel J (1982). Consensus values and weighting factors. J Res Natl Bur Stand
87:377-385. doi:10.6028/jres.087.022
Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. J Educ Behav Stat 30:261-293. doi:10.3102/10769986030003261
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy import optimize

from clears._exceptions import ConvergenceError

__all__ = ["Tau2Estimate", "Tau2Method", "estimate_tau2"]

FloatArray = npt.NDArray[np.float64]

MAX_ITER = 1000
TOLERANCE = 1e-10


class Tau2Method(StrEnum):
    """Estimators of the between-study variance for inverse-variance models."""

    EE = "EE"
    DL = "DL"
    PM = "PM"
    ML = "ML"
    REML = "REML"


@dataclass(frozen=True, slots=True)
class Tau2Estimate:
    """A τ² estimate with how it was reached."""

    tau2: float
    method: Tau2Method
    iterations: int
    converged: bool


def _weighted_mean(y: FloatArray, w: FloatArray) -> float:
    return float(np.sum(w * y) / np.sum(w))


def _dl(y: FloatArray, v: FloatArray) -> float:
    w = 1 / v
    k = len(y)
    q = float(np.sum(w * (y - _weighted_mean(y, w)) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    if k < 2 or c <= 0:
        return 0.0
    return max(0.0, (q - (k - 1)) / c)


def _generalised_q(tau2: float, y: FloatArray, v: FloatArray) -> float:
    w = 1 / (v + tau2)
    return float(np.sum(w * (y - _weighted_mean(y, w)) ** 2))


def _pm(y: FloatArray, v: FloatArray) -> Tau2Estimate:
    k = len(y)
    target = k - 1

    def excess(tau2: float) -> float:
        return _generalised_q(tau2, y, v) - target

    if k < 2 or excess(0.0) <= 0:
        return Tau2Estimate(0.0, Tau2Method.PM, 0, True)
    upper = max(float(np.var(y, ddof=1)), float(np.max(v)), 1e-8)
    doublings = 0
    while excess(upper) > 0:
        upper *= 2
        doublings += 1
        if doublings > 200:
            raise ConvergenceError("Paule-Mandel: no upper bound for tau^2 was found")
    root, info = optimize.brentq(excess, 0.0, upper, xtol=1e-14, full_output=True)
    if not info.converged:
        raise ConvergenceError(f"Paule-Mandel did not converge after {info.iterations} steps")
    return Tau2Estimate(float(root), Tau2Method.PM, int(info.iterations) + doublings, True)


def _loglik(tau2: float, y: FloatArray, v: FloatArray, *, reml: bool) -> float:
    w = 1 / (v + tau2)
    mu = _weighted_mean(y, w)
    ll = -0.5 * float(np.sum(np.log(v + tau2)) + np.sum(w * (y - mu) ** 2))
    if reml:
        ll -= 0.5 * float(np.log(np.sum(w)))
    return ll


def _fisher_scoring(y: FloatArray, v: FloatArray, method: Tau2Method) -> Tau2Estimate:
    reml = method is Tau2Method.REML
    tau2 = _dl(y, v)
    for iteration in range(1, MAX_ITER + 1):
        w = 1 / (v + tau2)
        sw = float(np.sum(w))
        r = y - float(np.sum(w * y)) / sw
        if reml:
            trace_p = sw - float(np.sum(w**2)) / sw
            trace_pp = (
                float(np.sum(w**2))
                - 2 * float(np.sum(w**3)) / sw
                + float(np.sum(w**2)) ** 2 / sw**2
            )
            score = float(np.sum(w**2 * r**2)) - trace_p
            info = trace_pp
        else:
            score = float(np.sum(w**2 * r**2)) - sw
            info = float(np.sum(w**2))
        step = score / info
        current = _loglik(tau2, y, v, reml=reml)
        new = max(0.0, tau2 + step)
        halvings = 0
        while _loglik(new, y, v, reml=reml) < current - 1e-12 and halvings < 60:
            step /= 2
            new = max(0.0, tau2 + step)
            halvings += 1
        if abs(new - tau2) < TOLERANCE:
            return Tau2Estimate(new, method, iteration, True)
        tau2 = new
    raise ConvergenceError(
        f"{method.value} Fisher scoring did not converge in {MAX_ITER} iterations"
    )


def estimate_tau2(
    yi: npt.ArrayLike, vi: npt.ArrayLike, method: Tau2Method | str = Tau2Method.REML
) -> Tau2Estimate:
    """Estimate the between-study variance τ².

    Parameters
    ----------
    yi, vi
        Outcomes and their (positive, finite) sampling variances.
    method
        ``EE``, ``DL``, ``PM``, ``ML`` or ``REML`` (the default, as in metafor).

    Returns
    -------
    Tau2Estimate

    Raises
    ------
    ConvergenceError
        When an iterative estimator does not converge; nothing is substituted.

    Examples
    --------
    Four studies with equal variances: DL reduces to the sample variance minus v.

    >>> est = estimate_tau2([0.1, 0.5, 0.9, 1.3], [0.04] * 4, "DL")
    >>> round(est.tau2, 4)  # var(y) = 0.2667; 0.2667 - 0.04
    0.2267
    """
    m = Tau2Method(method)
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if m is Tau2Method.EE or len(y) < 2:
        return Tau2Estimate(0.0, m, 0, True)
    if m is Tau2Method.DL:
        return Tau2Estimate(_dl(y, v), m, 0, True)
    if m is Tau2Method.PM:
        return _pm(y, v)
    return _fisher_scoring(y, v, m)
