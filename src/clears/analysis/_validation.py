"""Argument checks shared by the analysis functions; each failure is an InputError."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._cells import is_missing
from clears._exceptions import InputError, Problem

__all__ = [
    "check_confidence",
    "is_missing",
    "require_columns",
    "require_option",
    "to_numeric_sample",
]


def require_columns(data: pd.DataFrame, columns: Iterable[str | None], table: str) -> None:
    """Raise one InputError naming every column of ``columns`` missing from ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(Problem(table, type(data).__name__, "must be a pandas DataFrame"))
    wanted = [c for c in columns if c is not None]
    problems = [
        Problem(
            column,
            None,
            f"column not found in {table}",
            ", ".join(map(str, data.columns)) or "(no columns)",
        )
        for column in wanted
        if column not in data.columns
    ]
    if problems:
        raise InputError(problems)


def require_option(name: str, value: Any, allowed: Sequence[Any]) -> None:
    """Raise an InputError unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InputError(
            Problem(name, value, "unknown option", ", ".join(repr(a) for a in allowed))
        )


def check_confidence(confidence: float) -> None:
    """Raise an InputError unless ``0 < confidence < 1``."""
    if not (isinstance(confidence, int | float) and 0 < confidence < 1):
        raise InputError(
            Problem("confidence", confidence, "must be a probability", "0 < confidence < 1")
        )


def to_numeric_sample(values: Any, name: str, minimum: int = 1) -> npt.NDArray[np.float64]:
    """Return ``values`` as a float array without NaNs, or raise an InputError."""
    try:
        array: npt.NDArray[np.float64] = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(Problem(name, None, "must contain numbers only")) from None
    array = array[~np.isnan(array)]
    if array.size < minimum:
        raise InputError(
            Problem(
                name,
                int(array.size),
                f"needs at least {minimum} non-missing value(s)",
                f">= {minimum} values",
            )
        )
    if not np.all(np.isfinite(array)):
        raise InputError(Problem(name, None, "contains infinite values", "finite numbers"))
    return array
