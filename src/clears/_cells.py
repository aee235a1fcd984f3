"""The one reading of a missing table cell, for every layer (instruments upwards).

A cell may come from CSV text, Parquet, a pandas frame or a numpy array, so "missing" has
several spellings: ``None``, NaN (Python or numpy), NaT (pandas or numpy) and
``pandas.NA``. :func:`plain_value` turns any of them into ``None`` and numpy scalars into
Python values; :func:`is_missing` asks the question, :func:`missing_mask` asks it of a whole
column at once. Blank text is a cohort-table matter
(:func:`clears.cohort._coerce.is_blank`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["is_missing", "missing_mask", "plain_value"]


def plain_value(value: object) -> Any:
    """Return a pandas/numpy cell as a plain Python value, ``None`` for every kind of missing.

    The one reading of a missing cell: ``None``, NaN (Python or numpy), NaT (pandas or
    numpy) and ``pandas.NA`` become ``None``; numpy scalars become Python ones (a numpy
    date a :class:`pandas.Timestamp`); anything else, blank text included, is returned as
    given (see :func:`clears.cohort._coerce.is_blank`).

    Examples
    --------
    >>> [plain_value(v) for v in (pd.NA, np.float64("nan"), np.datetime64("NaT"), np.int64(3))]
    [None, None, None, 3]
    >>> plain_value(np.datetime64("2020-01-02"))
    Timestamp('2020-01-02 00:00:00')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):
        return plain_value(pd.Timestamp(value))
    if isinstance(value, np.timedelta64):
        return plain_value(pd.Timedelta(value))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def is_missing(value: object) -> bool:
    """Return whether ``value`` is a missing cell (None, NaN, NaT or NA; see :func:`plain_value`).

    Blank text is not missing here; :func:`clears.cohort._coerce.is_blank` counts it too.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NaT, "  ", 0)]
    [True, True, True, False, False]
    """
    return plain_value(value) is None


def missing_mask(values: pd.Series | np.ndarray) -> np.ndarray:
    """Return :func:`is_missing` of every value of a column at once, as a boolean array.

    ``pandas.isna`` on the values as objects reads exactly the spellings :func:`plain_value`
    reads as missing (``tests/test_cells.py`` compares the two value by value), without a
    Python call per cell.

    Examples
    --------
    >>> missing_mask(pd.Series([None, "", 3, pd.NaT, float("nan")], dtype=object)).tolist()
    [True, False, False, True, True]
    """
    mask: np.ndarray = pd.isna(np.asarray(values, dtype=object))
    return mask
