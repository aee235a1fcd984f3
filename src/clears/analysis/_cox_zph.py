"""The proportional-hazards test as R's ``cox.zph`` computes it since survival 3.0.

The test is a score test of adding, for each covariate x, the time-varying term x·g(t) to
the fitted model, at (β̂, 0). With g_i = g(t_i) − mean of g over the events, the score of
the added terms is Σ g_i·r_i (r_i the Schoenfeld residuals, Efron-weighted over tied
events as in the fit) and the information, in blocks over (β, added terms), is
[[Σ V_i, Σ g_i V_i], [Σ g_i V_i, Σ g_i² V_i]] with V_i the per-event information. The
statistic of a covariate (all the columns of a categorical one together) is uᵀ I⁻¹ u with u
zero except that covariate's added score, on as many degrees of freedom as columns; the
GLOBAL test uses every added term.

g is a transform of time: ``"km"`` (R's default) 1 − S(t−) of the Kaplan–Meier curve of all
patients; ``"identity"`` t; ``"rank"`` the rank of t among all patients (ties averaged);
``"log"`` log t.

References
----------
Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted
residuals. Biometrika 1994;81:515-26. doi:10.1093/biomet/81.3.515
Therneau TM, Grambsch PM. Modeling Survival Data. Springer 2000, ch. 6; R package
``survival`` >= 3.0, function ``cox.zph`` (the score test replaced the earlier
approximation from scaled Schoenfeld residuals).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from clears.analysis._cox_fit import PartialLikelihood, RiskSets

__all__ = ["TRANSFORMS", "zph_test"]

#: Time transforms R's ``cox.zph`` accepts by name.
TRANSFORMS = ("km", "identity", "rank", "log")

_Array = npt.NDArray[np.float64]


def _transformed_times(durations: _Array, events: npt.NDArray[np.int64], name: str) -> _Array:
    if name == "identity":
        return durations.astype(float)
    if name == "log":
        with np.errstate(divide="ignore"):
            return np.log(durations)
    if name == "rank":
        return np.asarray(stats.rankdata(durations, method="average"), dtype=float)
    times, inverse = np.unique(durations, return_inverse=True)
    deaths = np.bincount(inverse, weights=events, minlength=times.size)
    n_risk = np.cumsum(np.bincount(inverse, minlength=times.size)[::-1])[::-1]
    surv = np.cumprod(1.0 - deaths / n_risk)
    before = np.concatenate([[1.0], surv])[inverse]  # S(t-): the curve before each time
    return 1.0 - before


def zph_test(
    durations: _Array,
    events: npt.NDArray[np.int64],
    sets: RiskSets,
    final: PartialLikelihood,
    terms: Mapping[str, tuple[int, ...]],
    transform: str,
) -> pd.DataFrame:
    """One row per covariate and ``GLOBAL``: ``covariate``, ``statistic``, ``df``, ``p_value``."""
    g_all = _transformed_times(durations, events, transform)
    g = g_all[sets.order][sets.deaths]
    g = g - g.mean()
    r, v = final.residuals, final.variances
    p = r.shape[1]
    u = np.concatenate([np.zeros(p), (g[:, None] * r).sum(axis=0)])
    i11 = v.sum(axis=0)
    i12 = (g[:, None, None] * v).sum(axis=0)
    i22 = ((g**2)[:, None, None] * v).sum(axis=0)
    info = np.block([[i11, i12], [i12, i22]])
    rows = []
    for name, columns in [*terms.items(), ("GLOBAL", tuple(range(p)))]:
        keep = [*range(p), *(p + c for c in columns)]
        sub_u = np.zeros(len(keep))
        sub_u[p:] = u[[p + c for c in columns]]
        statistic = float(sub_u @ np.linalg.solve(info[np.ix_(keep, keep)], sub_u))
        df = len(columns)
        rows.append(
            {
                "covariate": name,
                "statistic": statistic,
                "df": df,
                "p_value": float(stats.chi2.sf(statistic, df)),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.assign(transform=transform)
