"""Site-defined fields: extra typed fields a centre or network declares per cohort table.

A site-fields file (TOML) declares, for any of the six cohort tables, fields with a name,
a label, a type (``number``, ``integer``, ``date``, ``choice``, ``yes_no``, ``text``), for
numbers a unit and an inclusive range, for a choice its codes and labels, whether it is
required, the centres it applies to (every centre when absent) and a help text::

    [[visits]]
    name = "ifn_signature_score"
    label = "Type I interferon signature score"
    type = "number"
    unit = "score"
    min = 0
    max = 100

Each declared field is a :class:`clears.cohort.Column` (the one column type of the cohort
schema), so it is parsed, range-checked and described exactly as a built-in column; a
:class:`SiteField` adds only what a built-in column does not have (its table, the choice
labels, required, centres, help). :func:`load_site_fields` checks the whole file and
reports every problem at once, naming the file, the field and the allowed values.

References
----------
.. [1] Issue "The CLE core outcome set, patient-reported outcomes, photographs and
   site-defined fields": site-defined fields such as the biomarkers of Braunstein et al.
   (Br J Dermatol 2012;166:971-5, type I interferon signature), the SLEDAI variant used and
   the SLE onset date; ``docs/site-fields.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from clears._exceptions import InputError, Problem
from clears._toml_input import read_toml
from clears.cohort._model import REQUIRED_COLUMNS, TABLES
from clears.cohort._schema import TEXT_MAX_LENGTH, Column, Kind, schema_of
from clears.instruments import cla_iga, clasi, dlqi, nrs, ptga, sledai

__all__ = [
    "RESERVED_NAMES",
    "SITE_FIELD_TYPES",
    "SiteField",
    "SiteFields",
    "load_site_fields",
    "parse_site_fields",
]

#: Declared type → the cohort column kind that parses and checks its values.
SITE_FIELD_TYPES: Final = MappingProxyType(
    {
        "number": Kind.number,
        "integer": Kind.integer,
        "date": Kind.date,
        "choice": Kind.choice,
        "yes_no": Kind.boolean,
        "text": Kind.text,
    }
)

#: Names no site field may take: the registry's bookkeeping and the REDCap record key.
RESERVED_NAMES: Final = frozenset(
    {"id", "record_id", "patient_key", "version", "extra", "locked", "site_fields"}
)

#: A field name: snake_case, starting with a letter, at most 26 characters (the REDCap limit
#: on variable names, so every site field is a valid REDCap variable).
_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,25}")
#: A choice code: lower-case letters, digits and '_' (a REDCap raw choice value).
_CODE: Final = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")

_KEYS: Final = frozenset(
    {"name", "label", "type", "unit", "min", "max", "choices", "required", "centres", "help"}
)
_NUMERIC: Final = frozenset({"number", "integer"})


@dataclass(frozen=True, slots=True)
class SiteField:
    """One declared site field.

    Attributes
    ----------
    table
        The cohort table it belongs to (``visits``).
    column
        Its cohort column: name, kind, label (``description``), unit, range and choice codes.
    type
        The declared type word (``yes_no`` for a boolean column).
    choices
        ``(code, label)`` of a choice field, in declared order.
    required
        Whether a new record must give it.
    centres
        Centre codes it applies to; empty for every centre of the network.
    help
        Help text shown beside the input.
    """

    table: str
    column: Column
    type: str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    centres: tuple[str, ...] = ()
    help: str = ""

    @property
    def name(self) -> str:
        """The field's name (its column name)."""
        return self.column.name

    @property
    def label(self) -> str:
        """The field's label."""
        return self.column.description

    def applies_to(self, centre: str | None) -> bool:
        """Whether the field is declared for records of ``centre`` (``None``: any centre)."""
        return not self.centres or centre is None or centre in self.centres


@dataclass(frozen=True, slots=True)
class SiteFields:
    """The fields of one site-fields file (none when no file is configured)."""

    fields: tuple[SiteField, ...] = ()
    path: str = ""

    def of(self, table: str, centre: str | None = None) -> tuple[SiteField, ...]:
        """The fields of ``table`` that apply to ``centre`` (every centre's when ``None``)."""
        return tuple(f for f in self.fields if f.table == table and f.applies_to(centre))

    def find(self, table: str, name: str) -> SiteField | None:
        """The field ``name`` of ``table`` whatever its centres, or ``None``."""
        return next((f for f in self.fields if f.table == table and f.name == name), None)


def built_in_columns(table: str) -> frozenset[str]:
    """The names a site field of ``table`` may not take: the table's cohort columns and, for
    visits, every instrument item and total column."""
    names = set(schema_of(table)) | set(REQUIRED_COLUMNS[table])
    if table == "visits":
        definitions = (
            clasi.DEFINITION,
            sledai.DEFINITION,
            cla_iga.DEFINITION,
            ptga.DEFINITION,
            nrs.DEFINITION,
            dlqi.DEFINITION,
        )
        names |= {f.column for d in definitions for f in d.fields}
    return frozenset(names)


def load_site_fields(path: str | Path) -> SiteFields:
    """Read and check the site-fields file at ``path``.

    Raises
    ------
    InputError
        The file cannot be read or is not TOML, or any declaration is wrong: every problem
        names the file, the field (``visits[2].type``) and the allowed values.
    """
    return parse_site_fields(read_toml(path), file=str(path))


def parse_site_fields(document: Mapping[str, Any], *, file: str) -> SiteFields:
    """Check a parsed site-fields document; see :func:`load_site_fields`.

    Examples
    --------
    >>> fields = parse_site_fields(
    ...     {"visits": [{"name": "anti_ro", "label": "Anti-Ro/SSA", "type": "yes_no"}]},
    ...     file="site.toml",
    ... )
    >>> [(f.table, f.name, f.column.kind.value) for f in fields.fields]
    [('visits', 'anti_ro', 'boolean')]
    >>> parse_site_fields({"visits": [{"name": "sledai", "label": "x", "type": "text"}]},
    ...     file="site.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: site.toml: visits[1].name: is a built-in column of visits ...
    """
    problems: list[Problem] = []
    fields: list[SiteField] = []
    seen: dict[str, str] = {}
    for key, entries in document.items():
        if key not in TABLES:
            problems.append(Problem(key, None, "is not a cohort table", ", ".join(TABLES), file))
            continue
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.append(
                Problem(key, None, "must be an array of tables", f"[[{key}]] entries", file)
            )
            continue
        for position, entry in enumerate(entries, start=1):
            where = f"{key}[{position}]"
            found, field = _field(key, entry, where, file)
            problems += found
            if field is None:
                continue
            if field.name in seen:
                problems.append(
                    Problem(
                        f"{where}.name",
                        field.name,
                        f"is already declared (in {seen[field.name]}); names are unique "
                        "across all tables, as REDCap variable names are",
                        "a name not yet declared",
                        file,
                    )
                )
                continue
            seen[field.name] = where
            fields.append(field)
    if problems:
        raise InputError(problems)
    return SiteFields(tuple(fields), file)


def _field(
    table: str, entry: Mapping[str, Any], where: str, file: str
) -> tuple[list[Problem], SiteField | None]:
    """One declaration checked: its problems, and the field when there are none."""

    def problem(key: str, message: str, allowed: str) -> Problem:
        return Problem(f"{where}.{key}", entry.get(key), message, allowed, file)

    problems = [
        Problem(f"{where}.{key}", None, "is not a known key", ", ".join(sorted(_KEYS)), file)
        for key in entry
        if key not in _KEYS
    ]
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        problems.append(
            problem(
                "name",
                "is not a field name",
                "snake_case: a lower-case letter, then letters, digits or '_' (≤ 26 in all)",
            )
        )
    elif name in built_in_columns(table) or name in RESERVED_NAMES:
        problems.append(problem("name", f"is a built-in column of {table}", "a name of your own"))
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(problem("label", "is missing or blank", "non-blank text"))
    kind = entry.get("type")
    if kind not in SITE_FIELD_TYPES:
        problems.append(problem("type", "is not a known type", ", ".join(SITE_FIELD_TYPES)))
    numeric = kind in _NUMERIC
    problems += _range_problems(entry, problem, numeric=numeric, whole=kind == "integer")
    if "unit" in entry and (not numeric or not isinstance(entry["unit"], str)):
        problems.append(problem("unit", "is for number and integer fields only", "text"))
    choices, found = _choices(entry, problem, kind == "choice")
    problems += found
    for key in ("required",):
        if key in entry and not isinstance(entry[key], bool):
            problems.append(problem(key, "is not true or false", "true, false"))
    centres = entry.get("centres", [])
    listed = isinstance(centres, list) and all(isinstance(c, str) and c.strip() for c in centres)
    if not listed or ("centres" in entry and not centres):
        problems.append(problem("centres", "is not a list of centre codes", 'e.g. ["BCN", "LYO"]'))
    if "help" in entry and not isinstance(entry["help"], str):
        problems.append(problem("help", "is not text", "text"))
    if problems or not isinstance(name, str) or not isinstance(label, str):
        return problems, None
    kind = str(kind)
    column = Column(
        name=name,
        kind=SITE_FIELD_TYPES[kind],
        description=label.strip(),
        unit=entry.get("unit", "").strip(),
        minimum=None if "min" not in entry else float(entry["min"]),
        maximum=None if "max" not in entry else float(entry["max"]),
        options=tuple(code for code, _ in choices),
        source=file,
        max_length=TEXT_MAX_LENGTH if kind in ("text", "choice") else None,
    )
    return [], SiteField(
        table=table,
        column=column,
        type=kind,
        choices=choices,
        required=bool(entry.get("required", False)),
        centres=tuple(c.strip() for c in centres),
        help=str(entry.get("help", "")).strip(),
    )


def _range_problems(
    entry: Mapping[str, Any], problem: Any, *, numeric: bool, whole: bool
) -> list[Problem]:
    problems: list[Problem] = []
    bounds: dict[str, float] = {}
    for key in ("min", "max"):
        if key not in entry:
            continue
        value = entry[key]
        if not numeric:
            problems.append(problem(key, "is for number and integer fields only", "no range"))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(problem(key, "is not a number", "a number"))
        elif not math.isfinite(value) or (whole and not float(value).is_integer()):
            problems.append(
                problem(
                    key,
                    "is not a finite whole number" if whole else "is not a finite number",
                    "a finite number",
                )
            )
        else:
            bounds[key] = float(value)
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        problems.append(problem("max", f"is below min ({bounds['min']:g})", "max ≥ min"))
    return problems


def _choices(
    entry: Mapping[str, Any], problem: Any, is_choice: bool
) -> tuple[tuple[tuple[str, str], ...], list[Problem]]:
    allowed = 'an array of {code = "...", label = "..."}, codes in lower case, digits and _'
    if "choices" not in entry:
        return (), [
            problem("choices", "is required for a choice field", allowed)
        ] if is_choice else []
    given = entry["choices"]
    if not is_choice:
        return (), [problem("choices", "is for choice fields only", "no choices")]
    if not isinstance(given, Sequence) or isinstance(given, str) or not given:
        return (), [problem("choices", "is not a non-empty array", allowed)]
    problems: list[Problem] = []
    choices: list[tuple[str, str]] = []
    for position, choice in enumerate(given, start=1):
        code = choice.get("code") if isinstance(choice, dict) else None
        label = choice.get("label") if isinstance(choice, dict) else None
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            problems.append(problem("choices", f"choice {position} has no valid code", allowed))
        elif code in {c for c, _ in choices}:
            problems.append(problem("choices", f"code {code!r} is given twice", allowed))
        elif not isinstance(label, str) or not label.strip():
            problems.append(problem("choices", f"choice {code!r} has no label", allowed))
        elif set(choice) - {"code", "label"}:
            problems.append(problem("choices", f"choice {code!r} has unknown keys", allowed))
        else:
            choices.append((code, label.strip()))
    return tuple(choices), problems
