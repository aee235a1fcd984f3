"""Checked survival inputs: durations, event indicators, groups and a Cox design matrix.

Durations and events may be Python or NumPy numbers (any integer or float dtype, booleans
for events); rows with a missing value in a used column are left out, as R's default
``na.action = na.omit`` does. Times equal but for rounding error are merged as R's
``timefix = TRUE`` (``aeqSurv``) merges them. Non-numeric covariates are coded as R codes a
factor in a model formula (treatment contrasts): the first level in sorted order is the
reference and every other level gets a 0/1 column named ``column=level``.

References
----------
R package ``survival`` >= 3.0, function ``aeqSurv`` (the ``timefix`` option of ``survfit``,
``survdiff`` and ``coxph``).
Chambers JM, Hastie TJ. Statistical Models in S. Wadsworth 1992, ch. 2 (treatment
contrasts of a factor in a model formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from clears._exceptions import InputError, Problem
from clears.analysis._validation import check_confidence, require_columns

__all__ = ["Design", "design_matrix", "survival_frame", "timefix", "to_float_list", "z_value"]

#: R ``aeqSurv``'s tolerance, ``sqrt(.Machine$double.eps)``.
TIME_TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def timefix(durations: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Merge times that differ only by rounding error, as R's ``aeqSurv`` (``timefix``).

    Distinct times closer than 1.5e-8, absolutely or relative to the mean absolute time,
    become the smallest of them (e.g. 1 and 1 + 1e-9 months, from dividing days).
    """
    unique = np.unique(durations[np.isfinite(durations)])
    if unique.size < 2:
        return durations
    gaps = np.diff(unique)
    tied = (gaps <= TIME_TOLERANCE) | (gaps / np.mean(np.abs(unique)) <= TIME_TOLERANCE)
    if not tied.any():
        return durations
    cuts = unique[np.concatenate([[True], ~tied])]
    fixed: npt.NDArray[np.float64] = cuts[np.searchsorted(cuts, durations, side="right") - 1]
    return fixed


def _row_of(frame: pd.DataFrame, mask: pd.Series) -> int:
    """1-based position (among the data rows) of the first row where ``mask`` holds."""
    return int(np.flatnonzero(mask.to_numpy())[0]) + 1


def survival_frame(
    data: pd.DataFrame, duration: str, event: str, extra: Sequence[str]
) -> pd.DataFrame:
    """Return the complete rows of ``data`` with ``duration`` as float and ``event`` as 0/1.

    Raises an :class:`~clears.InputError` naming the column, the first bad value and its row
    when a duration is not a number >= 0 or an event is not 0/1/boolean.
    """
    require_columns(data, [duration, event, *extra], "data")
    frame = data[list(dict.fromkeys([duration, event, *extra]))].dropna()
    problems = []
    times = pd.to_numeric(frame[duration], errors="coerce")
    bad_time = times.isna() | ~np.isfinite(times.to_numpy(dtype=float, na_value=np.nan))
    bad_time |= times.fillna(0) < 0
    if bad_time.any():
        value = frame[duration][bad_time].iloc[0]
        problems.append(
            Problem(
                duration,
                value.item() if isinstance(value, np.generic) else value,
                f"durations must be finite numbers >= 0 (data row {_row_of(frame, bad_time)})",
                ">= 0",
            )
        )
    events = frame[event]
    numeric_events = pd.to_numeric(events, errors="coerce")
    bad_event = ~numeric_events.isin([0, 1])
    if bad_event.any():
        value = events[bad_event].iloc[0]
        problems.append(
            Problem(
                event,
                value.item() if isinstance(value, np.generic) else value,
                f"event indicator must be 0/1 or boolean (data row {_row_of(frame, bad_event)})",
                "0, 1, True, False",
            )
        )
    if frame.empty:
        problems.append(Problem(duration, None, "no complete rows", ">= 1 row"))
    if problems:
        raise InputError(problems)
    out = frame.copy()
    out[duration] = timefix(times.to_numpy(dtype=float))
    out[event] = numeric_events.astype(np.int64)
    return out


def to_float_list(values: object, name: str) -> list[float]:
    """Return ``values`` (a number or a sequence of Python or NumPy numbers) as floats >= 0."""
    array = np.atleast_1d(np.asarray(values, dtype=object)).ravel()
    out = []
    for value in array:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(Problem(name, value, "must be numbers", "numbers >= 0")) from None
        if not np.isfinite(number) or number < 0:
            raise InputError(Problem(name, value, "must be finite numbers >= 0", ">= 0"))
        out.append(number)
    if not out:
        raise InputError(Problem(name, [], "needs at least one time", "numbers >= 0"))
    return out


@dataclass(frozen=True)
class Design:
    """A Cox model's covariate matrix and how its columns map to the covariates (terms).

    Attributes
    ----------
    x
        One row per patient, one column per coefficient.
    names
        Column names: the covariate, or ``covariate=level`` for a level of a categorical one.
    terms
        Per covariate, the indices of its columns in ``x``.
    references
        Per categorical covariate, its reference level.
    """

    x: npt.NDArray[np.float64]
    names: tuple[str, ...]
    terms: dict[str, tuple[int, ...]]
    references: dict[str, str]


def _is_numeric(column: pd.Series) -> bool:
    """Numeric or boolean dtype, or an object column holding only (non-boolean) numbers."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return True
    if column.dtype != object:
        return False
    return all(
        isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)
        for v in column
    )


def design_matrix(frame: pd.DataFrame, covariates: Sequence[str]) -> Design:
    """Code ``covariates`` of ``frame`` as R's ``model.matrix`` does (treatment contrasts).

    A numeric or boolean column (or an object column of numbers only) is one column; any
    other column is categorical: its
    levels are its categories in order for a pandas ``Categorical``, else its distinct values
    sorted; levels not present are dropped. A covariate with a single value is refused.
    """
    columns: list[npt.NDArray[np.float64]] = []
    names: list[str] = []
    terms: dict[str, tuple[int, ...]] = {}
    references: dict[str, str] = {}
    problems = []
    for covariate in covariates:
        values = frame[covariate]
        if _is_numeric(values):
            numbers = values.to_numpy(dtype=float)
            if np.unique(numbers).size < 2:
                problems.append(
                    Problem(covariate, float(numbers[0]), "covariate has one value only", ">= 2")
                )
                continue
            terms[covariate] = (len(names),)
            columns.append(numbers)
            names.append(covariate)
            continue
        if isinstance(values.dtype, pd.CategoricalDtype):
            present = set(values.astype(object))
            levels = [c for c in values.cat.categories if c in present]
        else:
            levels = sorted(set(values.astype(str)))
        labels = values.astype(object).map(str).to_numpy() if levels else np.array([])
        level_names = [str(level) for level in levels]
        if len(level_names) < 2:
            problems.append(
                Problem(covariate, level_names, "covariate has one level only", ">= 2 levels")
            )
            continue
        references[covariate] = level_names[0]
        start = len(names)
        for level in level_names[1:]:
            columns.append((labels == level).astype(float))
            names.append(f"{covariate}={level}")
        terms[covariate] = tuple(range(start, len(names)))
    if problems:
        raise InputError(problems)
    x = np.column_stack(columns) if columns else np.empty((len(frame), 0))
    return Design(x=x, names=tuple(names), terms=terms, references=references)


def z_value(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` level (Python or NumPy number)."""
    check_confidence(float(confidence) if isinstance(confidence, np.floating) else confidence)
    return float(stats.norm.ppf(0.5 + float(confidence) / 2))
