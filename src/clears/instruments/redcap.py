"""REDCap data dictionary of the clears instruments.

Writes the 18-column REDCap data dictionary (the CSV a REDCap project imports under
*Project Setup → Data Dictionary*) so that a centre on REDCap can capture item-level CLASI
and SLEDAI today, with the totals as calculated fields, and later import the export into
clears (``clears import-redcap``). The fields come straight from the instrument definitions
(:data:`clears.instruments.clasi.DEFINITION`, :data:`clears.instruments.sledai.DEFINITION`),
so a change to an instrument changes the dictionary with it.

Conventions (REDCap data dictionary format, see ``docs/instruments/redcap.md``):

* the first field is ``record_id``; all fields of one form are contiguous;
* variable names are lower case, start with a letter and have at most 26 characters;
* choices are written ``code, label | code, label``;
* totals are ``calc`` fields; CLASI severity is a ``@CALCTEXT`` text field.

References
----------
.. [1] REDCap data dictionary: the 18 columns in order, as listed by the REDCapR and
   redcapdd documentation (see ``docs/instruments/redcap.md``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from clears.instruments._base import Field, InstrumentDefinition

__all__ = ["HEADER", "dictionary_rows", "write_dictionary"]

#: The 18 columns of a REDCap data dictionary, in order.
HEADER: tuple[str, ...] = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)

Row = dict[str, str]


def _row(
    name: str,
    form: str,
    field_type: str,
    label: str,
    *,
    choices: str = "",
    note: str = "",
    section: str = "",
    validation: str = "",
    vmin: str = "",
    vmax: str = "",
    annotation: str = "",
) -> Row:
    row = dict.fromkeys(HEADER, "")
    row.update(
        {
            "Variable / Field Name": name,
            "Form Name": form,
            "Section Header": section,
            "Field Type": field_type,
            "Field Label": label,
            "Choices, Calculations, OR Slider Labels": choices,
            "Field Note": note,
            "Text Validation Type OR Show Slider Number": validation,
            "Text Validation Min": vmin,
            "Text Validation Max": vmax,
            "Custom Alignment": "RH" if field_type in {"radio", "yesno"} else "",
            "Field Annotation": annotation,
        }
    )
    return row


def _clean(text: str) -> str:
    # A pipe separates choices in REDCap; it cannot appear inside a label.
    return text.replace("|", "/").replace("\n", " ").strip()


def _choices(field: Field) -> str:
    return " | ".join(f"{lv.code}, {_clean(lv.label)}" for lv in field.item.levels)


def _is_yes_no(field: Field) -> bool:
    return field.item.codes == (0, 1) and field.item.boolean


def _item_rows(definition: InstrumentDefinition, form: str) -> list[Row]:
    rows: list[Row] = []
    section_of_group: set[str] = set()
    for field in definition.fields:
        section = ""
        if field.group and field.group not in section_of_group:
            section_of_group.add(field.group)
            section = field.group
        if _is_yes_no(field):
            rows.append(
                _row(
                    field.column,
                    form,
                    "yesno",
                    _clean(field.display_label),
                    note=_clean(field.item.description),
                    section=section,
                )
            )
        else:
            rows.append(
                _row(
                    field.column,
                    form,
                    "radio",
                    _clean(field.display_label),
                    choices=_choices(field),
                    note=_clean(field.item.description),
                    section=section,
                )
            )
    return rows


def _sum(columns: Iterable[str]) -> str:
    return "sum(" + ",".join(f"[{c}]" for c in columns) + ")"


def _clasi_rows() -> list[Row]:
    from clears.instruments.clasi import definition as cd

    form = "clasi"
    rows = [_row("clasi_date", form, "text", "Date of CLASI assessment", validation="date_ymd")]
    rows += _item_rows(cd.DEFINITION, form)
    by_role: dict[cd.Role, list[str]] = {role: [] for role in cd.Role}
    for field in cd.DEFINITION.fields:
        by_role[cd.ROLES[field.item.name]].append(field.column)
    multiplier = cd.DYSPIGMENTATION_MULTIPLIER
    doubling = cd.DOUBLING_COLUMN
    activity = _sum(by_role[cd.Role.activity])
    damage = (
        f"{_sum(by_role[cd.Role.dyspigmentation])}*if([{doubling}]='1',{multiplier},1)"
        f"+{_sum(by_role[cd.Role.damage])}"
    )
    rows.append(
        _row(
            "clasi_a",
            form,
            "calc",
            f"CLASI activity (0-{cd.ACTIVITY_MAX})",
            choices=activity,
            section="Totals",
            note=str(cd.REFERENCE),
        )
    )
    rows.append(
        _row(
            "clasi_d",
            form,
            "calc",
            f"CLASI damage (0-{cd.DAMAGE_MAX})",
            choices=damage,
            note="Summed dyspigmentation doubled when it usually lasts 12 months or more.",
        )
    )
    band_logic = "''"
    for band in reversed(cd.SEVERITY_BANDS):
        band_logic = f"if([clasi_a]<={band.high},'{band.name}',{band_logic})"
    rows.append(
        _row(
            "clasi_severity",
            form,
            "text",
            "CLASI-A severity band",
            note=str(cd.SEVERITY_REFERENCE),
            annotation=f"@CALCTEXT(if([clasi_a]='','',{band_logic})) @READONLY",
        )
    )
    return rows


def _sledai_calc(variant: str) -> str:
    from clears.instruments import sledai

    terms = []
    for field in sledai.DEFINITION.fields:
        key = field.item.name
        weight = sledai.WEIGHTS[key]
        if key in sledai.ONSET_DESCRIPTORS:
            # Codes: 1 present (onset not recorded), 2 new or recurrent, 3 persistent.
            counted = ("2",) if variant == "selena" else ("1", "2", "3")
        else:
            counted = ("1",)
        test = " or ".join(f"[{field.column}]='{c}'" for c in counted)
        terms.append(f"if({test},{weight},0)")
    return "+".join(terms)


def _sledai_rows() -> list[Row]:
    from clears.instruments import sledai

    form = "sledai"
    rows = [
        _row(
            "sledai_date",
            form,
            "text",
            "Date of SLEDAI assessment",
            validation="date_ymd",
            note="Score descriptors present at the visit or in the preceding 10 days.",
        )
    ]
    rows += _item_rows(sledai.DEFINITION, form)
    rows.append(
        _row(
            "sledai",
            form,
            "calc",
            f"SLEDAI-2K total (0-{sledai.MAXIMUM})",
            choices=_sledai_calc("sledai2k"),
            section="Totals",
            note=str(sledai.REFERENCE),
        )
    )
    rows.append(
        _row(
            "sledai_selena",
            form,
            "calc",
            f"SELENA-SLEDAI total (0-{sledai.MAXIMUM})",
            choices=_sledai_calc("selena"),
            note="Rash, alopecia, mucosal ulcers and proteinuria count only when new or recurrent.",
        )
    )
    return rows


def _adverse_event_rows() -> list[Row]:
    from clears.instruments.ctcae import definition as ctcae_def

    form = "adverse_event"
    # Codes are the stable term keys, so stored data never depends on the order of the list.
    terms = " | ".join(f"{key}, {_clean(term.term)}" for key, term in ctcae_def.TERMS.items())
    grades = " | ".join(
        f"{g}, Grade {g}: {_clean(text)}" for g, text in ctcae_def.GRADE_MEANINGS.items()
    )
    return [
        _row("ae_onset_date", form, "text", "Onset date", validation="date_ymd"),
        _row(
            "ae_term",
            form,
            "dropdown",
            f"Adverse event term ({ctcae_def.VERSION})",
            choices=terms + " | other, Other (specify)",
        ),
        _row("ae_term_other", form, "text", "Other term (CTCAE v5.0 wording)")
        | {"Branching Logic (Show field only if...)": "[ae_term] = 'other'"},
        _row(
            "ae_grade",
            form,
            "radio",
            f"Grade ({ctcae_def.VERSION})",
            choices=grades,
            note="Only the grades that exist for the term are valid; clears checks on import.",
        ),
        _row("ae_serious", form, "yesno", "Serious adverse event"),
        _row(
            "ae_action",
            form,
            "radio",
            "Action taken with the drug",
            choices="none, None | dose_reduced, Dose reduced | interrupted, Interrupted | "
            "withdrawn, Withdrawn",
        ),
        _row("ae_end_date", form, "text", "End date", validation="date_ymd"),
    ]


#: The note on the first item of each instrument whose wording is copyright.
_COPYRIGHT_NOTES: Final = {
    "dlqi": "Item numbers only (the DLQI wording is copyright; a licensed centre adds it). "
    "Not relevant = 9, scored 0; clears computes the total and band.",
    "skindex": "Item numbers only (the Skindex wording is copyright; a licensed centre adds "
    "it). 0 never to 4 all the time; clears computes the domain scores.",
}


def _outcome_rows() -> list[Row]:
    from clears.instruments.core_set import CORE_OUTCOMES

    form = "core_outcomes"
    rows: list[Row] = []
    for definition in CORE_OUTCOMES:
        part = _item_rows(definition, form)
        part[0]["Section Header"] = _clean(definition.title)
        note = _COPYRIGHT_NOTES.get(definition.name)
        if note:
            part[0]["Field Note"] = _clean(note)
        rows += part
    return rows


def dictionary_rows() -> list[Row]:
    """Return the data dictionary rows, ``record_id`` first, one form after another.

    Forms: ``clasi`` (item-level CLASI with activity, damage and severity calculated),
    ``sledai`` (the 24 descriptors with SLEDAI-2K and SELENA-SLEDAI totals calculated),
    ``core_outcomes`` (the CLE core outcome set's CLA-IGA, PtGA, itch and pain NRS, DLQI and
    Skindex-29+3 items; their scores are computed by clears, not by REDCap), ``adverse_event`` (a
    repeating form: CTCAE v5.0 term and grade).

    Examples
    --------
    >>> rows = dictionary_rows()
    >>> rows[0]["Variable / Field Name"], len(rows[0])
    ('record_id', 18)
    """
    rows = [_row("record_id", "clasi", "text", "Record ID (pseudonymous patient identifier)")]
    rows += _clasi_rows()
    rows += _sledai_rows()
    rows += _outcome_rows()
    rows += _adverse_event_rows()
    return rows


def write_dictionary(path: str | Path, *, extra: Iterable[Row] = ()) -> int:
    """Write the REDCap data dictionary CSV to ``path`` and return the number of fields.

    ``extra`` rows (the site-defined fields, :func:`clears.cohort.site_dictionary_rows`)
    follow the instruments' forms.
    """
    rows = [*dictionary_rows(), *extra]
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HEADER))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
