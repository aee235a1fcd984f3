"""Per-row test selection for :func:`clears.analysis.table_one` (gtsummary ``add_p`` defaults).

Categorical rows: Pearson's χ² without continuity correction when every expected count is
≥ 5 (Cochran WG. Biometrics 1954;10:417-51. doi:10.2307/3001616); otherwise Fisher's exact
test (2 x 2) or the Fisher–Freeman–Halton exact test (r x 2, 2 x c); larger sparse tables
get χ² with a :class:`~clears.StatisticalWarning`. Continuous rows: Mann–Whitney U for two
groups, Kruskal–Wallis for more, Welch's t test where asked (Sjoberg DD, et al. R J
2021;13:570-80. doi:10.32614/RJ-2021-053).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Final

import numpy as np

from clears._exceptions import InputError, StatisticalWarning
from clears.analysis._results import ComparisonResult
from clears.analysis.comparisons import (
    chi2_test,
    fisher_exact,
    kruskal_wallis,
    mann_whitney,
    t_test,
)

__all__ = ["SELECTION", "RowTester"]

SELECTION: Final = (
    "Tests: categorical variables by Pearson's chi-squared test without continuity "
    "correction when every expected count is >= 5 (Cochran 1954), otherwise Fisher's exact "
    "test (2 x 2) or the Fisher-Freeman-Halton exact test (r x 2, 2 x c); continuous "
    "variables by the Mann-Whitney U test (two groups) or the Kruskal-Wallis test (more "
    "groups), or Welch's t test where asked. Missing values are left out of every test."
)
"""The footnote describing the selection rule that :class:`RowTester` applies."""


class RowTester:
    """Runs the tests and remembers their full names and any fragile result."""

    def __init__(self) -> None:
        self.methods: dict[str, list[str]] = {}
        self.notes: list[str] = []

    def record(self, label: str, short: str, result: ComparisonResult) -> tuple[str, float]:
        key = f"{short}: {result.method}"
        self.methods.setdefault(key, []).append(label)
        return short, result.p_value

    def categorical(self, label: str, counts: np.ndarray[Any, Any]) -> tuple[str, float]:
        counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
        if min(counts.shape) < 2:
            self.notes.append(f"{label}: no test (fewer than two levels or groups with data)")
            return "", math.nan
        expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
        if float(expected.min()) >= 5:
            return self.record(label, "Pearson's chi-squared", chi2_test(counts))
        if 2 in counts.shape:
            with warnings.catch_warnings():
                # the zero-cell warning concerns the odds ratio, which Table 1 does not show
                warnings.simplefilter("ignore", StatisticalWarning)
                try:
                    result = fisher_exact(counts)
                except InputError:
                    result = None
            if result is not None:
                short = "Fisher's exact" if counts.shape == (2, 2) else "Fisher-Freeman-Halton"
                return self.record(label, short, result)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StatisticalWarning)
            result = chi2_test(counts)
        message = (
            f"{label}: chi-squared test with an expected count of {float(expected.min()):.2f} "
            "< 5 and no exact test available for this table; the p-value is doubtful"
        )
        self.notes.append(message)
        warnings.warn(message, StatisticalWarning, stacklevel=4)
        return self.record(label, "Pearson's chi-squared", result)

    def continuous(
        self, label: str, samples: list[np.ndarray[Any, Any]], welch: bool
    ) -> tuple[str, float]:
        if any(s.size == 0 for s in samples):
            self.notes.append(f"{label}: no test (a group has no values)")
            return "", math.nan
        if welch:
            if min(s.size for s in samples) < 2:
                self.notes.append(f"{label}: no Welch t test (a group has fewer than 2 values)")
                return "", math.nan
            return self.record(label, "Welch t", t_test(samples[0], samples[1]))
        if np.unique(np.concatenate(samples)).size < 2:
            self.notes.append(f"{label}: no test (all values are equal)")
            return "", math.nan
        if len(samples) == 2:
            return self.record(label, "Mann-Whitney U", mann_whitney(samples[0], samples[1]))
        return self.record(label, "Kruskal-Wallis", kruskal_wallis(*samples))
