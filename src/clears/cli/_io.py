"""Reading input and printing results for the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from clears._exceptions import InputError, Problem
from clears._json_input import parse_json, read_json_file
from clears.instruments import ScoreResult

__all__ = ["OutputFormat", "cohort_warnings", "emit", "iso_date", "print_warning", "read_json"]


class OutputFormat(StrEnum):
    """How a command prints its result."""

    json = "json"
    text = "text"


def iso_date(text: str | None, *, option: str) -> dt.date | None:
    """The date a command-line option gives as YYYY-MM-DD (None when it is not given).

    Anything else is a usage error (exit code 2) naming the option.

    Examples
    --------
    >>> iso_date("2024-01-29", option="--today")
    datetime.date(2024, 1, 29)
    >>> iso_date(None, option="--today") is None
    True
    """
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO date (YYYY-MM-DD)", param_hint=option
        ) from None


def read_json(source: str) -> Any:
    """Read JSON from a file path, or from standard input when ``source`` is ``-``.

    The text goes through :func:`clears._json_input.parse_json`, the one reader of user
    JSON: too deep nesting, out-of-range numbers and NaN/Infinity are refused, naming the
    source.
    """
    if source != "-":
        return read_json_file(Path(source))
    try:
        raw = sys.stdin.read()
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem("FILE", None, f"not UTF-8 text (byte {exc.start})", "UTF-8 JSON", "stdin")
        ) from None
    return parse_json(raw, source="stdin")


def print_warning(problem: Problem) -> None:
    """Print one cohort warning on standard error (``warning: <file>, row n: ...``)."""
    sys.stderr.write(f"warning: {problem}\n")


@contextmanager
def cohort_warnings() -> Iterator[None]:
    """Print every :class:`~clears.cohort.CohortWarning` issued inside, on standard error.

    For commands that read a cohort through a library call without an ``on_warning``
    parameter (``clears import``): the warnings are printed even when the command then fails.
    Other warnings are issued again, unchanged.
    """
    from clears.cohort import CohortWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CohortWarning)
        try:
            yield
        finally:
            others = []
            for found in caught:
                if isinstance(found.message, CohortWarning):
                    print_warning(found.message.problem)
                else:
                    others.append(found)
    for found in others:
        warnings.warn_explicit(found.message, found.category, found.filename, found.lineno)


def emit(result: ScoreResult, fmt: OutputFormat) -> None:
    """Print a result as JSON or text on standard output."""
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(result.to_text().rstrip("\n") + "\n")
