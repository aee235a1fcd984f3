"""Cox proportional-hazards models as R's ``coxph``, with ``cox.zph``'s PH test.

The arithmetic is in :mod:`._cox_fit` (partial likelihood, R's Newton–Raphson path) and
:mod:`._cox_zph` (the proportional-hazards score test); this module checks the input, codes
the covariates (:func:`._survival_data.design_matrix`) and builds the result.

References
----------
Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187-220.
Efron B. J Am Stat Assoc 1977;72:557-65. doi:10.1080/01621459.1977.10480613 (ties).
Grambsch PM, Therneau TM. Biometrika 1994;81:515-26. doi:10.1093/biomet/81.3.515
Therneau TM, Grambsch PM. Modeling Survival Data: Extending the Cox Model. Springer 2000;
R package ``survival`` >= 3.0, functions ``coxph``, ``summary.coxph`` and ``cox.zph``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from clears._exceptions import ConvergenceError, InputError, Problem, StatisticalWarning
from clears.analysis._cox_fit import fit_cox, risk_sets
from clears.analysis._cox_zph import TRANSFORMS, zph_test
from clears.analysis._results import ComparisonResult
from clears.analysis._survival_data import design_matrix, survival_frame, z_value
from clears.analysis._validation import require_columns, require_option

__all__ = ["CoxResult", "cox_ph"]


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model.

    Attributes
    ----------
    summary
        One row per coefficient: ``covariate`` (``column=level`` for a level of a
        categorical covariate), ``coef``, ``hazard_ratio``, ``se``, ``ci_low``, ``ci_high``
        (of the HR, Wald), ``z``, ``p_value``.
    ph_test
        The proportional-hazards score test of R's ``cox.zph``: one row per covariate and
        ``GLOBAL``, with ``statistic``, ``df``, ``p_value``, ``transform``.
    n, events
        Patients and events used.
    method
        Estimator, ties, CI and PH-test description.
    loglik
        Log partial likelihood at β = 0 and at the estimate (R ``fit$loglik``).
    likelihood_ratio, wald, score
        The global tests of all coefficients = 0 (R ``summary(coxph)``).
    references
        The reference level of each categorical covariate.
    iterations
        Newton–Raphson iterations (R ``fit$iter``).
    """

    summary: pd.DataFrame
    ph_test: pd.DataFrame
    n: int
    events: int
    method: str
    loglik: tuple[float, float] = (math.nan, math.nan)
    likelihood_ratio: ComparisonResult | None = None
    wald: ComparisonResult | None = None
    score: ComparisonResult | None = None
    references: Mapping[str, str] = field(default_factory=dict)
    iterations: int = 0


def _global_test(name: str, statistic: float, df: int, n: int) -> ComparisonResult:
    return ComparisonResult(
        method=f"{name} test of all coefficients = 0 (Cox model; R summary.coxph)",
        statistic=statistic,
        statistic_name="chi2",
        p_value=float(stats.chi2.sf(statistic, df)),
        df=float(df),
        n=(n,),
    )


def cox_ph(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: Sequence[str],
    confidence: float = 0.95,
    ph_transform: str = "km",
    ties: str = "efron",
) -> CoxResult:
    """Cox proportional-hazards model as R's ``coxph``, with ``cox.zph``'s PH test.

    Parameters
    ----------
    data
        One row per patient; rows with a missing value in a used column are left out.
    duration, event
        Column names: time (>= 0) and 1/True if the event was seen.
    covariates
        Numeric or boolean columns enter as they are; any other column is categorical,
        coded as R codes a factor (first sorted level, or first category, is the reference).
    confidence
        Level of the Wald CI of the hazard ratios.
    ph_transform
        Time transform of the PH test: ``"km"`` (R's default), ``"identity"``, ``"rank"``
        or ``"log"``.
    ties
        ``"efron"`` (R's default) or ``"breslow"``.

    Raises
    ------
    InputError
        Bad columns, a covariate with one value, or collinear covariates.
    ConvergenceError
        When 20 Newton–Raphson iterations do not converge (R warns "Ran out of iterations").

    Notes
    -----
    Fewer than 10 events per coefficient, or a coefficient that may be infinite (R's
    "Loglik converged before variable ..."), gives a :class:`~clears.StatisticalWarning`.

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 7, 8], "e": [1] * 8,
    ...                    "x": [1, 0, 1, 1, 0, 0, 1, 0]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fit = cox_ph(df, duration="t", event="e", covariates=["x"])
    >>> fit.summary["covariate"].tolist(), fit.ph_test["covariate"].tolist()
    (['x'], ['x', 'GLOBAL'])
    """
    require_option("ph_transform", ph_transform, TRANSFORMS)
    require_option("ties", ties, ("efron", "breslow"))
    z = z_value(confidence)
    covariates = [str(c) for c in covariates] if not isinstance(covariates, str) else []
    if not covariates:
        raise InputError(Problem("covariates", [], "needs at least one covariate", "column names"))
    require_columns(data, covariates, "data")
    frame = survival_frame(data, duration, event, covariates)
    design = design_matrix(frame, covariates)
    durations = frame[duration].to_numpy(dtype=float)
    events_arr = frame[event].to_numpy(dtype=np.int64)
    events = int(events_arr.sum())
    if events == 0:
        raise InputError(Problem(event, 0, "no events: a Cox model needs at least one", ">= 1"))
    p = len(design.names)
    if events < 10 * p:
        warnings.warn(
            f"{events} events for {p} coefficient(s): fewer than 10 events per covariate",
            StatisticalWarning,
            stacklevel=2,
        )
    sets = risk_sets(durations, events_arr)
    centred = design.x - design.x.mean(axis=0)
    try:
        if np.linalg.matrix_rank(centred) < p:
            raise np.linalg.LinAlgError
        fit = fit_cox(design.x, sets, efron=ties == "efron")
    except np.linalg.LinAlgError:
        raise InputError(
            Problem(
                "covariates",
                list(covariates),
                "the covariates are collinear (one is a combination of the others)",
                "covariates that are not linear combinations of each other",
            )
        ) from None
    if not fit.converged:
        raise ConvergenceError(
            f"the Cox model did not converge in {fit.iterations} Newton-Raphson iterations"
        )
    for i in fit.infinite:
        warnings.warn(
            f"coefficient of {design.names[i]!r} may be infinite "
            "(the log-likelihood converged before it)",
            StatisticalWarning,
            stacklevel=2,
        )
    se = np.sqrt(np.diag(fit.variance))
    zvalues = fit.coef / se
    with np.errstate(over="ignore"):  # an infinite coefficient's CI ends at inf, as in R
        summary = pd.DataFrame(
            {
                "covariate": list(design.names),
                "coef": fit.coef,
                "hazard_ratio": np.exp(fit.coef),
                "se": se,
                "ci_low": np.exp(fit.coef - z * se),
                "ci_high": np.exp(fit.coef + z * se),
                "z": zvalues,
                "p_value": 2 * stats.norm.sf(np.abs(zvalues)),
            }
        )
    ph = zph_test(durations, events_arr, sets, fit.final, design.terms, ph_transform)
    n = len(frame)
    method = (
        f"Cox proportional hazards (partial likelihood, {ties.capitalize()} ties, "
        f"Wald {float(confidence):.0%} CI; R coxph); PH test: score test of x*g(t), "
        f"g = {ph_transform} transform of time (R cox.zph, survival >= 3.0)"
    )
    return CoxResult(
        summary=summary,
        ph_test=ph,
        n=n,
        events=events,
        method=method,
        loglik=(fit.loglik_null, fit.loglik),
        likelihood_ratio=_global_test("likelihood-ratio", 2 * (fit.loglik - fit.loglik_null), p, n),
        wald=_global_test("Wald", fit.wald_test, p, n),
        score=_global_test("score (log-rank)", fit.score_test, p, n),
        references=dict(design.references),
        iterations=fit.iterations,
    )
