"""Cox partial likelihood (Efron or Breslow ties) maximised as R's ``coxph`` does.

For the d tied events at a time t, with risk-set sums S0 = Σ exp(η), S1 = Σ exp(η)x,
S2 = Σ exp(η)xxᵀ and the same sums D0, D1, D2 over the d events, Efron's approximation uses
for the r-th event (r = 0 .. d − 1) the sums S − (r/d)·D; Breslow's uses S for all d. Each
event adds η_i − log s0 to the log-likelihood, x_i − s1/s0 to the score and s2/s0 −
s1s1ᵀ/s0² to the information.

The maximisation is R's ``coxfit6``: Newton–Raphson from β = 0, the score test taken at
that first step, stopping when |1 − ℓ_old/ℓ_new| <= 1e-9 (not while halving), the step
halved when the log-likelihood falls, at most 20 iterations; then the variance is the
inverse information at the last β. A coefficient whose remaining Newton step exceeds both
1e-9 and sqrt(1e-9)·|β| is reported as possibly infinite (monotone likelihood), as R warns.

References
----------
Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc
1977;72:557-65. doi:10.1080/01621459.1977.10480613
Breslow N. Covariance analysis of censored survival data. Biometrics 1974;30:89-99.
Therneau TM, Grambsch PM. Modeling Survival Data. Springer 2000, ch. 3; R package
``survival`` >= 3.0, functions ``coxph``, ``coxph.control`` and ``coxph.fit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["CoxFit", "PartialLikelihood", "RiskSets", "fit_cox", "partial_likelihood", "risk_sets"]

_Array = npt.NDArray[np.float64]
EPS = 1e-9  # coxph.control(eps)
MAX_ITER = 20  # coxph.control(iter.max)
TOLER_INF = math.sqrt(EPS)  # coxph.control(toler.inf)


@dataclass(frozen=True)
class RiskSets:
    """Event bookkeeping shared by every evaluation of the partial likelihood.

    ``order`` sorts patients by time; ``start[k]`` is the first sorted patient at risk at
    the k-th event; ``deaths`` lists the sorted positions of the events; ``tie`` the index
    of each event's time; ``rank`` (r) and ``size`` (d) its place among the tied events.
    """

    order: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    deaths: npt.NDArray[np.int64]
    tie: npt.NDArray[np.int64]
    rank: _Array
    size: _Array


def risk_sets(durations: _Array, events: npt.NDArray[np.int64]) -> RiskSets:
    """Sort once and find, for every event, its risk set and its place among tied events."""
    order = np.argsort(durations, kind="stable")
    t = durations[order]
    e = events[order]
    deaths = np.flatnonzero(e == 1)
    death_times, tie, size = np.unique(t[deaths], return_inverse=True, return_counts=True)
    start = np.searchsorted(t, death_times, side="left")
    first = np.searchsorted(tie, np.arange(death_times.size), side="left")
    rank = np.arange(deaths.size) - first[tie]
    return RiskSets(
        order=order.astype(np.int64),
        start=start.astype(np.int64),
        deaths=deaths.astype(np.int64),
        tie=tie.astype(np.int64),
        rank=rank.astype(float),
        size=size[tie].astype(float),
    )


@dataclass(frozen=True)
class PartialLikelihood:
    """Log partial likelihood, score and information at one β, with per-event pieces.

    ``residuals`` are the per-event score terms x_i − s1/s0 (Schoenfeld residuals) and
    ``variances`` the per-event information terms, used by the proportional-hazards test.
    """

    loglik: float
    score: _Array
    information: _Array
    residuals: _Array
    variances: _Array


def partial_likelihood(
    x: _Array, sets: RiskSets, beta: _Array, *, efron: bool
) -> PartialLikelihood:
    """Evaluate the Cox log partial likelihood and its derivatives (``x`` centred)."""
    xs = x[sets.order]
    eta = xs @ beta
    w = np.exp(eta)
    wx = w[:, None] * xs
    wxx = wx[:, :, None] * xs[:, None, :]
    s0 = np.cumsum(w[::-1])[::-1][sets.start]
    s1 = np.cumsum(wx[::-1], axis=0)[::-1][sets.start]
    s2 = np.cumsum(wxx[::-1], axis=0)[::-1][sets.start]
    dead = sets.deaths
    n_times = sets.start.size
    d0 = np.bincount(sets.tie, weights=w[dead], minlength=n_times)
    d1 = np.zeros((n_times, x.shape[1]))
    np.add.at(d1, sets.tie, wx[dead])
    d2 = np.zeros((n_times, x.shape[1], x.shape[1]))
    np.add.at(d2, sets.tie, wxx[dead])
    frac = sets.rank / sets.size if efron else np.zeros(dead.size)
    a0 = s0[sets.tie] - frac * d0[sets.tie]
    a1 = s1[sets.tie] - frac[:, None] * d1[sets.tie]
    a2 = s2[sets.tie] - frac[:, None, None] * d2[sets.tie]
    mean = a1 / a0[:, None]
    residuals = xs[dead] - mean
    variances = a2 / a0[:, None, None] - mean[:, :, None] * mean[:, None, :]
    loglik = float(np.sum(eta[dead]) - np.sum(np.log(a0)))
    return PartialLikelihood(
        loglik=loglik,
        score=residuals.sum(axis=0),
        information=variances.sum(axis=0),
        residuals=residuals,
        variances=variances,
    )


@dataclass(frozen=True)
class CoxFit:
    """A maximised Cox model (coefficients on the caller's covariate scale)."""

    coef: _Array
    variance: _Array
    loglik_null: float
    loglik: float
    score_test: float
    wald_test: float
    iterations: int
    converged: bool
    infinite: tuple[int, ...]
    final: PartialLikelihood


def _solve(information: _Array, vector: _Array) -> _Array:
    return np.asarray(np.linalg.solve(information, vector), dtype=float)


def fit_cox(x: _Array, sets: RiskSets, *, efron: bool) -> CoxFit:
    """Maximise the partial likelihood with R ``coxfit6``'s Newton–Raphson rules.

    Raises :class:`numpy.linalg.LinAlgError` when the information is singular (collinear
    covariates).
    """
    centred = x - x.mean(axis=0)
    beta = np.zeros(x.shape[1])
    first = partial_likelihood(centred, sets, beta, efron=efron)
    step = _solve(first.information, first.score)
    score_test = float(first.score @ step)
    loglik_null = first.loglik
    best = loglik_null
    new_beta = beta + step
    halving = False
    current = first
    converged = False
    iterations = 0
    for iterations in range(1, MAX_ITER + 1):
        current = partial_likelihood(centred, sets, new_beta, efron=efron)
        if not halving and abs(1 - best / current.loglik) <= EPS:
            converged = True
            break
        if iterations == MAX_ITER:
            break
        if current.loglik < best:
            halving = True
            new_beta = (new_beta + beta) / 2
        else:
            halving = False
            best = current.loglik
            beta = new_beta
            new_beta = new_beta + _solve(current.information, current.score)
    variance = np.asarray(np.linalg.inv(current.information), dtype=float)
    remaining = np.abs(current.score @ variance)
    infinite = tuple(
        int(i)
        for i in np.flatnonzero((remaining > EPS) & (remaining > TOLER_INF * np.abs(new_beta)))
    )
    return CoxFit(
        coef=new_beta,
        variance=variance,
        loglik_null=loglik_null,
        loglik=current.loglik,
        score_test=score_test,
        wald_test=float(new_beta @ current.information @ new_beta),
        iterations=iterations,
        converged=converged,
        infinite=infinite if converged else (),
        final=current,
    )
