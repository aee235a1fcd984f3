"""Parse the columns of one cohort table into their canonical types, collecting problems.

Raw values may be text (CSV), typed values (Parquet) or Python objects (a cohort built in
memory); all go through the same parsers, so a cohort is judged the same way wherever it came
from. Canonical types: text and choices ``string`` (``pandas.StringDtype``, the same under
pandas 2 and 3); dates ``datetime64[ns]``; booleans ``boolean``; whole numbers ``Int64``;
numbers ``float64``. Missing values are ``NA``/``NaT``/``NaN``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Hashable
from typing import Any, Final, cast

import numpy as np
import pandas as pd

from clears._cells import is_missing, plain_value
from clears._exceptions import Problem
from clears.cohort._ids import id_problem, normalise_id
from clears.cohort._schema import BOOLEAN_FALSE, BOOLEAN_TRUE, Column, Kind

__all__ = [
    "NUMBER_PATTERN",
    "RejectedValueError",
    "choice_key",
    "coerce_column",
    "display_value",
    "is_blank",
    "is_missing",
    "length_problem",
    "parse_each",
    "plain_value",
]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: The numbers a cell may hold, as text: an optional sign, ASCII digits 0-9 with at most one
#: '.' (digits on at least one side), and an optional exponent (``1.5e3``, ``2E-4``).
#: Refused: digit separators (``1_5``, ``1 000``, ``1,000``), the decimal comma (``1,5``),
#: other digits (full-width ``１５``, Arabic-Indic), hexadecimal/octal/binary (``0x10``),
#: ``inf`` and ``nan``. Python's ``float()`` accepts several of these (``float("1_5")`` is 15),
#: so it is only applied to text that matched. Surrounding white space is ignored.
NUMBER_PATTERN: Final = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER: Final = re.compile(NUMBER_PATTERN)


class RejectedValueError(Exception):
    """Raised by a value parser; the message says what is wrong with the value."""


def is_blank(value: object) -> bool:
    """Return whether ``value`` counts as missing (None, NaN, NaT, NA or blank text).

    Examples
    --------
    >>> [is_blank(v) for v in (None, float("nan"), "  ", "x", 0)]
    [True, True, True, False, False]
    """
    if isinstance(value, str):
        return not value.strip()
    return is_missing(value)


def display_value(value: object) -> Any:
    """Return ``value`` as a plain, JSON-ready Python value for a problem report."""
    value = plain_value(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _parse_distinct(
    series: pd.Series, parse: Callable[[Any], Any]
) -> tuple[list[Any], list[tuple[int, str]]]:
    """:func:`parse_each` for a column of text: each distinct text is parsed once and the
    results are spread back column at a time (a registry-sized CSV holds few distinct
    values per column but millions of cells)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)  # the last slot: missing
    reasons: dict[int, str] = {}
    for k, value in enumerate(uniques):
        if is_blank(value):
            continue
        try:
            results[k] = parse(value)
        except RejectedValueError as exc:
            reasons[k] = str(exc)
    codes = np.where(codes < 0, len(uniques), codes)
    bad = [(int(i), reasons[int(codes[i])]) for i in np.flatnonzero(np.isin(codes, list(reasons)))]
    return list(results[codes]), bad


def parse_each(
    series: pd.Series, parse: Callable[[Any], Any]
) -> tuple[list[Any], list[tuple[int, str]]]:
    """Apply ``parse`` to every non-blank value; blanks become ``None``.

    Returns the parsed values and, for every value ``parse`` refused, its 0-based position
    and the reason. Each distinct hashable value is parsed once.
    """
    if pd.api.types.infer_dtype(series, skipna=True) == "string":
        return _parse_distinct(series, parse)
    cache: dict[Hashable, Any] = {}
    parsed: list[Any] = []
    bad: list[tuple[int, str]] = []
    for position, value in enumerate(series.to_numpy(dtype=object)):
        if is_blank(value):
            parsed.append(None)
            continue
        key: Hashable = (type(value), value) if isinstance(value, Hashable) else None
        try:
            if key is not None and key in cache:
                result = cache[key]
            else:
                result = parse(value)
                if key is not None:
                    cache[key] = result
        except RejectedValueError as exc:
            bad.append((position, str(exc)))
            parsed.append(None)
            continue
        parsed.append(result)
    return parsed, bad


def _text(value: Any) -> str:
    return str(value).strip()


def _identifier(value: Any) -> str:
    text = normalise_id(value)
    problem = id_problem(text)
    if problem is not None:
        raise RejectedValueError(problem)
    return text


def _date(value: Any) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp != stamp.normalize():
            raise RejectedValueError("has a time of day; give the calendar date only")
        return stamp
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    text = str(value).strip()
    if not _ISO_DATE.fullmatch(text):
        raise RejectedValueError("is not an ISO 8601 date")
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise RejectedValueError("is not a calendar date") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in BOOLEAN_TRUE:
        return True
    if text in BOOLEAN_FALSE:
        return False
    raise RejectedValueError("is not a yes/no value")


def _number_problem(text: str) -> str:
    """Why ``text`` (stripped, not matching :data:`_NUMBER`) is not a number, in words."""
    if any(char.isdigit() and not char.isascii() for char in text):
        return "contains digits other than 0-9 (e.g. full-width digits); type them as 0-9"
    if "," in text:
        return "contains ','; write the decimal separator as '.' and no thousands separator"
    if "_" in text or " " in text:
        return "contains a digit separator ('_' or a space); write the digits without one"
    if text.lstrip("+-").lower() in ("inf", "infinity", "nan"):
        return "is not a finite number"
    return "is not a number"


def _number(value: Any) -> float:
    if isinstance(value, bool | np.bool_):
        raise RejectedValueError("expects a number, not true/false")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        text = str(value).strip()
        if not _NUMBER.fullmatch(text):
            raise RejectedValueError(_number_problem(text))
        number = float(text)
    if not math.isfinite(number):
        raise RejectedValueError("is not a finite number")
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise RejectedValueError("is not a whole number")
    return int(number)


def choice_key(text: str) -> str:
    """Normalise a spelling for comparison: lower case, spaces and hyphens read as '_'."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _choice_parser(column: Column) -> Callable[[Any], str]:
    canonical = {choice_key(v): v for v in column.options}

    def parse(value: Any) -> str:
        found = canonical.get(choice_key(str(value)))
        if found is None:
            raise RejectedValueError("is not an allowed value")
        return found

    return parse


def _choices_parser(column: Column) -> Callable[[Any], str | None]:
    one = _choice_parser(column)

    def parse(value: Any) -> str | None:
        parts = [part for part in str(value).split(";") if part.strip()]
        unknown = []
        names = []
        for part in parts:
            try:
                names.append(one(part))
            except RejectedValueError:
                unknown.append(part.strip())
        if unknown:
            raise RejectedValueError(f"has unknown value(s) {', '.join(map(repr, unknown))}")
        return ";".join(names) if names else None

    return parse


_PARSERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.text: _text,
    Kind.identifier: _identifier,
    Kind.date: _date,
    Kind.boolean: _boolean,
    Kind.integer: _integer,
    Kind.number: _number,
}

_DTYPES: dict[Kind, str] = {
    Kind.text: "string",
    Kind.identifier: "string",
    Kind.date: "datetime64[ns]",
    Kind.boolean: "boolean",
    Kind.integer: "Int64",
    Kind.number: "float64",
    Kind.choice: "string",
    Kind.choices: "string",
}


def length_problem(value: object, limit: int) -> str | None:
    """Why ``value`` (as stored: text without surrounding spaces) is too long, or ``None``.

    Examples
    --------
    >>> length_problem("BCN", 64) is None
    True
    >>> length_problem("C" * 80, 64)
    'is 80 characters long; at most 64 characters are allowed'
    """
    length = len(str(value).strip())
    if length > limit:
        return f"is {length} characters long; at most {limit} characters are allowed"
    return None


def _limited(parse: Callable[[Any], Any], limit: int) -> Callable[[Any], Any]:
    """``parse``, after refusing a value longer than ``limit`` characters (checked first)."""

    def parse_limited(value: Any) -> Any:
        problem = length_problem(value, limit)
        if problem is not None:
            raise RejectedValueError(problem)
        return parse(value)

    return parse_limited


def _out_of_range(column: Column, parsed: list[Any]) -> list[int]:
    low = -math.inf if column.minimum is None else column.minimum
    high = math.inf if column.maximum is None else column.maximum
    return [i for i, v in enumerate(parsed) if v is not None and not low <= v <= high]


def _already_typed(series: pd.Series, column: Column) -> pd.Series | None:
    """The column in its canonical type when every cell already is a plain valid value of it.

    A simulated cohort or a Parquet file holds numbers and dates as such: they are taken as
    they are, column at a time. ``None`` (use the cell-by-cell parsers, which explain each
    refusal) when the column is text, or holds a value the parsers would refuse: a
    non-finite number, a fraction in a whole-number column, a time of day in a date.
    """
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if column.kind in (Kind.number, Kind.integer) and numeric:
        values = series.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        given = values[~np.isnan(values)]
        if np.isinf(given).any():
            return None
        if column.kind is Kind.integer:
            if (np.mod(given, 1) != 0).any():
                return None
            return pd.Series(values, index=series.index, name=series.name).astype("Int64")
        return pd.Series(values, index=series.index, name=series.name)
    if column.kind is Kind.date and pd.api.types.is_datetime64_dtype(dtype):
        dates = series.astype("datetime64[ns]")
        if (dates.dropna() != dates.dropna().dt.normalize()).any():
            return None
        return dates
    return None


def _typed_problems(
    series: pd.Series, typed: pd.Series, column: Column, *, required: bool, file: str
) -> list[Problem]:
    """Range and blank problems of a column :func:`_already_typed` accepted, in row order
    (values shown as given in ``series``)."""
    allowed = column.allowed_text()
    missing = typed.isna().to_numpy()
    outside = np.zeros(len(typed), dtype=bool)
    if column.kind in (Kind.integer, Kind.number):
        values = typed.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        low = -math.inf if column.minimum is None else column.minimum
        high = math.inf if column.maximum is None else column.maximum
        outside = ~missing & ~((values >= low) & (values <= high))
    raw = series.to_numpy(dtype=object)
    problems = [
        Problem(column.name, display_value(raw[i]), "is out of range", allowed, file, int(i) + 1)
        for i in np.flatnonzero(outside)
    ]
    if required:
        problems += [
            Problem(column.name, None, "is blank; a value is required", allowed, file, int(i) + 1)
            for i in np.flatnonzero(missing)
        ]
    return sorted(problems, key=lambda p: p.row or 0)


def coerce_column(
    series: pd.Series, column: Column, *, required: bool, file: str
) -> tuple[pd.Series, list[Problem]]:
    """Parse one known column; return the typed column and one problem per bad value.

    Row numbers in problems are 1-based positions in the table.
    """
    if column.kind is Kind.choice:
        parser: Callable[[Any], Any] = _choice_parser(column)
    elif column.kind is Kind.choices:
        parser = _choices_parser(column)
    else:
        parser = _PARSERS[column.kind]
    if column.max_length is not None:
        parser = _limited(parser, column.max_length)
    typed = _already_typed(series, column)
    if typed is not None:
        return typed, _typed_problems(series, typed, column, required=required, file=file)
    parsed, bad = parse_each(series, parser)
    raw = series.to_numpy(dtype=object)
    allowed = column.allowed_text()

    def problem(position: int, message: str) -> Problem:
        value = display_value(raw[position])
        return Problem(column.name, value, message, allowed, file, position + 1)

    problems = [problem(position, message) for position, message in bad]
    if column.kind in (Kind.integer, Kind.number):
        problems += [problem(i, "is out of range") for i in _out_of_range(column, parsed)]
    if required:
        bad_positions = {position for position, _ in bad}
        problems += [
            problem(i, "is blank; a value is required")
            for i, v in enumerate(parsed)
            if v is None and i not in bad_positions
        ]
    values = pd.Series(parsed, index=series.index, dtype=object, name=series.name)
    return values.astype(cast(Any, _DTYPES[column.kind])), sorted(
        problems, key=lambda p: p.row or 0
    )
