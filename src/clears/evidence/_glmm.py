"""Binomial–normal random-intercept model for proportions (exact likelihood).

Model: ``x_i ~ Binomial(n_i, expit(θ_i))``, ``θ_i = μ + b_i``, ``b_i ~ N(0, τ²)``; μ and τ²
are estimated by maximum likelihood. Each study's marginal likelihood
``∫ Bin(x_i; n_i, expit(μ + b)) φ(b; 0, τ²) db`` is computed by adaptive Gauss–Hermite
quadrature centred at the mode of the integrand with its curvature as scale (Pinheiro &
Bates 1995), the approach of ``lme4::glmer(nAGQ=7)`` that ``metafor::rma.glmm(measure="PLO",
model="UM.FS")`` calls. No continuity correction is applied: studies with 0 or n events
contribute their exact likelihood. The standard error of μ̂ comes from the inverse of the
observed information of (μ, τ) by central finite differences; at τ̂² = 0 it is the
binomial information of μ.

References
----------
Hamza TH, van Houwelingen HC, Stijnen T (2008). The binomial distribution of meta-analysis
was preferred to model within-study variability. J Clin Epidemiol 61:41-51.
doi:10.1016/j.jclinepi.2007.03.016
Stijnen T, Hamza TH, Özdemir P (2010). Random effects meta-analysis of event outcome in
the framework of the generalized linear mixed model with applications in sparse data.
Stat Med 29:3046-3067. doi:10.1002/sim.4040
Pinheiro JC, Bates DM (1995). Approximations to the log-likelihood function in the
nonlinear mixed-effects model. J Comput Graph Stat 4:12-35. doi:10.2307/1390625
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. J Stat Softw
36(3):1-48. doi:10.18637/jss.v036.i03 (``rma.glmm``: ``QE.Wld``, ``QE.LRT``)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

from clears._exceptions import ConvergenceError

__all__ = ["GlmmFit", "GlmmHeterogeneity", "fit_glmm", "glmm_heterogeneity"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GlmmFit:
    """Maximum-likelihood fit of the binomial–normal model (logit scale)."""

    estimate: float
    se: float
    tau2: float
    loglik: float
    nodes: int
    converged: bool


@dataclass(frozen=True, slots=True)
class GlmmHeterogeneity:
    """Tests of heterogeneity of the logistic model, as ``rma.glmm(measure="PLO")`` prints.

    Both compare the equal-effects logistic model (one logit for all studies) with the
    saturated model (one logit per study) on ``df = k − 1`` degrees of freedom:

    * ``wald`` (metafor's ``QE.Wld``): the Wald statistic of the k − 1 study contrasts of
      the saturated model, which equals ``Σ w_i (ℓ_i − ℓ̄_w)²`` with ``ℓ_i`` the uncorrected
      study logits, ``w_i = x_i (n_i − x_i)/n_i`` their binomial information and ``ℓ̄_w``
      the weighted mean. A study with 0 or ``n_i`` events has a divergent logit of infinite
      variance in the saturated model and weight 0 here (the limit ``glm`` approaches).
    * ``lrt`` (``QE.LRT``): ``2 (ℓℓ_saturated − ℓℓ_equal)`` with the binomial
      log-likelihoods at ``x_i/n_i`` and at ``Σx/Σn``; exact with 0 or n events.
    """

    wald: float
    wald_p: float
    lrt: float
    lrt_p: float
    df: int


def glmm_heterogeneity(events: npt.ArrayLike, n: npt.ArrayLike) -> GlmmHeterogeneity | None:
    """The Wald-type and likelihood-ratio tests of heterogeneity (``None`` for one study).

    Parameters
    ----------
    events, n
        Event counts and sample sizes (validated upstream).

    Returns
    -------
    GlmmHeterogeneity or None
        ``None`` when there are fewer than two studies: nothing to compare.

    Examples
    --------
    Two studies, 2/10 and 8/10: logits ±1.386 with information 1.6 each, so
    ``QE.Wld = 2 · 1.6 · 1.386² = 6.15``.

    >>> h = glmm_heterogeneity([2, 8], [10, 10])
    >>> round(h.wald, 2), h.df
    (6.15, 1)
    """
    x = np.asarray(events, dtype=float)
    nn = np.asarray(n, dtype=float)
    k = len(x)
    if k < 2:
        return None
    inner = (x > 0) & (x < nn)
    xi, ni = x[inner], nn[inner]
    wald = 0.0
    if inner.any():
        logit = np.log(xi / (ni - xi))
        w = xi * (ni - xi) / ni
        wald = float(np.sum(w * (logit - np.sum(w * logit) / np.sum(w)) ** 2))

    def loglik(p: FloatArray) -> float:
        return float(np.sum(special.xlogy(x, p) + special.xlog1py(nn - x, -p)))

    pooled = np.full_like(x, x.sum() / nn.sum())
    lrt = max(0.0, 2 * (loglik(x / nn) - loglik(pooled)))
    df = k - 1
    return GlmmHeterogeneity(
        wald=wald,
        wald_p=float(stats.chi2.sf(wald, df)),
        lrt=lrt,
        lrt_p=float(stats.chi2.sf(lrt, df)),
        df=df,
    )


def _modes(mu: float, tau2: float, x: FloatArray, n: FloatArray) -> FloatArray:
    """Mode of ``x(μ+b) − n log(1+e^(μ+b)) − b²/(2τ²)`` in b, by Newton steps."""
    b = np.zeros_like(x)
    for _ in range(100):
        p = special.expit(mu + b)
        grad = x - n * p - b / tau2
        hess = -(n * p * (1 - p)) - 1 / tau2
        step = grad / hess
        b = b - step
        if np.max(np.abs(step)) < 1e-12:
            break
    return b


def _study_logliks(
    mu: float, tau2: float, x: FloatArray, n: FloatArray, gh: tuple[FloatArray, FloatArray]
) -> FloatArray:
    log_choose = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    if tau2 <= 0:
        eta = np.full_like(x, mu)
        return log_choose + x * eta - n * np.logaddexp(0.0, eta)
    nodes, weights = gh
    b_hat = _modes(mu, tau2, x, n)
    p_hat = special.expit(mu + b_hat)
    scale = 1 / np.sqrt(n * p_hat * (1 - p_hat) + 1 / tau2)
    b = b_hat[:, None] + np.sqrt(2) * scale[:, None] * nodes[None, :]
    eta = mu + b
    log_f = x[:, None] * eta - n[:, None] * np.logaddexp(0.0, eta) - b**2 / (2 * tau2)
    log_terms = log_f + nodes[None, :] ** 2 + np.log(weights)[None, :]
    integral = special.logsumexp(log_terms, axis=1) + np.log(np.sqrt(2) * scale)
    out: FloatArray = log_choose - 0.5 * np.log(2 * np.pi * tau2) + integral
    return out


def _loglik(
    mu: float, tau2: float, x: FloatArray, n: FloatArray, gh: tuple[FloatArray, FloatArray]
) -> float:
    return float(np.sum(_study_logliks(mu, tau2, x, n, gh)))


def fit_glmm(events: npt.ArrayLike, n: npt.ArrayLike, *, nodes: int = 7) -> GlmmFit:
    """Fit the binomial–normal model by maximum likelihood.

    Parameters
    ----------
    events, n
        Event counts and sample sizes (validated upstream).
    nodes
        Gauss–Hermite nodes per study (7, as ``rma.glmm``'s ``nAGQ`` default).

    Returns
    -------
    GlmmFit

    Raises
    ------
    ConvergenceError
        When the optimiser fails; the caller decides whether to fall back.

    Examples
    --------
    Identical studies carry no heterogeneity; μ̂ is the logit of the pooled proportion.

    >>> fit = fit_glmm([5, 5, 5], [20, 20, 20])
    >>> round(fit.estimate, 4), round(fit.tau2, 6)  # logit(0.25) = -1.0986
    (-1.0986, 0.0)
    """
    x = np.asarray(events, dtype=float)
    nn = np.asarray(n, dtype=float)
    gh_nodes, gh_weights = np.polynomial.hermite.hermgauss(nodes)
    gh = (gh_nodes.astype(float), gh_weights.astype(float))

    mu0 = float(special.logit(np.clip(x.sum() / nn.sum(), 1e-6, 1 - 1e-6)))
    ll_common = _loglik(mu0, 0.0, x, nn, gh)

    def negll(theta: FloatArray) -> float:
        return -_loglik(float(theta[0]), float(np.exp(2 * theta[1])), x, nn, gh)

    best: optimize.OptimizeResult | None = None
    for log_tau in (np.log(0.5), np.log(1.5), np.log(0.1)):
        res = optimize.minimize(
            negll,
            np.array([mu0, log_tau]),
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 40000},
        )
        if best is None or res.fun < best.fun:
            best = res
    if best is None or not np.isfinite(best.fun):
        raise ConvergenceError("binomial-normal GLMM: the likelihood could not be maximised")
    converged = bool(best.success)
    if not converged:
        raise ConvergenceError(f"binomial-normal GLMM did not converge: {best.message}")

    mu_hat = float(best.x[0])
    tau_hat = float(np.exp(best.x[1]))
    if -best.fun <= ll_common + 1e-9 or tau_hat < 1e-5:
        p = special.expit(mu0)
        se = float(1 / np.sqrt(np.sum(nn * p * (1 - p))))
        return GlmmFit(mu0, se, 0.0, ll_common, nodes, True)

    def negll_tau(params: FloatArray) -> float:
        return -_loglik(float(params[0]), float(params[1]) ** 2, x, nn, gh)

    point = np.array([mu_hat, tau_hat])
    hess = _hessian(negll_tau, point)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError("binomial-normal GLMM: singular information matrix") from exc
    if not (cov[0, 0] > 0):
        raise ConvergenceError("binomial-normal GLMM: information matrix not positive definite")
    return GlmmFit(mu_hat, float(np.sqrt(cov[0, 0])), tau_hat**2, float(-best.fun), nodes, True)


def _hessian(
    f: Callable[[FloatArray], float], point: FloatArray, rel_step: float = 1e-4
) -> FloatArray:
    """Central-difference Hessian of a scalar function of a vector."""
    dim = len(point)
    h = rel_step * np.maximum(np.abs(point), 1.0)
    out = np.zeros((dim, dim))
    for i in range(dim):
        for j in range(i, dim):
            ei = np.zeros(dim)
            ej = np.zeros(dim)
            ei[i] = h[i]
            ej[j] = h[j]
            val = (
                f(point + ei + ej) - f(point + ei - ej) - f(point - ei + ej) + f(point - ei - ej)
            ) / (4 * h[i] * h[j])
            out[i, j] = out[j, i] = val
    return out
