"""Safety rule: myelosuppression (grade ≥ 3 cytopenias) and the hold / resume that follows.

Grades are CTCAE v5.0 (:mod:`clears.instruments.ctcae`); the resume levels follow the
lenalidomide label (LABEL_CYTOPENIA), applied to CLE by extrapolation; the Cortés-Hernández
2012 trial discontinued for grade 3 myelosuppression.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Final

from clears.instruments.ctcae import LAB_TESTS, grade_lab
from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice, regimen_label
from clears.protocol._patient import PatientData, number
from clears.protocol._sources import CORTES2012, CTCAE_V5, CTCAE_VERSION, LABEL_CYTOPENIA

__all__ = ["CYTOPENIA_LEVELS", "apply_blood_counts", "cytopenia_grade"]

#: Dose levels for resuming after a cytopenia hold, mg/day, highest first; the label never
#: goes below 2.5 mg daily (LABEL_CYTOPENIA, instruments.md §6.5 [S]).
CYTOPENIA_LEVELS: Final = (10.0, 5.0, 2.5)

#: The CTCAE lab tests behind a cytopenia hold -> their visits-table column, read from
#: :data:`clears.instruments.ctcae.LAB_TESTS` (as are their grade bands).
_CYTOPENIA_COLUMNS: Final = {
    lab.key: lab.cohort_column
    for lab in (LAB_TESTS["neutrophils"], LAB_TESTS["platelets"])
    if lab.cohort_column is not None
}


def cytopenia_grade(test: str, value: float) -> int:
    """CTCAE v5.0 grade of a neutrophil or platelet count in ×10⁹/L, reading grades ≥ 2.

    Grades come from :func:`clears.instruments.ctcae.grade_lab`. Grade 1 needs the local
    lower limit of normal, so values at or above the grade-1 lower bound (1.5 and 75 ×10⁹/L,
    instruments.md §5.2 [V]) return 0 here; only grades 2–4 drive dose decisions.

    Examples
    --------
    >>> cytopenia_grade("neutrophils", 0.99), cytopenia_grade("neutrophils", 1.0)
    (3, 2)
    >>> cytopenia_grade("platelets", 75.0)
    0
    """
    if value >= LAB_TESTS[test].scales[0].grade1_lower:
        return 0
    return grade_lab(test, value, "10^9/L").grade


def _labs(
    data: PatientData, since: dt.date | None, until: dt.date | None = None
) -> dict[str, tuple[dt.date, float]]:
    out: dict[str, tuple[dt.date, float]] = {}
    for test, column in _CYTOPENIA_COLUMNS.items():
        for row in reversed(data.visits):
            day = row["visit_date"]
            value = number(row.get(column))
            if (
                value is None
                or (since is not None and day < since)
                or (until is not None and day > until)
            ):
                continue
            out[test] = (day, value)
            break
    return out


def _severe(labs: dict[str, tuple[dt.date, float]]) -> dict[str, Any]:
    return {f"{t}_x10e9_per_l": v for t, (_, v) in labs.items() if cytopenia_grade(t, v) >= 3}


def _next_level(mg: float) -> float:
    lower = [level for level in CYTOPENIA_LEVELS if level < mg - 1e-9]
    return lower[0] if lower else mg


def _hold(
    advice: DoseAdvice, reference: str, explanation: str, basis: dict[str, Any] | None = None
) -> DoseAdvice:
    """``advice`` turned into a cytopenia hold: no dose, interrupted, for clinician review."""
    return replace(
        advice,
        action="hold",
        dose_mg_per_day=0.0,
        regimen="interrupted",
        rule="safety.cytopenia_hold",
        reference=reference,
        review=True,
        explanation=explanation,
        basis=advice.basis if basis is None else basis,
    )


def apply_blood_counts(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    ref = f"{LABEL_CYTOPENIA}; {CTCAE_V5}; {CORTES2012}"
    current = data.current_period
    if current is not None:
        severe = _severe(_labs(data, since=current["start_date"]))
        if not severe:
            return advice
        alerts.append(
            Alert(
                "safety.cytopenia_hold",
                "hold",
                "Grade 3 or worse neutropenia or "
                f"thrombocytopenia ({CTCAE_VERSION}): interrupt lenalidomide and check "
                "blood counts weekly.",
                ref,
                severe,
            )
        )
        return _hold(
            advice,
            ref,
            "Grade ≥ 3 neutropenia (ANC < 1.0×10⁹/L) or thrombocytopenia "
            f"(platelets < 50×10⁹/L), {CTCAE_VERSION}: hold; the Cortés-Hernández "
            "trial discontinued for grade 3 myelosuppression.",
        )
    last = data.periods[-1] if data.periods else None
    if last is None or last.get("end_reason") != "adverse_event":
        return advice
    cause = _severe(_labs(data, since=last["start_date"], until=last["end_date"]))
    if not cause:
        return advice
    after = _labs(data, since=last["end_date"] + dt.timedelta(days=1))
    last_mg = number(last.get("dose_mg_per_day")) or 0.0
    recovered = len(after) == 2 and not _severe(after)
    if not recovered:
        return _hold(
            advice,
            ref,
            "Held for grade ≥ 3 cytopenia and no recovered neutrophil and "
            "platelet counts since: keep holding and check counts weekly.",
            basis={**advice.basis, "held_since": last["end_date"], **_severe(after)},
        )
    level = _next_level(last_mg)
    words = f"{level:g} mg daily" if level != last_mg else regimen_label(last)
    if level == last_mg:
        alerts.append(
            Alert(
                "safety.cytopenia_lowest_level",
                "review",
                "Already at or below "
                "2.5 mg/day, the lowest dose level: resuming at the same dose; review "
                "whether to continue.",
                ref,
                {"last_mg_per_day": last_mg},
            )
        )
    return replace(
        advice,
        action="restart",
        dose_mg_per_day=level,
        regimen=words,
        rule="safety.cytopenia_resume",
        reference=ref,
        extrapolated=True,
        explanation=f"Counts recovered to grade ≤ 2 after a cytopenia hold: resume one "
        f"dose level lower ({last_mg:g} → {level:g} mg/day; levels 10, 5, 2.5).",
        basis={**advice.basis, "held_since": last["end_date"], "last_mg_per_day": last_mg},
    )
