"""Argument checks and column typing for :func:`clears.analysis.table_one`.

Every problem with the arguments is collected and raised in one
:class:`~clears.InputError` naming the field, the value and what is allowed. A column is
boolean when its dtype is, or when every non-missing value is a ``bool``; a column is
continuous by default when it is numeric and not boolean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.analysis._summaries import SUMMARIES
from clears.analysis._table_one_result import OVERALL

__all__ = [
    "RESERVED",
    "check_arguments",
    "group_levels",
    "is_boolean",
    "numeric_default",
    "ordered_levels",
    "to_numbers",
]

RESERVED: Final = ("variable", "label", "level", "summary", OVERALL, "test", "p_value", "smd")


def is_boolean(values: pd.Series) -> bool:
    """Whether ``values`` is boolean: bool dtype, or every non-missing value a bool."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, bool | np.bool_) for v in present)


def ordered_levels(values: pd.Series) -> list[Any]:
    """Levels in display order: categorical order, ``[False, True]``, else sorted."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.dtype.categories)
    if is_boolean(values):
        return [False, True]
    present = list(pd.unique(values.dropna()))
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def check_arguments(
    data: Any,
    variables: Sequence[str],
    categorical: Sequence[str],
    continuous: Mapping[str, str],
    group: str | None,
    welch: Sequence[str],
    percent_digits: int,
    decimals: int | Mapping[str, int],
    labels: Mapping[str, str],
) -> None:
    """Raise one :class:`~clears.InputError` listing every problem with the arguments."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(Problem("data", type(data).__name__, "must be a pandas DataFrame"))
    columns = ", ".join(map(str, data.columns))
    problems: list[Problem] = []
    if isinstance(variables, str) or not variables:
        problems.append(Problem("variables", variables, "needs a list of column names"))
        raise InputError(problems)
    named = set(variables)
    for name in variables:
        if name not in data.columns:
            problems.append(Problem("variables", name, "column not found in data", columns))
    if len(named) != len(variables):
        problems.append(Problem("variables", list(variables), "a variable is listed twice"))
    for option, given in (("categorical", categorical), ("continuous", continuous)):
        problems += [
            Problem(option, name, "is not one of variables", ", ".join(variables))
            for name in given
            if name not in named
        ]
    problems += [
        Problem("continuous", name, "is listed as categorical too", "one of the two")
        for name in continuous
        if name in categorical
    ]
    problems += [
        Problem(f"continuous[{name!r}]", kind, "unknown summary", ", ".join(SUMMARIES))
        for name, kind in continuous.items()
        if kind not in SUMMARIES
    ]
    if group is not None and group not in data.columns:
        problems.append(Problem("group", group, "column not found in data", columns))
    if group is not None and group in named:
        problems.append(Problem("group", group, "is also a variable", "a different column"))
    for name in welch:
        if name in categorical or (
            name not in continuous and name in data.columns and not numeric_default(data[name])
        ):
            problems.append(
                Problem("welch", name, "is not a continuous variable", ", ".join(continuous))
            )
        if name not in named:
            problems.append(Problem("welch", name, "is not one of variables", ", ".join(variables)))
    if (
        not isinstance(percent_digits, int)
        or isinstance(percent_digits, bool)
        or (percent_digits < 0)
    ):
        problems.append(Problem("percent_digits", percent_digits, "must be a whole number >= 0"))
    digit_map = decimals if isinstance(decimals, Mapping) else {"decimals": decimals}
    for name, value in digit_map.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(Problem(f"decimals[{name!r}]", value, "must be a whole number >= 0"))
    problems += [
        Problem("labels", name, "is not one of variables", ", ".join(variables))
        for name in labels
        if name not in named
    ]
    if problems:
        raise InputError(problems)


def numeric_default(values: pd.Series) -> bool:
    """Whether a column not named in ``categorical``/``continuous`` is continuous."""
    return pd.api.types.is_numeric_dtype(values.dtype) and not is_boolean(values)


def group_levels(data: pd.DataFrame, group: str | None) -> tuple[list[Any], list[str]]:
    """The group values present, in order, and their column names; refuse unusable groups."""
    if group is None:
        return [], []
    levels = [lv for lv in ordered_levels(data[group]) if (data[group] == lv).any()]
    names = [str(lv) for lv in levels]
    problems = []
    if len(levels) < 2:
        problems.append(
            Problem("group", group, f"has {len(levels)} non-missing value(s)", ">= 2 groups")
        )
    clash = [n for n in names if n in (*RESERVED, "missing")]
    if clash or len(set(names)) != len(names):
        problems.append(
            Problem(
                "group",
                clash or names,
                "group values must print as distinct, unreserved column names",
                f"anything but {', '.join(RESERVED)}, missing",
            )
        )
    if problems:
        raise InputError(problems)
    return levels, names


def to_numbers(values: pd.Series, name: str) -> pd.Series:
    """A continuous variable as floats; refuse any non-numeric value, naming its row."""
    converted = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & converted.isna()
    if bad.any():
        first = values[bad]
        raise InputError(
            Problem(
                name,
                first.iloc[0],
                f"continuous variable has {int(bad.sum())} non-numeric value(s), first at "
                f"row {int(np.flatnonzero(bad.to_numpy())[0]) + 1}",
                "numbers, or list the variable in categorical=",
            )
        )
    return converted.astype(float)
