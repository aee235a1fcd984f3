"""Per-patient reductions over rows labelled with integer patient codes (0..n-1).

One job: turn row-level arrays into one value per patient without Python loops.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["first_true", "group_max", "group_min", "segmented_cummin"]

Float = npt.NDArray[np.float64]
Codes = npt.NDArray[np.int64]


def group_min(codes: Codes, values: Float, n: int) -> Float:
    """Minimum of ``values`` per code (``inf`` for codes with no row; NaN rows ignored)."""
    out = np.full(n, np.inf)
    keep = ~np.isnan(values)
    np.minimum.at(out, codes[keep], values[keep])
    return out


def group_max(codes: Codes, values: Float, n: int) -> Float:
    """Maximum of ``values`` per code (``-inf`` for codes with no row; NaN rows ignored)."""
    out = np.full(n, -np.inf)
    keep = ~np.isnan(values)
    np.maximum.at(out, codes[keep], values[keep])
    return out


def first_true(codes: Codes, times: Float, mask: npt.NDArray[np.bool_], n: int) -> Float:
    """Earliest ``times`` per code among rows where ``mask`` holds (NaN when none)."""
    out = group_min(codes[mask], times[mask], n)
    out[np.isinf(out)] = np.nan
    return out


def segmented_cummin(codes: Codes, values: Float) -> Float:
    """Running minimum of ``values`` restarting at each code; rows sorted by code.

    ``values`` must lie in [0, 1000); NaN rows are treated as 999 (never the minimum).

    Examples
    --------
    >>> segmented_cummin(np.array([0, 0, 1, 1]), np.array([5.0, 3.0, 7.0, 9.0])).tolist()
    [5.0, 3.0, 7.0, 7.0]
    """
    # Each later code is shifted 1000 lower, so a running minimum never carries across codes.
    shift = codes.astype(np.float64) * 1000.0
    shifted = np.where(np.isnan(values), 999.0, values) - shift
    return np.minimum.accumulate(shifted) + shift
