"""Form descriptions built from the cohort schema and the instrument definitions.

Nothing about a field is written twice: labels, allowed values, units and ranges come from
:data:`clears.cohort.SCHEMA` and from the CLASI and SLEDAI-2K definitions, and the templates
only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from clears.cohort._schema import Column, Kind, schema_of
from clears.instruments import sledai
from clears.instruments._definition import Field
from clears.instruments.clasi_definition import AREA_FIELDS, AREA_LABELS, AREAS, PATIENT_FIELDS

__all__ = [
    "ClasiArea",
    "FormField",
    "clasi_areas",
    "clasi_patient_fields",
    "lab_fields",
    "sledai_fields",
    "submitted",
    "table_fields",
    "without_stale_totals",
]

#: Visit columns laid out by the instrument sections, not as plain fields.
_VISIT_SPECIAL: Final = frozenset({"visit_date", "clasi_a", "clasi_d", "sledai"})


@dataclass(frozen=True, slots=True)
class FormField:
    """One input: name, label, kind, choices ``(value, label)``, unit, range, required."""

    name: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    path: str = ""

    @property
    def hint(self) -> str:
        """Unit and range in words, for the field's help text."""
        parts = [self.unit] if self.unit else []
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{self.minimum:g}–{self.maximum:g}")
        return ", ".join(parts)


def _from_column(column: Column, *, required: bool) -> FormField:
    options: tuple[tuple[str, str], ...] = ()
    if column.kind in (Kind.choice, Kind.choices):
        options = tuple((value, value.replace("_", " ")) for value in column.options)
    elif column.kind is Kind.boolean:
        options = (("true", "yes"), ("false", "no"))
    return FormField(
        name=column.name,
        label=column.description or column.name,
        kind=str(column.kind),
        options=options,
        unit=column.unit,
        minimum=column.minimum,
        maximum=column.maximum,
        required=required,
    )


def _from_item(fld: Field) -> FormField:
    return FormField(
        name=fld.column,
        label=fld.item.label,
        kind="choice",
        options=tuple(
            (str(level.code), f"{level.code} – {level.label}") for level in fld.item.levels
        ),
        path=fld.path,
    )


def table_fields(table: str, *, skip: frozenset[str] = frozenset()) -> tuple[FormField, ...]:
    """The plain fields of a cohort table (identifiers and ``skip`` left out).

    Examples
    --------
    >>> [f.name for f in table_fields("flares")]
    ['flare_date', 'severity', 'source']
    """
    from clears.cohort import REQUIRED_COLUMNS

    required = set(REQUIRED_COLUMNS[table])
    return tuple(
        _from_column(column, required=name in required)
        for name, column in schema_of(table).items()
        if name not in ("patient_id", "centre") and name not in skip
    )


def lab_fields() -> tuple[FormField, ...]:
    """Visit fields other than the date and the CLASI/SLEDAI sections (labs, pregnancy)."""
    return table_fields("visits", skip=_VISIT_SPECIAL)


@dataclass(frozen=True, slots=True)
class ClasiArea:
    """One body-map area and its inputs (erythema, scale, dyspigmentation, scarring)."""

    key: str
    label: str
    fields: tuple[FormField, ...]


def clasi_areas() -> tuple[ClasiArea, ...]:
    """The 13 CLASI areas in form order, each with its item inputs from the definition.

    Examples
    --------
    >>> areas = clasi_areas()
    >>> len(areas), [f.name for f in areas[0].fields]
    (13, ['clasi_scalp_ery', 'clasi_scalp_scale', 'clasi_scalp_dysp'])
    """
    return tuple(
        ClasiArea(area, AREA_LABELS[area], tuple(_from_item(f) for f in AREA_FIELDS[area].values()))
        for area in AREAS
    )


def clasi_patient_fields() -> tuple[FormField, ...]:
    """The once-per-patient CLASI items (mucous membrane ... dyspigmentation duration)."""
    return tuple(_from_item(f) for f in PATIENT_FIELDS.values())


def sledai_fields() -> tuple[FormField, ...]:
    """The 24 SLEDAI-2K descriptors, each with its levels from the definition."""
    return tuple(_from_item(f) for f in sledai.DEFINITION.fields)


def submitted(form: Mapping[str, object]) -> dict[str, str]:
    """Non-blank text values of a submitted form, without the CSRF token and the version.

    Examples
    --------
    >>> submitted({"csrf_token": "x", "a": " 1 ", "b": "", "version": "2"})
    {'a': '1'}
    """
    return {
        name: value.strip()
        for name, value in form.items()
        if isinstance(value, str)
        and value.strip()
        and name not in ("csrf_token", "version", "reason")
    }


def without_stale_totals(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """Drop typed totals that the items will recompute (CLASI-A/D, SLEDAI-2K).

    When any CLASI (or SLEDAI-2K) item is given, the registry derives the total from the
    items, so a total typed earlier must not contradict them.

    Examples
    --------
    >>> without_stale_totals({"clasi_a": "3", "clasi_ears_ery": "1", "sledai": "4"})
    {'clasi_ears_ery': '1', 'sledai': '4'}
    """
    result = dict(values)
    given = {name for name, value in values.items() if value not in (None, "")}
    if any(name.startswith("clasi_") and name not in ("clasi_a", "clasi_d") for name in given):
        result.pop("clasi_a", None)
        result.pop("clasi_d", None)
    if any(name.startswith("sledai_") for name in given):
        result.pop("sledai", None)
    return result
