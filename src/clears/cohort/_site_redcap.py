"""REDCap data dictionary rows of the site-defined fields.

One row per declared field, on the form ``site_<table>`` (``site_visits``), in the 18
columns of :data:`clears.instruments.redcap.HEADER`: a number or integer is a ``text`` field
validated as ``number`` or ``integer`` with its range, a date ``text`` validated as
``date_ymd``, a choice a ``dropdown`` with ``code, label`` choices, yes/no a ``yesno``
field, text a ``text`` field; the unit and help text are the field note, and a required
field is marked ``y``. The annotation names the clears table and field so the flat export
can be read back (``clears <table>.<name>``).

References
----------
.. [1] REDCap data dictionary: the field types and text validation types
   (``docs/instruments/redcap.md``).
"""

from __future__ import annotations

from clears.cohort._site_fields import SiteField, SiteFields
from clears.instruments.redcap import HEADER

__all__ = ["site_dictionary_rows"]

#: Declared type → (REDCap field type, text validation type).
_REDCAP_TYPES = {
    "number": ("text", "number"),
    "integer": ("text", "integer"),
    "date": ("text", "date_ymd"),
    "choice": ("dropdown", ""),
    "yes_no": ("yesno", ""),
    "text": ("text", ""),
}


def _clean(text: str) -> str:
    # A pipe separates choices in REDCap; it cannot appear inside a label.
    return text.replace("|", "/").replace("\n", " ").strip()


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _row(field: SiteField) -> dict[str, str]:
    field_type, validation = _REDCAP_TYPES[field.type]
    column = field.column
    numeric = field.type in ("number", "integer")
    note = "; ".join(part for part in (column.unit if numeric else "", field.help) if part)
    row = dict.fromkeys(HEADER, "")
    row |= {
        "Variable / Field Name": field.name,
        "Form Name": f"site_{field.table}",
        "Field Type": field_type,
        "Field Label": _clean(field.label),
        "Choices, Calculations, OR Slider Labels": " | ".join(
            f"{code}, {_clean(label)}" for code, label in field.choices
        ),
        "Field Note": _clean(note),
        "Text Validation Type OR Show Slider Number": validation,
        "Text Validation Min": _bound(column.minimum) if numeric else "",
        "Text Validation Max": _bound(column.maximum) if numeric else "",
        "Required Field?": "y" if field.required else "",
        "Field Annotation": f"clears {field.table}.{field.name}",
    }
    return row


def site_dictionary_rows(declared: SiteFields) -> list[dict[str, str]]:
    """The dictionary rows of every declared site field, grouped by table.

    Examples
    --------
    >>> from clears.cohort._site_fields import parse_site_fields
    >>> fields = parse_site_fields({"visits": [
    ...     {"name": "ifn_score", "label": "IFN score", "type": "number", "min": 0, "max": 100}
    ... ]}, file="s.toml")
    >>> row = site_dictionary_rows(fields)[0]
    >>> row["Form Name"], row["Text Validation Max"], row["Field Type"]
    ('site_visits', '100', 'text')
    """
    order = {table: i for i, table in enumerate(dict.fromkeys(f.table for f in declared.fields))}
    return [_row(f) for f in sorted(declared.fields, key=lambda f: order[f.table])]
