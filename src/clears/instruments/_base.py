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

import json
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from clears._exceptions import InputError, Problem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "MAX_PROBLEMS",
    "WORDING_VARIABLE",
    "Band",
    "Field",
    "InstrumentDefinition",
    "Item",
    "Level",
    "Reference",
    "ScoreResult",
    "band_of",
    "frame_bands",
    "frame_codes",
    "item_wording",
    "mapping_codes",
    "parse_level",
    "read_codes",
    "require_mapping",
    "unknown_keys",
]

#: At most this many problems of a frame are listed one by one; the rest are counted.
MAX_PROBLEMS = 50
#: Environment variable naming a licensed centre's file of item wordings (TOML or JSON).
WORDING_VARIABLE = "CLEARS_INSTRUMENT_WORDING"

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


@dataclass(frozen=True, slots=True)
class Band:
    """One named band of a whole-number score, inclusive at both ends."""

    name: str
    low: int
    high: int


def band_of(bands: Sequence[Band], value: int, name: str) -> str:
    """The name of the band of ``bands`` holding ``value``; a problem naming ``name`` if none.

    Examples
    --------
    >>> bands = (Band("low", 0, 4), Band("high", 5, 10))
    >>> band_of(bands, 4, "x"), band_of(bands, 5, "x")
    ('low', 'high')
    """
    allowed = f"whole numbers {bands[0].low}-{bands[-1].high}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(Problem(name, value, "expects a whole number", allowed))
    for band in bands:
        if band.low <= value <= band.high:
            return band.name
    raise InputError(Problem(name, value, "out of range", allowed))


def read_codes(
    definition: InstrumentDefinition,
    values: Mapping[str, object],
    *,
    partial: bool,
    problems: Sequence[Problem] = (),
) -> dict[str, int | None]:
    """Check one record's raw values (keyed by ``Field.path``) and return their codes.

    ``None`` (or an absent key) is not recorded: allowed with ``partial``, else a problem.
    Every problem, with those already found (``problems``), is raised in one
    :class:`~clears.InputError`.
    """
    found = list(problems)
    codes: dict[str, int | None] = {}
    for fld in definition.fields:
        value = values.get(fld.path)
        codes[fld.path] = None
        if value is None:
            if not partial:
                hint = "is missing (score with partial=True to leave it unscored)"
                found.append(Problem(fld.path, None, hint, fld.item.allowed_text()))
            continue
        parsed = parse_level(fld.item, value, fld.path)
        if isinstance(parsed, Problem):
            found.append(parsed)
        else:
            codes[fld.path] = parsed
    if found:
        raise InputError(found)
    return codes


def mapping_codes(
    definition: InstrumentDefinition, payload: object, *, partial: bool
) -> dict[str, int | None]:
    """Check nested JSON of a flat instrument (keys are ``Field.path``) and return its codes.

    Unknown keys, values of the wrong type or out of range and (unless ``partial``) missing
    items are all reported together in one :class:`~clears.InputError`.
    """
    top = require_mapping(payload, "")
    if isinstance(top, Problem):
        raise InputError(top)
    problems = unknown_keys(list(top), list(definition.by_path()), "")
    return read_codes(definition, top, partial=partial, problems=problems)


class _Problems:
    """Problems of a frame: the first :data:`MAX_PROBLEMS` kept, the rest only counted."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0

    def rows(
        self,
        column: str,
        rows: Sequence[int],
        raw: npt.NDArray[Any] | None,
        message: str,
        allowed: str,
    ) -> None:
        from clears._cells import plain_value  # pandas, only once a frame is read

        self.total += len(rows)
        for row in rows[: max(0, MAX_PROBLEMS - len(self.kept))]:
            value = None if raw is None else plain_value(raw[row])
            self.kept.append(Problem(column, value, message, allowed, row=int(row) + 1))

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)

    def raise_any(self) -> None:
        if self.total > len(self.kept):
            more = self.total - len(self.kept)
            self.kept.append(Problem("(rows)", None, f"{more} more problems not listed"))
        if self.kept:
            raise InputError(self.kept)


def frame_codes(
    definition: InstrumentDefinition, frame: pd.DataFrame, *, partial: bool
) -> dict[str, npt.NDArray[np.float64]]:
    """Every item column of ``definition`` in ``frame`` as float codes, NaN where missing.

    An absent column or a missing cell is allowed with ``partial``, else a problem; text
    that is not a number, true/false for a non-boolean item and codes outside the allowed
    levels are always problems. Every problem (row numbers 1-based, at most
    :data:`MAX_PROBLEMS` listed) is raised in one :class:`~clears.InputError`.
    """
    import numpy as np
    import pandas as pd

    problems = _Problems()
    out: dict[str, npt.NDArray[np.float64]] = {}
    for fld in definition.fields:
        allowed = fld.item.allowed_text()
        if fld.column not in frame.columns:
            out[fld.column] = np.full(len(frame), np.nan)
            if not partial:
                problems.add(Problem(fld.column, None, "column is missing", allowed))
            continue
        series = frame[fld.column]
        raw = series.to_numpy(dtype=object)
        if pd.api.types.is_bool_dtype(series.dtype) and not fld.item.boolean:
            given = np.flatnonzero(series.notna().to_numpy()).tolist()
            problems.rows(fld.column, given, raw, "expects a number, not true/false", allowed)
            out[fld.column] = np.full(len(frame), np.nan)
            continue
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        absent = np.isnan(values)
        unreadable = absent & series.notna().to_numpy()
        problems.rows(
            fld.column, np.flatnonzero(unreadable).tolist(), raw, "expects a number", allowed
        )
        if not partial:
            blank = np.flatnonzero(absent & ~unreadable).tolist()
            problems.rows(fld.column, blank, None, "is missing", allowed)
        outside = ~absent & ~np.isin(values, np.array(fld.item.codes, dtype=np.float64))
        problems.rows(
            fld.column, np.flatnonzero(outside).tolist(), raw, "not an allowed level", allowed
        )
        out[fld.column] = values
    problems.raise_any()
    return out


def frame_bands(bands: Sequence[Band], values: npt.NDArray[np.float64]) -> pd.Categorical:
    """The band of each whole-number score in ``values`` as an ordered categorical.

    NaN gives a missing band; the values must already lie within the bands.
    """
    import numpy as np
    import pandas as pd

    highs = np.array([band.high for band in bands], dtype=np.float64)
    codes = np.searchsorted(highs, values, side="left")
    codes = np.where(np.isnan(values), -1, codes).tolist()
    names = pd.Index([band.name for band in bands])
    return pd.Categorical.from_codes(codes, categories=names, ordered=True)


def item_wording(
    definition: InstrumentDefinition, source: str | Path | None = None
) -> dict[str, str]:
    """The licensed wording of an instrument's items, by column, from a centre's own file.

    clears ships item numbers and short neutral labels only. A centre holding a licence
    names a TOML or JSON file in :data:`WORDING_VARIABLE` (``CLEARS_INSTRUMENT_WORDING``),
    or passes it as ``source``, mapping instrument name to item (its ``Field.path`` or
    column) to text: ``[dlqi]`` then ``q1 = "..."``. Without a file the mapping is empty.

    Raises
    ------
    InputError
        The file cannot be read, is not TOML/JSON of that shape, or names an unknown item.

    Examples
    --------
    >>> item_wording(InstrumentDefinition("x", "X", Reference("r"), ()), source=None)
    {}
    """
    named = source if source is not None else os.environ.get(WORDING_VARIABLE)
    if not named:
        return {}
    path = Path(named)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise InputError(
            Problem(WORDING_VARIABLE, str(path), f"cannot be read ({exc})", "a TOML or JSON file")
        ) from exc
    given = data.get(definition.name, {}) if isinstance(data, Mapping) else None
    if not isinstance(given, Mapping):
        raise InputError(
            Problem(f"{path}: {definition.name}", None, "expects a table of item -> text")
        )
    by_key = {**definition.by_path(), **definition.by_column()}
    unknown = [key for key in given if key not in by_key]
    problems = unknown_keys(unknown, list(definition.by_path()), f"{path}: {definition.name}")
    problems += [
        Problem(f"{path}: {definition.name}.{key}", text, "expects text")
        for key, text in given.items()
        if key in by_key and not isinstance(text, str)
    ]
    if problems:
        raise InputError(problems)
    return {by_key[key].column: str(text) for key, text in given.items()}
