"""Vectorised CLASI: an integer item array, or a frame of flat columns, to totals and bands.

Reads the same declaration as the single-record path (:data:`clasi.definition.DEFINITION`):
the column order, the allowed codes, each item's role and the dyspigmentation multiplier.

References
----------
Albrecht J, et al. J Invest Dermatol 2005;125(5):889-894. doi:10.1111/j.0022-202X.2005.23889.x
(CLASI). Klein R, et al. Arch Dermatol 2011;147(2):203-208. doi:10.1001/archdermatol.2010.435
(severity bands).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.instruments.clasi.definition import (
    ACTIVITY_MAX,
    DEFINITION,
    DOUBLING_COLUMN,
    DYSPIGMENTATION_MULTIPLIER,
    ROLES,
    SEVERITY_BANDS,
    Role,
)

if TYPE_CHECKING:
    from clears.instruments._base import Item

__all__ = ["MAX_PROBLEMS", "score_array", "score_frame", "severity_bands"]

MAX_PROBLEMS = 50
"""At most this many problems are listed one by one; the rest are counted."""

_COLUMNS = DEFINITION.columns
_ITEMS: tuple[Item, ...] = tuple(f.item for f in DEFINITION.fields)
_N_ITEMS = len(_COLUMNS)


def _weights(role: Role) -> npt.NDArray[np.int64]:
    return np.array([1 if ROLES[item.name] is role else 0 for item in _ITEMS], dtype=np.int64)


_W_ACTIVITY = _weights(Role.activity)
_W_DYSPIGMENTATION = _weights(Role.dyspigmentation)
_W_DAMAGE = _weights(Role.damage)
_DOUBLING_INDEX = _COLUMNS.index(DOUBLING_COLUMN)
_HIGH = np.array([item.maximum for item in _ITEMS], dtype=np.int64)
# Items whose codes are not a contiguous run (scalp scarring: 0, 3, 4, 5, 6).
_GAPPED = tuple(
    (j, np.array(item.codes))
    for j, item in enumerate(_ITEMS)
    if len(item.codes) != item.maximum - min(item.codes) + 1
)
_BAND_NAMES = tuple(band.name for band in SEVERITY_BANDS)
_BAND_HIGHS = np.array([band.high for band in SEVERITY_BANDS], dtype=np.float64)


class _Collector:
    """Problems found so far: the first :data:`MAX_PROBLEMS` kept, the rest only counted."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def add_rows(
        self,
        column: str,
        rows: npt.NDArray[np.intp],
        values: npt.NDArray[Any] | None,
        message: str,
        allowed: str | None,
    ) -> None:
        self.count += len(rows)
        room = MAX_PROBLEMS - len(self.problems)
        for k in range(min(room, len(rows))):
            value = None if values is None else values[rows[k]]
            if isinstance(value, np.generic):
                value = value.item()
            self.problems.append(Problem(column, value, message, allowed, row=int(rows[k]) + 1))

    def raise_if_any(self) -> None:
        if not self.count:
            return
        problems = list(self.problems)
        if self.count > len(problems):
            problems.append(
                Problem("(rows)", None, f"{self.count - len(problems)} more problems not listed")
            )
        raise InputError(problems)


def _check_codes(items: npt.NDArray[np.integer[Any]], collector: _Collector) -> None:
    # Every CLASI item's lowest code is 0 ("absent"; tested against the sources), so viewed
    # as unsigned a negative code becomes large and one comparison catches both ends.
    unsigned = items.view(np.dtype(f"u{items.dtype.itemsize}"))
    bad = unsigned > _HIGH.astype(unsigned.dtype)
    for j, codes in _GAPPED:
        bad[:, j] |= ~np.isin(items[:, j], codes)
    if not bad.any():
        return
    for col in np.flatnonzero(bad.any(axis=0)).tolist():
        rows = np.flatnonzero(bad[:, col])
        collector.add_rows(
            _COLUMNS[col], rows, items[:, col], "not an allowed level", _ITEMS[col].allowed_text()
        )


def score_array(
    items: npt.ArrayLike, *, check: bool = True
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Score an integer item array: one row per record, columns in ``DEFINITION.columns`` order.

    Parameters
    ----------
    items
        Integer array of shape ``(n, 56)``; column *j* holds the code of
        ``DEFINITION.fields[j]`` (the last column is the 0/1 dyspigmentation-duration answer).
        Any integer dtype; ``int8`` is the fastest.
    check
        Check every code against its allowed levels (default). Turn off only for arrays
        already validated, e.g. by :func:`score_frame`.

    Returns
    -------
    activity, damage
        CLASI-A (0-70) and CLASI-D (0-56) as ``int64`` arrays of length ``n``.

    Raises
    ------
    InputError
        Wrong shape or dtype, or codes outside the allowed levels (row numbers are 1-based).

    References
    ----------
    Albrecht J, et al. J Invest Dermatol 2005;125:889-894. doi:10.1111/j.0022-202X.2005.23889.x

    Examples
    --------
    >>> import numpy as np
    >>> items = np.zeros((2, 56), dtype=np.int8)
    >>> items[1, 0] = 3  # scalp erythema
    >>> items[1, 2] = 1  # scalp dyspigmentation
    >>> items[1, 55] = 1  # lasts >= 12 months: doubled
    >>> activity, damage = score_array(items)
    >>> activity.tolist(), damage.tolist()
    ([0, 3], [0, 2])
    """
    array = np.asarray(items)
    if array.ndim != 2 or array.shape[1] != _N_ITEMS:
        raise InputError(
            Problem("items", array.shape, f"expects an array of shape (n, {_N_ITEMS})")
        )
    if not np.issubdtype(array.dtype, np.integer):
        raise InputError(Problem("items", str(array.dtype), "expects an integer array"))
    if check:
        collector = _Collector()
        _check_codes(array, collector)
        collector.raise_if_any()
    dtype = array.dtype
    activity = array @ _W_ACTIVITY.astype(dtype)
    dyspigmentation = array @ _W_DYSPIGMENTATION.astype(dtype)
    other = array @ _W_DAMAGE.astype(dtype)
    multiplier = 1 + (DYSPIGMENTATION_MULTIPLIER - 1) * array[:, _DOUBLING_INDEX].astype(np.int64)
    damage = other.astype(np.int64) + dyspigmentation.astype(np.int64) * multiplier
    return activity.astype(np.int64), damage


def _column_values(
    series: pd.Series[Any], j: int, collector: _Collector
) -> npt.NDArray[np.float64] | None:
    """Return one column as float64 (NaN = missing), or ``None`` if it cannot be read."""
    column, item = _COLUMNS[j], _ITEMS[j]
    if pd.api.types.is_bool_dtype(series.dtype):
        if not item.boolean:
            collector.add(
                Problem(column, None, "expects numbers, not true/false", item.allowed_text())
            )
            return None
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    unreadable = np.flatnonzero(np.isnan(numeric) & series.notna().to_numpy())
    if len(unreadable):
        raw = series.to_numpy(dtype=object)
        collector.add_rows(column, unreadable, raw, "expects a number", item.allowed_text())
    return numeric


def score_frame(frame: pd.DataFrame, *, partial: bool = False) -> pd.DataFrame:
    """Score every row of a frame of flat CLASI item columns.

    Parameters
    ----------
    frame
        One row per assessment with the 56 item columns of ``DEFINITION.columns``
        (``clasi_scalp_ery`` ... ``clasi_dysp_12m``); other columns are ignored. Numbers
        (or nullable integers) for items; ``clasi_dysp_12m`` also accepts booleans.
    partial
        If ``False`` (default) every item must be present in every row. If ``True``, absent
        columns and missing values are skipped, totals are over the items given and the
        number of missing items is returned.

    Returns
    -------
    pandas.DataFrame
        Same index as ``frame``, with columns ``clasi_a`` (int64, 0-70), ``clasi_d`` (int64,
        0-56), ``severity`` (ordered categorical mild < moderate < severe, Klein 2011) and,
        when ``partial``, ``clasi_missing`` (int64, the number of missing items; a row with
        missing items has lower-bound totals).

    Raises
    ------
    InputError
        Listing rows (1-based) and columns of absent, missing, non-numeric or out-of-range
        values; at most :data:`MAX_PROBLEMS` listed, then a count of the rest.

    References
    ----------
    Albrecht J, et al. J Invest Dermatol 2005;125:889-894. doi:10.1111/j.0022-202X.2005.23889.x
    Klein R, et al. Arch Dermatol 2011;147:203-208. doi:10.1001/archdermatol.2010.435

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"clasi_nose_ery": [2, 3], "clasi_nose_dysp": [1, None]})
    >>> score_frame(frame, partial=True)
       clasi_a  clasi_d severity  clasi_missing
    0        2        1     mild             54
    1        3        0     mild             55
    """
    if _plain_integers(frame):
        items = frame[list(_COLUMNS)].to_numpy()
        activity, damage = score_array(items)  # checks every code
        return _assemble(activity, damage, np.zeros(len(frame), np.int64), frame, partial)
    collector = _Collector()
    n = len(frame)
    items = np.zeros((n, _N_ITEMS), dtype=np.int8)
    missing = np.zeros(n, dtype=np.int64)
    for j, column in enumerate(_COLUMNS):
        if column not in frame.columns:
            if partial:
                missing += 1
            else:
                collector.add(Problem(column, None, "column is missing", _ITEMS[j].allowed_text()))
            continue
        values = _column_values(frame[column], j, collector)
        if values is None:
            continue
        absent = np.isnan(values)
        if absent.any():
            if partial:
                missing += absent
            else:
                collector.add_rows(
                    column, np.flatnonzero(absent), None, "is missing", _ITEMS[j].allowed_text()
                )
        allowed = np.isin(values, np.array(_ITEMS[j].codes, dtype=np.float64)) | absent
        if not allowed.all():
            collector.add_rows(
                column,
                np.flatnonzero(~allowed),
                values,
                "not an allowed level",
                _ITEMS[j].allowed_text(),
            )
        items[:, j] = np.where(absent, 0.0, values) if allowed.all() else 0
    collector.raise_if_any()
    activity, damage = score_array(items, check=False)
    return _assemble(activity, damage, missing, frame, partial)


def _plain_integers(frame: pd.DataFrame) -> bool:
    """Whether every item column is present with a NumPy integer dtype (no missing values)."""
    if not all(column in frame.columns for column in _COLUMNS):
        return False
    dtypes = frame.dtypes
    return all(
        isinstance(dtypes[column], np.dtype) and np.issubdtype(dtypes[column], np.integer)
        for column in _COLUMNS
    )


def _assemble(
    activity: npt.NDArray[np.int64],
    damage: npt.NDArray[np.int64],
    missing: npt.NDArray[np.int64],
    frame: pd.DataFrame,
    partial: bool,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "clasi_a": activity,
            "clasi_d": damage,
            "severity": _bands(activity.astype(np.float64)),
        },
        index=frame.index,
    )
    if partial:
        out["clasi_missing"] = missing
    return out


def _bands(values: npt.NDArray[np.float64]) -> pd.Categorical:
    codes = np.searchsorted(_BAND_HIGHS, values, side="left").astype(np.int64)
    codes = np.where(np.isnan(values), -1, codes)
    # pandas accepts an integer array here; the stubs only declare Sequence[int].
    return pd.Categorical.from_codes(
        cast("Sequence[int]", codes), categories=pd.Index(_BAND_NAMES), ordered=True
    )


def severity_bands(values: pd.Series[Any] | npt.ArrayLike) -> pd.Series[Any]:
    """Klein 2011 severity band of each CLASI-A value: mild 0-9, moderate 10-20, severe 21-70.

    Parameters
    ----------
    values
        CLASI-A totals (whole numbers 0-70); missing values (NaN/None) give a missing band.

    Returns
    -------
    pandas.Series
        Ordered categorical (mild < moderate < severe); the index of ``values`` is kept when
        it is a Series.

    Raises
    ------
    InputError
        Values that are not whole numbers in 0-70 (row numbers are 1-based positions).

    References
    ----------
    Klein R, et al. Arch Dermatol 2011;147(2):203-208. doi:10.1001/archdermatol.2010.435

    Examples
    --------
    >>> severity_bands([0, 9, 10, 20, 21, 70]).tolist()
    ['mild', 'mild', 'moderate', 'moderate', 'severe', 'severe']
    """
    index = values.index if isinstance(values, pd.Series) else None
    series = pd.Series(values, index=index, copy=False)
    if pd.api.types.is_bool_dtype(series.dtype):
        raise InputError(Problem("clasi_a", None, "expects numbers, not true/false", "0-70"))
    numeric = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    unreadable = np.isnan(numeric) & series.notna().to_numpy()
    outside = ~np.isnan(numeric) & (
        (numeric < 0) | (numeric > ACTIVITY_MAX) | (numeric != np.floor(numeric))
    )
    collector = _Collector()
    raw = series.to_numpy(dtype=object)
    collector.add_rows(
        "clasi_a", np.flatnonzero(unreadable), raw, "expects a number", f"0-{ACTIVITY_MAX}"
    )
    collector.add_rows(
        "clasi_a",
        np.flatnonzero(outside),
        raw,
        "expects a whole number in range",
        f"0-{ACTIVITY_MAX}",
    )
    collector.raise_if_any()
    return pd.Series(_bands(numeric), index=series.index, name="severity")
