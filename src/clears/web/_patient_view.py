"""What the patient page shows: timeline, score series, CTCAE grades, response and advice.

Every figure here comes from the library (instruments, outcomes, protocol) and carries the
method or source that produced it; this module only arranges them for the template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from clears._cells import plain_value
from clears._exceptions import ClearsError, InputError
from clears.cohort import DATE_COLUMNS, SCHEMA, Cohort
from clears.instruments.ctcae import LAB_TESTS as CTCAE_LABS
from clears.instruments.ctcae import grade_lab
from clears.outcomes import derive
from clears.protocol import advise, load_protocol
from clears.quality import Rule, evaluate
from clears.registry import Record
from clears.units import canonical_unit

__all__ = [
    "LAB_TESTS",
    "Series",
    "advice",
    "lab_grades",
    "protocol_criteria",
    "quality_findings",
    "response_status",
    "series",
]

#: Visit lab columns graded by CTCAE v5.0: column -> (CTCAE test, canonical unit), read
#: from the CTCAE lab definitions (their ``cohort_column``) so the two cannot drift apart.
LAB_TESTS: Final = {
    lab.cohort_column: (lab.key, canonical_unit(lab.quantity))
    for lab in CTCAE_LABS.values()
    if lab.cohort_column is not None
}


@dataclass(frozen=True, slots=True)
class Series:
    """One score over time, with SVG polyline points scaled into a ``width`` x ``height`` box."""

    name: str
    maximum: int
    values: tuple[tuple[str, float], ...]
    points: str


def series(
    visits: Sequence[Record], column: str, maximum: int, *, width: int = 600, height: int = 120
) -> Series:
    """The values of ``column`` over the visits (date order), with chart points.

    Examples
    --------
    >>> rows = [Record("visits", i, "P", 1, {"visit_date": dt.date(2024, 1, d), "clasi_a": v})
    ...         for i, (d, v) in enumerate([(1, 20), (11, 10), (21, 0)])]
    >>> series(rows, "clasi_a", 70, width=100, height=70).points
    '0.0,50.0 50.0,60.0 100.0,70.0'
    """
    values = [
        (r.data["visit_date"], float(r.data[column]))
        for r in visits
        if r.data.get(column) is not None and r.data.get("visit_date") is not None
    ]
    if not values:
        return Series(column, maximum, (), "")
    first, last = values[0][0], values[-1][0]
    span = max((last - first).days, 1)
    points = " ".join(
        f"{width * (day - first).days / span:.1f},{height - height * value / maximum:.1f}"
        for day, value in values
    )
    return Series(column, maximum, tuple((day.isoformat(), value) for day, value in values), points)


def lab_grades(visit: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CTCAE v5.0 grade of each lab value of one visit (no local LLN: grade 0/1 flagged)."""
    grades = []
    for column, (test, unit) in LAB_TESTS.items():
        value = visit.get(column)
        if value is None:
            continue
        try:
            result = grade_lab(test, float(value), unit)
        except InputError as exc:  # above grade 2: 0 or 1 depends on the local LLN
            grades.append(
                {
                    "column": column,
                    "value": value,
                    "grade": None,
                    "term": "",
                    "description": "; ".join(p.message for p in exc.problems),
                    "flags": [],
                }
            )
            continue
        grades.append(
            {
                "column": column,
                "value": value,
                "grade": result.grade,
                "term": result.term,
                "description": result.description,
                "flags": list(result.flags),
            }
        )
    return grades


def response_status(cohort: Cohort, patient_id: str, preset: str) -> dict[str, Any]:
    """Best response, response at assessment and relapse under ``preset`` (or why not)."""
    try:
        frame = derive(cohort, criteria=[preset])
    except ClearsError as exc:
        return {"criteria": preset, "error": str(exc)}
    except ValueError as exc:  # outcomes: a patient with only a treatment row (reported)
        return {"criteria": preset, "error": f"outcomes could not be derived yet ({exc})"}
    rows = frame[frame["patient_id"] == patient_id]
    if rows.empty:
        return {"criteria": preset, "error": "no lenalidomide period recorded"}
    row = rows.iloc[0]

    def plain(name: str) -> Any:
        return plain_value(row[name])

    return {
        "criteria": f"{row['criteria']} v{row['criteria_version']}",
        "best_response": plain("best_response"),
        "response_at_assessment": plain("response_at_assessment"),
        "assessment_week": plain("assessment_week"),
        "not_evaluable_reason": plain("not_evaluable_reason"),
        "relapse": plain("relapse"),
        "baseline_clasi_a": plain("baseline_clasi_a"),
    }


def protocol_criteria(protocol: str) -> str | None:
    """Name of the criteria preset a decision-support protocol judges response by.

    None when the protocol cannot be read (the advice panel then shows the error).
    """
    try:
        return load_protocol(protocol).response.name
    except ClearsError:
        return None


def advice(cohort: Cohort, patient_id: str, *, as_of: dt.date, protocol: str) -> dict[str, Any]:
    """The decision-support panel as a mapping (``error`` when it cannot be given)."""
    try:
        return advise(cohort, patient_id, as_of=as_of, protocol=protocol).to_dict()
    except ClearsError as exc:
        return {"error": str(exc)}


def _label(table: str, field: str) -> str:
    column = next((c for c in SCHEMA[table] if c.name == field), None)
    return column.description if column is not None else field


def quality_findings(cohort: Cohort, rules: Sequence[Rule]) -> list[dict[str, str]]:
    """The data-quality findings (docs/quality.md) of the patient ``cohort`` holds, errors
    first, each naming its record by table and date (the rule's 1-based row of that
    patient's table, as :func:`clears.quality.evaluate` counts, looked up here).

    These are the warnings a save brings: the page a save lands on shows them, and so does
    every later visit to it until the data are corrected.
    """
    found = evaluate(cohort, rules).findings
    rows = []
    for finding in found.itertuples(index=False):
        table = str(finding.table)
        frame = getattr(cohort, table)
        row = frame.iloc[int(str(finding.record).removeprefix("row ")) - 1]
        dated = [name for name in DATE_COLUMNS[table][:1] if table != "patients"]
        when = plain_value(row[dated[0]]) if dated else None
        shown = when.isoformat() if isinstance(when, dt.date) else None
        rows.append(
            {
                "severity": str(finding.severity),
                "record": table.replace("_", " ") + (f" of {shown}" if shown else ""),
                "field": _label(table, str(finding.field)),
                "message": str(finding.message),
                "rule": str(finding.rule_id),
            }
        )
    return sorted(rows, key=lambda r: r["severity"] != "error")
