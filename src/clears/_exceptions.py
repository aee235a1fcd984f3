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
from typing import Any, Final

__all__ = [
    "ECHOED_CHARACTERS",
    "ClearsError",
    "ConflictError",
    "ConvergenceError",
    "FieldConflict",
    "InputError",
    "NotFoundError",
    "Problem",
    "ScoringError",
    "StatisticalWarning",
    "echoed",
]

#: The most characters of a value a message echoes; a longer value is cut to its start and
#: its length given (a 200 MB cell must not come back whole in an error).
ECHOED_CHARACTERS: Final = 80


def echoed(value: Any) -> Any:
    """``value`` as a message echoes it: as given, or, when its text is longer than
    :data:`ECHOED_CHARACTERS`, its start followed by how long it is.

    Examples
    --------
    >>> echoed(12), echoed("P01")
    (12, 'P01')
    >>> cut = echoed("9" * 1_000_000)
    >>> len(cut), cut.endswith("9… (1,000,000 characters in all)")
    (111, True)
    """
    text = value if isinstance(value, str) else None
    if text is None and value is not None and not isinstance(value, bool | int | float):
        text = str(value)
    if text is None or len(text) <= ECHOED_CHARACTERS:
        return value
    return f"{text[:ECHOED_CHARACTERS]}… ({len(text):,} characters in all)"


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
    patient
        The patient the row belongs to, when the table has one (``P01``).
    record
        The stored record the value belongs to, for registry records (``record 12``, or
        ``new record`` for one being added); shown in place of the row.

    Examples
    --------
    >>> print(Problem("grade", 4, "is too high", "1, 2, 3", "adverse_events", 20, "P01"))
    adverse_events, row 20: grade: is too high (got 4); allowed: 1, 2, 3; patient: P01
    >>> print(Problem("grade", 4, "is too high", None, "adverse_events", None, "P01", "record 7"))
    adverse_events record 7: grade: is too high (got 4); patient: P01

    A long value is echoed cut, with its length (:func:`echoed`); ``value`` keeps it whole:

    >>> print(Problem("birth_year", "9" * 100, "is not a year"))  # doctest: +ELLIPSIS
    birth_year: is not a year (got '99999...9999… (100 characters in all)')
    """

    field: str
    value: Any
    message: str
    allowed: str | None = None
    file: str | None = None
    row: int | None = None
    patient: str | None = None
    record: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}"
            if self.record is not None:
                where += f" {self.record}"
            elif self.row is not None:
                where += f", row {self.row}"
            where += ": "
        text = f"{where}{self.field}: {self.message}"
        if self.value is not None:
            text += f" (got {echoed(self.value)!r})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        if self.patient is not None:
            text += f"; patient: {self.patient}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready mapping (``patient`` and ``record`` only when
        known)."""
        where = {"patient": self.patient, "record": self.record}
        return {
            "file": self.file,
            "row": self.row,
            **{name: value for name, value in where.items() if value is not None},
            "field": self.field,
            "value": echoed(self.value),
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


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """One field two people changed differently: the value sent and the value now stored.

    ``base`` is the value both started from (the version the edit was made on).
    """

    field: str
    yours: Any
    current: Any
    base: Any = None


class ConflictError(ClearsError):
    """A save that would overwrite or duplicate someone else's data; nothing was written.

    ``conflicts`` lists the fields changed both by this edit and, since the version it was
    made on, by someone else (with both values); ``problems`` lists rows the save would
    duplicate. Either may be empty (a record changed while saving, say): saving again is safe.
    """

    def __init__(
        self,
        message: str,
        *,
        conflicts: Iterable[FieldConflict] = (),
        problems: Iterable[Problem] = (),
        version: int | None = None,
    ) -> None:
        self.conflicts: tuple[FieldConflict, ...] = tuple(conflicts)
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.version = version
        super().__init__(message)


class ConvergenceError(ClearsError):
    """An iterative estimator did not converge."""


class StatisticalWarning(UserWarning):
    """A result that is computable but fragile: tiny samples, zero cells, boundary fits."""
