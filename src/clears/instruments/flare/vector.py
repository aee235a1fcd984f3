"""Vectorised flare classification: two columns of SLEDAI totals in, flare classes out.

The SLEDAI-change criteria only, read with the same rules and readings as the single-record
path (:mod:`clears.instruments.flare.definition`); the two are tested against each other.

References
----------
Petri M, Buyon J, Kim M. Lupus 1999;8:685-691. Cortés-Hernández J et al. Arthritis Res Ther
2012;14:R265, doi:10.1186/ar4111.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.instruments import sledai
from clears.instruments.flare.definition import MILD_READINGS, SEVERE_CUTOFF, resolve_rule

__all__ = ["classify_change"]


def classify_change(
    previous_scores: Sequence[object] | npt.ArrayLike | pd.Series,
    current_scores: Sequence[object] | npt.ArrayLike | pd.Series,
    *,
    rule: str = "sfi",
    severe_reading: str = "to",
    mild_reading: str | None = None,
) -> pd.Series:
    """Classify many SLEDAI changes at once (score criteria only).

    Missing scores give a missing class. Scores must be whole numbers 0-105; the two
    inputs must have the same length. The index is that of ``previous_scores`` when it is
    a Series.

    Returns
    -------
    pandas.Series
        Flare classes (strings) named ``flare``.

    Examples
    --------
    >>> classify_change([0, 0, 0], [2, 3, 13]).tolist()
    ['none', 'mild_moderate', 'severe']
    >>> classify_change([0, 0, 0], [2, 3, 13], rule="cortes2012").tolist()
    ['none', 'none', 'severe']
    """
    spec, mild, severe = resolve_rule(rule, severe_reading, mild_reading)
    index = previous_scores.index if isinstance(previous_scores, pd.Series) else None
    arrays = []
    problems: list[Problem] = []
    for name, scores in (("previous", previous_scores), ("current", current_scores)):
        plain = np.asarray(scores) if isinstance(scores, np.ndarray | pd.Series) else None
        if plain is not None and plain.dtype.kind in "iuf":
            # Numeric arrays cannot hold booleans or text: check the codes only (fast path).
            values = plain.astype(float)
            raw = pd.Series(plain)
            bad = ~np.isnan(values) & ~_is_score(values)
        else:
            raw = pd.Series(np.asarray(scores, dtype=object))
            values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = raw.notna().to_numpy() & ~(_is_score(values) & ~raw.map(_is_bool).to_numpy())
        problems += [
            Problem(
                name, raw.iloc[i], "not a SLEDAI score", "a whole number 0 to 105", row=int(i) + 1
            )
            for i in np.flatnonzero(bad)
        ]
        arrays.append(values)
    previous, current = arrays
    if len(previous) != len(current):
        problems.append(
            Problem("current", len(current), "length differs from previous", str(len(previous)))
        )
    if problems:
        raise InputError(problems)
    threshold, inclusive = MILD_READINGS[mild]
    change = current - previous
    is_mild = change >= threshold if inclusive else change > threshold
    is_severe = is_mild & (current > SEVERE_CUTOFF) if severe == "to" else change > SEVERE_CUTOFF
    labels = np.where(is_severe, "severe", np.where(is_mild, spec.levels[1], "none"))
    out = pd.Series(labels.astype(object), index=index, name="flare", dtype=object)
    missing = np.isnan(previous) | np.isnan(current)
    out[missing] = None
    return out


def _is_score(values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Whole numbers from 0 to the SLEDAI maximum (NaN is not a score)."""
    with np.errstate(invalid="ignore"):
        whole: npt.NDArray[np.bool_] = values == np.floor(values)
        return whole & (values >= 0) & (values <= sledai.MAXIMUM)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)
