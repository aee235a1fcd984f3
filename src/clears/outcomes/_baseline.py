"""Baseline CLASI-A and the Klein 2011 severity band at baseline.

Baseline is the last visit with a CLASI-A on or before the index date and no more than
``window_days`` before it (default :data:`BASELINE_WINDOW_DAYS`). Visits before that window are
ignored. Decision support (:mod:`clears.protocol`) chooses its baseline with the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from clears.outcomes._group import group_max
from clears.outcomes._timeline import Timeline

__all__ = ["BASELINE_WINDOW_DAYS", "Baseline", "baseline", "severity_band"]

#: Default oldest baseline visit, in days before the index date, that the outcome engine
#: accepts (``derive(baseline_window_days=...)``).
BASELINE_WINDOW_DAYS: Final = 30

Float = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Baseline:
    """Per patient: baseline day (NaN if none) and baseline CLASI-A (NaN if none)."""

    day: Float
    clasi_a: Float


def baseline(tl: Timeline, *, window_days: int) -> Baseline:
    """Find each patient's baseline visit.

    Examples
    --------
    See ``tests/outcomes/test_baseline.py``.
    """
    rel = tl.v_day - tl.index_day[tl.v_code]
    inside = (rel <= 0) & (rel >= -window_days)
    # Rows are sorted by patient, day and score, so the last row in the window wins; its
    # position gives both the day and the score.
    pos = group_max(tl.v_code[inside], np.flatnonzero(inside).astype(np.float64), tl.n)
    found = np.isfinite(pos)
    idx = np.where(found, pos, 0).astype(np.int64)
    day = np.where(found, tl.v_day[idx] if len(tl.v_day) else np.nan, np.nan)
    score = np.where(found, tl.v_clasi[idx] if len(tl.v_clasi) else np.nan, np.nan)
    return Baseline(day=day, clasi_a=score)


def severity_band(clasi_a: Float) -> npt.NDArray[np.object_]:
    """Klein 2011 band (mild 0-9, moderate 10-20, severe 21-70) of each baseline; None if NaN.

    Uses :func:`clears.instruments.clasi.severity_bands` (Klein R, et al. Arch Dermatol
    2011;147(2):203-208, doi:10.1001/archdermatol.2010.435).

    Examples
    --------
    >>> severity_band(np.array([9.0, 10.0, 21.0, np.nan])).tolist()
    ['mild', 'moderate', 'severe', None]
    """
    from clears.instruments.clasi import severity_bands

    bands = severity_bands(clasi_a).astype(object).to_numpy()
    out = np.full(len(bands), None, dtype=np.object_)
    known = ~np.isnan(clasi_a)
    out[known] = bands[known]
    return out
