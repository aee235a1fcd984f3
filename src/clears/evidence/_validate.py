"""Validation of a table of single-arm counts (``study, events, n``) for pooling."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from clears._cells import is_missing
from clears._exceptions import InputError, Problem
from clears._json_input import MAX_SAFE_INTEGER, short_text

__all__ = ["validate_counts"]


def _as_count(value: Any) -> int | None:
    """The whole number in a cell, ``None`` when it is not one.

    A whole number too long to convert comes back as ``MAX_SAFE_INTEGER + 1`` (with its
    sign), so that the range check refuses it: counts beyond 2**53 - 1 are not exact as
    doubles, which the estimators compute in.
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text.lstrip("+-")
        if len(digits) > 16 and digits.isdigit():
            return -(MAX_SAFE_INTEGER + 1) if text.startswith("-") else MAX_SAFE_INTEGER + 1
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number != int(number):
        return None
    if abs(number) > MAX_SAFE_INTEGER:
        return int(math.copysign(MAX_SAFE_INTEGER + 1, number))
    return int(number)


def _count_problem(
    column: str, raw: Any, x: int | None, allowed: str, *, file: str, row: int
) -> Problem | None:
    if x is None:
        return Problem(column, short_text(str(raw)), "not a whole number", allowed, file, row)
    if abs(x) > MAX_SAFE_INTEGER:
        return Problem(
            column,
            short_text(str(raw)),
            "number out of range",
            f"{allowed}, at most {MAX_SAFE_INTEGER}",
            file,
            row,
        )
    return None


def validate_counts(
    data: pd.DataFrame,
    *,
    study: str,
    events: str,
    n: str,
    groups: Sequence[str] = (),
    file: str | None = None,
) -> pd.DataFrame:
    """Check a counts table and return a clean copy with columns study, events, n, groups.

    Every problem is collected before raising, each naming its row (1-based data row),
    field, value and what is allowed.

    Raises
    ------
    InputError
        Missing columns, missing or non-integer counts, events < 0, n < 1, events > n,
        missing study labels or duplicated labels within a group.

    Examples
    --------
    >>> try:
    ...     validate_counts(pd.DataFrame({"study": ["a"], "events": [3], "n": [2]}),
    ...                     study="study", events="events", n="n")
    ... except InputError as err:
    ...     print(err.problems[0].row, err.problems[0].message)
    1 exceeds n (2)
    """
    file = file or "table"
    needed = [study, events, n, *groups]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise InputError(
            [
                Problem(c, None, "column is missing", f"columns {', '.join(needed)}", file)
                for c in missing
            ]
        )
    if len(data) == 0:
        raise InputError(Problem("rows", 0, "no studies to pool", "at least one row", file))
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for position, (_, record) in enumerate(data.iterrows(), start=1):
        label = record[study]
        if label is None or (isinstance(label, float) and math.isnan(label)) or str(label) == "":
            problems.append(Problem(study, None, "missing study label", "any text", file, position))
        x = _as_count(record[events])
        size = _as_count(record[n])
        bad_x = _count_problem(events, record[events], x, "integer ≥ 0", file=file, row=position)
        bad_size = _count_problem(n, record[n], size, "integer ≥ 1", file=file, row=position)
        if bad_x is not None:
            problems.append(bad_x)
            x = None
        elif x is not None and x < 0:
            problems.append(Problem(events, x, "negative", "integer ≥ 0", file, position))
        if bad_size is not None:
            problems.append(bad_size)
            size = None
        elif size is not None and size < 1:
            problems.append(Problem(n, size, "must be at least 1", "integer ≥ 1", file, position))
        if x is not None and size is not None and size >= 1 and x > size:
            problems.append(
                Problem(events, x, f"exceeds {n} ({size})", f"0 ≤ {events} ≤ {n}", file, position)
            )
        row: dict[str, Any] = {"study": str(label), "events": x, "n": size}
        for g in groups:
            value = record[g]
            if is_missing(value):
                problems.append(Problem(g, None, "missing group value", "any text", file, position))
            row[g] = str(value)
        rows.append(row)
    clean = pd.DataFrame(rows)
    if not problems:
        keys = ["study", *groups]
        dup = clean.duplicated(subset=keys, keep=False)
        for position in [i + 1 for i, flag in enumerate(dup) if flag]:
            problems.append(
                Problem(
                    study,
                    clean.loc[position - 1, "study"],
                    "duplicated study label",
                    "one row per study (and group)",
                    file,
                    position,
                )
            )
    if problems:
        raise InputError(problems)
    clean["events"] = clean["events"].astype(int)
    clean["n"] = clean["n"].astype(int)
    return clean
