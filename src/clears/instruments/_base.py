"""Instrument definitions as data.

An instrument is declared once as a tuple of :class:`Field` objects, each pointing at an
:class:`Item` (name, label, allowed :class:`Level` codes with their descriptions). That one
declaration drives scoring, validation messages, cohort-table and database columns, web
forms and the REDCap data dictionary.

Column names (``Field.column``) are the flat names used in cohort tables, the database and
REDCap; they are lower-case, start with a letter and have at most 26 characters, as REDCap
recommends. ``Field.path`` is the dotted path of the same value in the nested JSON input
(``areas.scalp.erythema``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from clears._exceptions import Problem

__all__ = [
    "Field",
    "InstrumentDefinition",
    "Item",
    "Level",
    "Reference",
    "ScoreResult",
    "parse_level",
    "require_mapping",
    "unknown_keys",
]

_COLUMN_RE = re.compile(r"^[a-z][a-z0-9_]{0,25}$")


@dataclass(frozen=True, slots=True)
class Reference:
    """A published source for an instrument, criterion or rule."""

    citation: str
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        parts = [self.citation]
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID {self.pmid}")
        return ". ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Return the reference as a JSON-ready mapping."""
        return {
            "citation": self.citation,
            "doi": self.doi,
            "pmid": self.pmid,
            "url": self.url,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Level:
    """One allowed code of an item and what it means."""

    code: int
    label: str


@dataclass(frozen=True, slots=True)
class Item:
    """A scored item: its allowed levels and, for binary items, whether booleans are accepted.

    Parameters
    ----------
    name
        Machine name of the item (``erythema``).
    label
        Human label (``Erythema``).
    levels
        Allowed codes with their descriptions, in ascending order.
    description
        Longer definition shown in forms and dictionaries.
    boolean
        ``True`` for yes/no items: ``true``/``false`` are accepted as 1/0.
    """

    name: str
    label: str
    levels: tuple[Level, ...]
    description: str = ""
    boolean: bool = False

    @property
    def codes(self) -> tuple[int, ...]:
        """The allowed integer codes."""
        return tuple(level.code for level in self.levels)

    @property
    def maximum(self) -> int:
        """The largest allowed code."""
        return max(self.codes)

    def allowed_text(self) -> str:
        """Describe the allowed values, e.g. ``0 (absent), 1 (scale), 2 (verrucous)``."""
        text = ", ".join(f"{lv.code} ({lv.label})" for lv in self.levels)
        if self.boolean:
            text += "; or true/false"
        return text

    def label_of(self, code: int) -> str:
        """Return the description of ``code``."""
        for level in self.levels:
            if level.code == code:
                return level.label
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class Field:
    """One flat, storable value of an instrument.

    ``column`` is the flat name used in tables, databases and REDCap; ``path`` is where the
    same value sits in nested JSON input; ``group`` gathers fields for forms (an area).
    """

    column: str
    path: str
    item: Item
    group: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        if not _COLUMN_RE.match(self.column):
            raise ValueError(
                f"column {self.column!r} must be lower-case, start with a letter and have "
                "at most 26 characters"
            )

    @property
    def display_label(self) -> str:
        """Label for forms: the field's own label, else the group and item labels."""
        if self.label:
            return self.label
        return f"{self.group}: {self.item.label}" if self.group else self.item.label


@dataclass(frozen=True, slots=True)
class InstrumentDefinition:
    """The declaration of one instrument: every field, and where it comes from."""

    name: str
    title: str
    reference: Reference
    fields: tuple[Field, ...]
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        columns = [f.column for f in self.fields]
        if len(set(columns)) != len(columns):
            raise ValueError(f"{self.name}: duplicate column names")

    def by_column(self) -> Mapping[str, Field]:
        """Fields keyed by their flat column name."""
        return {f.column: f for f in self.fields}

    def by_path(self) -> Mapping[str, Field]:
        """Fields keyed by their dotted JSON path."""
        return {f.path: f for f in self.fields}

    @property
    def columns(self) -> tuple[str, ...]:
        """The flat column names, in declaration order."""
        return tuple(f.column for f in self.fields)


class ScoreResult(Protocol):
    """What every instrument result offers to the CLI, reports and exports."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping of the result."""
        ...

    def to_text(self) -> str:
        """Return a readable, multi-line rendering of the result."""
        ...


def parse_level(item: Item, value: object, path: str) -> int | Problem:
    """Check one raw value against an item's allowed codes.

    Integers, integral floats and (for boolean items only) ``True``/``False`` are accepted.
    Anything else gives a :class:`~clears.Problem` naming the path, the value and the
    allowed codes.

    Examples
    --------
    >>> scale = Item("scale", "Scale/hypertrophy", (Level(0, "absent"), Level(1, "scale")))
    >>> parse_level(scale, 1.0, "areas.ears.scale")
    1
    >>> print(parse_level(scale, 3, "areas.ears.scale"))
    areas.ears.scale: not an allowed level (got 3); allowed: 0 (absent), 1 (scale)
    """
    allowed = item.allowed_text()
    code: int
    if isinstance(value, bool):
        if not item.boolean:
            return Problem(path, value, "expects a number, not true/false", allowed)
        code = int(value)
    elif isinstance(value, int):
        code = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return Problem(path, value, "expects a whole number", allowed)
        code = int(value)
    elif value is None:
        return Problem(path, None, "is missing", allowed)
    else:
        return Problem(path, value, f"expects a number, not {type(value).__name__}", allowed)
    if code not in item.codes:
        return Problem(path, value, "not an allowed level", allowed)
    return code


def require_mapping(value: object, path: str) -> Mapping[str, Any] | Problem:
    """Return ``value`` if it is a JSON object, else a problem naming ``path``."""
    if isinstance(value, Mapping):
        return value
    return Problem(path or "(input)", value, "expects a JSON object")


def unknown_keys(given: Sequence[str], known: Sequence[str], path: str) -> list[Problem]:
    """One problem per key of ``given`` that is not in ``known``."""
    allowed = ", ".join(known)
    prefix = f"{path}." if path else ""
    return [
        Problem(f"{prefix}{key}", None, "unknown field", allowed)
        for key in given
        if key not in known
    ]
