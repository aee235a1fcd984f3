"""The exceptions and warnings clears raises.

Every error a user can cause is an :class:`InputError` that lists *all* the problems found,
each naming the field, the value given and what is allowed. The tree::

    ClearsError
    ├── InputError          bad input: out-of-range item, unknown code, malformed row, wrong unit
    ├── ScoringError        valid input that an instrument cannot score as asked
    ├── NotFoundError       an unknown patient, preset, protocol or record
    ├── ConflictError       an edit made from a stale version of a record
    └── ConvergenceError    an iterative estimator that did not converge

    StatisticalWarning      a result that is computable but fragile (tiny n, zero cells)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ClearsError",
    "ConflictError",
    "ConvergenceError",
    "InputError",
    "NotFoundError",
    "Problem",
    "ScoringError",
    "StatisticalWarning",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input.

    Parameters
    ----------
    field
        Dotted path of the offending field (``areas.scalp.scarring``) or a column name.
    value
        The value that was given (``None`` when the field is missing).
    message
        What is wrong and how to fix it, in plain words.
    allowed
        A human-readable description of the allowed values, when there is one.
    file, row
        Where the value came from, for tabular input (row numbers are 1-based data rows,
        as a spreadsheet user counts them after the header).
    """

    field: str
    value: Any
    message: str
    allowed: str | None = None
    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}"
            if self.row is not None:
                where += f", row {self.row}"
            where += ": "
        text = f"{where}{self.field}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready mapping."""
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "allowed": self.allowed,
        }


class ClearsError(Exception):
    """Base class of every error raised on purpose by clears."""


class InputError(ClearsError, ValueError):
    """Input that clears refuses, with every problem found.

    Examples
    --------
    >>> err = InputError([Problem("erythema", 4, "out of range", "0, 1, 2, 3")])
    >>> print(err)
    erythema: out of range (got 4); allowed: 0, 1, 2, 3
    """

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))


class ScoringError(ClearsError):
    """Valid input that cannot be scored as asked (e.g. partial scoring not allowed)."""


class NotFoundError(ClearsError, LookupError):
    """An unknown patient, preset, protocol, study or record."""


class ConflictError(ClearsError):
    """An update made from a stale version of a record; nothing was overwritten."""


class ConvergenceError(ClearsError):
    """An iterative estimator did not converge."""


class StatisticalWarning(UserWarning):
    """A result that is computable but fragile: tiny samples, zero cells, boundary fits."""
