"""Safety rule: grade ≥ 3 or life-threatening toxicity on treatment discontinues.

Cortés-Hernández 2012, Methods: "Reasons for discontinuing treatment were: common toxicity
criteria grade 3 myelosuppression, [...] life-threatening complications [...]". An
``adverse_events`` row of any CTCAE term (CTCAE v5.0 generic grades, docs/instruments/ctcae.md:
grade 3 "severe or medically significant", grade 4 "life-threatening consequences") with a grade at
or above the protocol's ``thresholds.adverse_event_stop_grade`` and an onset during the
course (from the start of the current course, or of the last one when the advice would
restart) stops lenalidomide, with review. The terms of the four blood lines (neutrophil,
white cell, platelet count decreased, anaemia) are left to the myelosuppression rule
(:mod:`clears.protocol._safety_blood`), which applies the protocol's own stop or hold.
"""

from __future__ import annotations

from typing import Any, Final

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice, dose_facts, withhold
from clears.protocol._patient import PatientData, Row, number
from clears.protocol._safety_blood import term_of
from clears.protocol._sources import CTCAE_V5, CTCAE_VERSION

__all__ = ["LIFE_THREATENING_GRADE", "apply_toxicity", "stopping_events"]

#: CTCAE v5.0 grade 4: "life-threatening consequences; urgent intervention indicated"
#: (docs/instruments/ctcae.md, generic grades).
LIFE_THREATENING_GRADE: Final = 4


def stopping_events(data: PatientData, protocol: ProtocolDefinition) -> list[Row]:
    """Adverse events with onset during the course at or above the protocol's stop grade."""
    course = dose_facts(data, protocol).cycle_start
    if course is None:
        return []
    thresholds = protocol.thresholds
    blood_terms = {t.term for t in thresholds.lines.values()}
    out = []
    for row in data.adverse_events:
        grade = number(row.get("grade"))
        if grade is None or row["onset_date"] < course:
            continue
        if term_of(row) in blood_terms:
            continue
        if grade >= thresholds.adverse_event_stop_grade or grade >= LIFE_THREATENING_GRADE:
            out.append(row)
    return out


def _words(row: Row) -> str:
    grade = int(number(row.get("grade")) or 0)
    kind = " (life-threatening)" if grade == LIFE_THREATENING_GRADE else ""
    return f"{row.get('term')} grade {grade}{kind} from {row['onset_date'].isoformat()}"


def apply_toxicity(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Stop when a grade ≥ ``adverse_event_stop_grade`` event began during the course."""
    if data.current_period is None and advice.dose_mg_per_day <= 0:
        return advice
    events = stopping_events(data, protocol)
    if not events:
        return advice
    listed = "; ".join(_words(r) for r in events)
    info: dict[str, Any] = {
        "events": [str(r.get("term")) for r in events],
        "grades": [int(number(r.get("grade")) or 0) for r in events],
        "onset_dates": [r["onset_date"].isoformat() for r in events],
        "stop_grade": protocol.thresholds.adverse_event_stop_grade,
        "source": protocol.thresholds.source,
    }
    ref = f"{protocol.reference}; {CTCAE_V5}"
    alerts.append(
        Alert(
            "safety.toxicity_stop",
            "stop",
            f"Grade ≥ {protocol.thresholds.adverse_event_stop_grade} adverse event on "
            f"treatment ({CTCAE_VERSION}): {listed}. The protocol discontinues "
            "lenalidomide: stop and review.",
            ref,
            info,
        )
    )
    return withhold(
        advice,
        action="stop",
        regimen="none (stopped)",
        rule="safety.toxicity_stop",
        reference=ref,
        explanation=f"Adverse event during the course ({listed}): discontinue, as the "
        "protocol does for severe or life-threatening toxicity.",
        basis=info,
        extrapolated=False,
    )
