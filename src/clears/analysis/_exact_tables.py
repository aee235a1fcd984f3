"""Exact p-values of r x 2 and 2 x c contingency tables by full enumeration.

The Fisher–Freeman–Halton test conditions on both margins and sums the hypergeometric
probabilities of every table no more probable than the one observed (Freeman GH, Halton JH.
Note on an exact treatment of contingency, goodness of fit and other problems of
significance. Biometrika 1951;38:141-9. doi:10.1093/biomet/38.1-2.141). Used by
:func:`clears.analysis.fisher_exact` for tables larger than 2 x 2; deterministic, unlike
scipy's Monte Carlo default for r x c tables.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
from scipy.special import gammaln

from clears._exceptions import InputError, Problem

__all__ = ["MAX_TABLES", "freeman_halton_p"]

MAX_TABLES: Final = 2_000_000
"""The most tables :func:`freeman_halton_p` enumerates before refusing."""


def freeman_halton_p(counts: np.ndarray[Any, Any]) -> float:
    """Exact two-sided p-value of an r x 2 (or 2 x c) table by full enumeration.

    Margins fixed; p = sum of the hypergeometric probabilities of all tables no more probable
    than the observed one (Freeman GH, Halton JH. Biometrika 1951;38:141-9), with R's
    relative tolerance of 1e-7 for ties in probability.
    """
    if counts.shape[1] != 2:
        if counts.shape[0] != 2:
            raise InputError(
                Problem(
                    "table",
                    list(counts.shape),
                    "exact tests are implemented for r x 2 and 2 x c tables only",
                    "an r x 2 table, or use chi2_test",
                )
            )
        counts = counts.T
    rows = counts.sum(axis=1)
    first = int(counts[:, 0].sum())
    n_tables = int(np.prod(rows[:-1] + 1))
    if n_tables > MAX_TABLES:
        raise InputError(
            Problem("table", counts.tolist(), "too large for full enumeration", "use chi2_test")
        )
    grids = np.meshgrid(*[np.arange(r + 1) for r in rows[:-1]], indexing="ij")
    heads = np.stack([g.ravel() for g in grids], axis=1)
    last = first - heads.sum(axis=1)
    ok = (last >= 0) & (last <= rows[-1])
    cells = np.column_stack([heads[ok], last[ok]])
    log_choose = gammaln(rows + 1) - gammaln(cells + 1) - gammaln(rows - cells + 1)
    log_p = log_choose.sum(axis=1) - (
        gammaln(rows.sum() + 1) - gammaln(first + 1) - gammaln(rows.sum() - first + 1)
    )
    observed = float(
        (gammaln(rows + 1) - gammaln(counts[:, 0] + 1) - gammaln(rows - counts[:, 0] + 1)).sum()
        - (gammaln(rows.sum() + 1) - gammaln(first + 1) - gammaln(rows.sum() - first + 1))
    )
    keep = log_p <= observed + math.log1p(1e-7)
    return float(min(1.0, np.exp(log_p[keep]).sum()))
