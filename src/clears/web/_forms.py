"""Form descriptions built from the cohort schema and the instrument definitions.

Nothing about a field is written twice: labels, allowed values, units and ranges come from
:data:`clears.cohort.SCHEMA` and from the instrument definitions (CLASI, SLEDAI-2K, the core
outcome set's CLA-IGA, PtGA, itch/pain NRS, DLQI and Skindex-29+3), and the templates
only lay them out. Stored values are shown as a person types them (ISO dates, true/false,
``2`` rather than ``2.0``; :func:`clears.registry._merge.shown`), in the form and in a
conflict alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from clears.cohort import SiteFields
from clears.cohort._schema import Column, Kind, schema_of
from clears.instruments import Field, sledai
from clears.instruments.clasi.definition import AREA_FIELDS, AREA_LABELS, AREAS, PATIENT_FIELDS
from clears.instruments.core_set import CORE_OUTCOMES
from clears.registry import shown_value

__all__ = [
    "SITE_PREFIX",
    "TOTAL_LABELS",
    "ClasiArea",
    "FormField",
    "clasi_areas",
    "clasi_patient_fields",
    "editable",
    "field_label",
    "form_values",
    "lab_fields",
    "outcome_fields",
    "site_form_fields",
    "site_form_values",
    "sledai_fields",
    "split_site",
    "submitted",
    "table_fields",
]

#: Visit columns laid out by the instrument sections, not as plain fields.
_VISIT_SPECIAL: Final = frozenset({"visit_date", "clasi_a", "clasi_d", "sledai"})

#: The instrument totals a visit form takes when the items were not recorded.
TOTAL_LABELS: Final = (
    ("clasi_a", "CLASI-A total"),
    ("clasi_d", "CLASI-D total"),
    ("sledai", "SLEDAI-2K total"),
)

#: Form fields that are not record values.
_NOT_VALUES: Final = frozenset({"csrf_token", "version", "reason", "form_token"})


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
    help: str = ""

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


def outcome_fields() -> tuple[FormField, ...]:
    """The core outcome set's simple measures: CLA-IGA, PtGA, itch and pain NRS, DLQI and
    Skindex-29+3 items (:data:`clears.instruments.core_set.CORE_OUTCOMES`).

    Examples
    --------
    >>> [f.name for f in outcome_fields()][:4]
    ['cla_iga', 'ptga', 'itch_nrs', 'pain_nrs']
    """
    return tuple(_from_item(f) for d in CORE_OUTCOMES for f in d.fields)


def submitted(form: Mapping[str, object]) -> dict[str, str]:
    """Non-blank text values of a submitted form, without the CSRF token, the version, the
    reason and the form token.

    Examples
    --------
    >>> submitted({"csrf_token": "x", "a": " 1 ", "b": "", "version": "2", "form_token": "t"})
    {'a': '1'}
    """
    return {
        name: value.strip()
        for name, value in form.items()
        if isinstance(value, str) and value.strip() and name not in _NOT_VALUES
    }


def editable(table: str) -> list[str]:
    """The record fields the form of ``table`` shows, in form order.

    Examples
    --------
    >>> editable("flares")
    ['flare_date', 'severity', 'source']
    """
    if table == "visits":
        names = ["visit_date", *(name for name, _ in TOTAL_LABELS)]
        names += [f.name for a in clasi_areas() for f in a.fields]
        names += [f.name for f in clasi_patient_fields()]
        names += [f.name for f in sledai_fields()]
        names += [f.name for f in outcome_fields()]
        names += [f.name for f in lab_fields()]
        return names
    return [f.name for f in table_fields(table)]


def field_label(table: str, name: str) -> str:
    """The label a field has on the form of ``table`` (from the schema or the instrument).

    Examples
    --------
    >>> field_label("adverse_events", "grade"), field_label("visits", "clasi_a")
    ('CTCAE v5.0 grade', 'CLASI-A total')
    >>> field_label("visits", "clasi_scalp_ery")
    'Scalp: Erythema'
    """
    if table == "visits":
        labels = dict(TOTAL_LABELS) | {"visit_date": "Visit date"}
        for area in clasi_areas():
            labels |= {f.name: f"{area.label}: {f.label}" for f in area.fields}
        labels |= {f.name: f.label for f in (*clasi_patient_fields(), *sledai_fields())}
        labels |= {f.name: f.label for f in outcome_fields()}
        labels |= {f.name: f.label for f in lab_fields()}
        return labels.get(name, name)
    return next((f.label for f in table_fields(table) if f.name == name), name)


def form_values(values: Mapping[str, Any]) -> dict[str, str]:
    """Record values as the form shows them (blank for missing, ISO dates, true/false).

    Examples
    --------
    >>> import datetime as dt
    >>> form_values({"end_date": dt.date(2026, 11, 30), "grade": 2.0, "serious": False})
    {'end_date': '2026-11-30', 'grade': '2', 'serious': 'false'}
    """
    return {name: shown_value(value) for name, value in values.items()}


#: The prefix of a site-defined field's input name (``site_fields.ifn_signature_score``), the
#: name the registry's problems give the field too.
SITE_PREFIX: Final = "site_fields."


def site_form_fields(declared: SiteFields, table: str, centre: str) -> tuple[FormField, ...]:
    """The inputs of the site-defined fields of ``table`` at ``centre``, from the same
    cohort column a built-in field is described by (label, unit, range, choices).

    Examples
    --------
    >>> from clears.cohort import parse_site_fields
    >>> declared = parse_site_fields({"visits": [
    ...     {"name": "ifn", "label": "IFN score", "type": "number", "unit": "score",
    ...      "min": 0, "max": 100}]}, file="s.toml")
    >>> [(f.name, f.hint) for f in site_form_fields(declared, "visits", "BCN")]
    [('site_fields.ifn', 'score, 0–100')]
    """
    result = []
    for field in declared.of(table, centre):
        base = _from_column(field.column, required=field.required)
        options = field.choices or base.options
        result.append(
            FormField(
                name=SITE_PREFIX + field.name,
                label=field.label,
                kind=base.kind,
                options=options,
                unit=base.unit,
                minimum=base.minimum,
                maximum=base.maximum,
                required=field.required,
                help=field.help,
            )
        )
    return tuple(result)


def site_form_values(site: Mapping[str, str]) -> dict[str, str]:
    """A record's stored site values under their input names.

    Examples
    --------
    >>> site_form_values({"anti_ro": "true"})
    {'site_fields.anti_ro': 'true'}
    """
    return {SITE_PREFIX + name: text for name, text in site.items()}


def split_site(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Submitted values split into the record's own and the site fields' (by field name).

    Examples
    --------
    >>> split_site({"visit_date": "2024-01-02", "site_fields.anti_ro": "yes"})
    ({'visit_date': '2024-01-02'}, {'anti_ro': 'yes'})
    """
    own = {n: v for n, v in values.items() if not n.startswith(SITE_PREFIX)}
    site = {n[len(SITE_PREFIX) :]: v for n, v in values.items() if n.startswith(SITE_PREFIX)}
    return own, site
