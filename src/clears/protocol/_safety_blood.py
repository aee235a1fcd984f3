"""Safety rule: myelosuppression on every blood line (ANC, WBC, platelets, haemoglobin).

The limits come from the protocol's one declared table (:mod:`clears.protocol._thresholds`):
a count at CTCAE v5.0 grade ≥ ``hold_grade`` (grade 3 in every bundled protocol) on
treatment is never continued through. What follows is the protocol's own rule:

``stop`` (``cortes2012``, the default)
    Discontinue and review. Cortés-Hernández 2012, Methods: "Reasons for discontinuing
    treatment were: common toxicity criteria grade 3 myelosuppression, ...".
``hold_resume`` (``cortes2012_label_holds``)
    Interrupt; once every count measured after the interruption is back at the START limit,
    resume one level lower on the protocol's ``resume_ladder`` (the lenalidomide label's
    dose interruption for cytopenias, docs/reference/lenalidomide.md §5, applied to CLE by
    extrapolation).

Counts are read **by date, not by treatment period**: on treatment, every count dated within
the look-back window (the blood-count interval in force plus the protocol's grace days) is
read, whichever dose period it fell in, so a count the day before a dose change still counts.
An ``adverse_events`` row of a line's CTCAE term (e.g. "Neutrophil count decreased") at grade
≥ ``hold_grade`` with onset in the window counts like a count. Restarting off treatment (a
resume, or a reintroduction after withdrawal) needs the latest count of each line within
``start_lookback_days`` to meet its START limit, the same limit eligibility applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Final

from clears._exceptions import InputError, Problem
from clears.instruments.ctcae import find_term
from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import (
    DoseAdvice,
    dose_facts,
    hold_start,
    intended_start,
    match_regimen,
    withhold,
)
from clears.protocol._patient import PatientData, Row, number
from clears.protocol._sources import CTCAE_V5, CTCAE_VERSION, LABEL_CYTOPENIA
from clears.protocol._thresholds import LineThreshold, Thresholds

__all__ = [
    "Finding",
    "apply_blood_counts",
    "apply_counts_before_start",
    "lookback",
    "severe_findings",
    "term_of",
]

_EPS: Final = 1e-9
#: How each line is named in words, with its unit.
_WORDS: Final = {
    "anc": ("ANC", "×10⁹/L"),
    "wbc": ("WBC", "×10⁹/L"),
    "platelets": ("platelets", "×10⁹/L"),
    "hb": ("haemoglobin", "g/dL"),
}


@dataclass(frozen=True)
class Finding:
    """A grade ≥ ``hold_grade`` observation of one line: a count, or an adverse-event row."""

    line: str
    day: dt.date
    grade: int
    value: float | None = None
    term: str | None = None

    def words(self) -> str:
        """The finding in words: ``ANC 0.8 ×10⁹/L on 2024-02-10 (grade 3)``."""
        name, unit = _WORDS[self.line]
        what = f"{name} {self.value:g} {unit}" if self.value is not None else f"{self.term}"
        return f"{what} on {self.day.isoformat()} (grade {self.grade})"


def lookback(data: PatientData, protocol: ProtocolDefinition, day: dt.date) -> dt.date:
    """First day of the on-treatment look-back window that ends on ``day``.

    The window is the blood-count interval in force on ``day`` (``[monitoring]
    blood_count_interval_days``: the early interval during the early phase of the course,
    then the late one) plus ``thresholds.lookback_grace_days``.

    Examples
    --------
    The cortes2012 protocol on day 20 of a course: weekly counts + 7 days = 14 days back;
    on day 100: monthly (28) + 7 = 35 days back.
    """
    early, phase_days, late = protocol.blood_count_interval_days
    course = dose_facts(data.at(day), protocol).cycle_start
    interval = early if course is not None and (day - course).days < phase_days else late
    return day - dt.timedelta(days=protocol.thresholds.lookback_days(interval))


def term_of(row: Row) -> str | None:
    """The CTCAE term key of an adverse-event row, ``None`` when the term is not known."""
    try:
        return find_term(str(row.get("term") or "")).key
    except InputError:
        return None


def _grade(threshold: LineThreshold, value: float) -> int:
    try:
        return threshold.grade(value)
    except InputError:
        name = _WORDS[threshold.line][0]
        low, high = threshold.plausible
        raise InputError(
            Problem(
                threshold.line,
                value,
                f"is not a plausible {name} value",
                f"{low:g} to {high:g} {threshold.unit}",
                "visits",
            )
        ) from None


def severe_findings(
    data: PatientData, thresholds: Thresholds, since: dt.date, until: dt.date
) -> list[Finding]:
    """Every grade ≥ ``hold_grade`` count or line adverse event dated ``since``–``until``."""
    found: list[Finding] = []
    for line, threshold in thresholds.lines.items():
        for row in data.visits:
            value = number(row.get(line))
            if value is None or not since <= row["visit_date"] <= until:
                continue
            grade = _grade(threshold, value)
            if grade >= threshold.hold_grade:
                found.append(Finding(line, row["visit_date"], grade, value=value))
        for row in data.adverse_events:
            grade_value = number(row.get("grade"))
            if (
                grade_value is not None
                and grade_value >= threshold.hold_grade
                and since <= row["onset_date"] <= until
                and term_of(row) == threshold.term
            ):
                found.append(
                    Finding(line, row["onset_date"], int(grade_value), term=str(row["term"]))
                )
    return found


def _latest(data: PatientData, line: str, since: dt.date, until: dt.date) -> Row | None:
    rows = [
        r
        for r in data.visits
        if number(r.get(line)) is not None and since <= r["visit_date"] <= until
    ]
    return rows[-1] if rows else None


def _below_start(
    data: PatientData, thresholds: Thresholds, since: dt.date, until: dt.date
) -> dict[str, Any]:
    """Lines whose latest count dated ``since``–``until`` is below its START limit."""
    out: dict[str, Any] = {}
    for line, threshold in thresholds.lines.items():
        row = _latest(data, line, since, until)
        value = number(row.get(line)) if row is not None else None
        if row is not None and value is not None and not threshold.starts(value):
            out[line] = value
            out[f"{line}_date"] = row["visit_date"]
            out[f"{line}_start_at_least"] = threshold.start_at_least
    return out


def _data(findings: list[Finding], thresholds: Thresholds) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in findings:
        key = f.line if f.value is not None else f"{f.line}_adverse_event"
        out[key] = f.value if f.value is not None else f.term
        out[f"{key}_date"] = f.day
        out[f"{key}_grade"] = f.grade
        out[f"{f.line}_hold_source"] = thresholds.lines[f.line].hold_source
    return out


def _reference(protocol: ProtocolDefinition) -> str:
    if protocol.thresholds.myelosuppression == "hold_resume":
        return f"{LABEL_CYTOPENIA}; {CTCAE_V5}"
    return f"{protocol.reference}; {CTCAE_V5}"


def _interrupt(
    advice: DoseAdvice, protocol: ProtocolDefinition, findings: list[Finding], alerts: list[Alert]
) -> DoseAdvice:
    """``advice`` turned into the protocol's answer to grade ≥ 3 myelosuppression."""
    thresholds = protocol.thresholds
    ref = _reference(protocol)
    listed = "; ".join(f.words() for f in findings)
    data = _data(findings, thresholds)
    if thresholds.myelosuppression == "stop":
        alerts.append(
            Alert(
                "safety.myelosuppression_stop",
                "stop",
                f"Grade ≥ 3 myelosuppression ({CTCAE_VERSION}): {listed}. The protocol "
                "discontinues lenalidomide: stop and review.",
                ref,
                data,
            )
        )
        return withhold(
            advice,
            action="stop",
            regimen="none (stopped)",
            rule="safety.myelosuppression_stop",
            reference=ref,
            explanation=f"Grade ≥ 3 myelosuppression ({listed}): discontinue, as the protocol "
            "does for common toxicity criteria grade 3 myelosuppression.",
            basis=data,
            extrapolated=False,
        )
    alerts.append(
        Alert(
            "safety.cytopenia_hold",
            "hold",
            f"Grade ≥ 3 cytopenia ({CTCAE_VERSION}): {listed}. Interrupt lenalidomide "
            "and check blood counts weekly.",
            ref,
            data,
        )
    )
    return _hold(
        advice,
        ref,
        f"Grade ≥ 3 cytopenia ({listed}): hold; resume one dose level lower once the "
        "counts are back at the START limits (label rule, extrapolated off-label).",
        {**advice.basis, **data},
    )


def _hold(
    advice: DoseAdvice,
    reference: str,
    explanation: str,
    basis: dict[str, Any],
    *,
    rule: str = "safety.cytopenia_hold",
    extrapolated: bool = True,
) -> DoseAdvice:
    return withhold(
        advice,
        action="hold",
        regimen="interrupted" if extrapolated else "not restarted",
        rule=rule,
        reference=reference,
        explanation=explanation,
        basis=basis,
        extrapolated=extrapolated,
    )


def _resume(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """After a cytopenia hold (hold_resume protocols): keep holding, or resume one level lower."""
    thresholds = protocol.thresholds
    last = data.periods[-1]
    end: dt.date = last["end_date"]
    cause = severe_findings(data, thresholds, lookback(data, protocol, end), end)
    if not cause:
        return advice
    ref = _reference(protocol)
    after = end + dt.timedelta(days=1)
    missing = sorted({f.line for f in cause if _latest(data, f.line, after, data.as_of) is None})
    low = _below_start(data, thresholds, after, data.as_of)
    held = {**advice.basis, "held_since": end, **low}
    if missing or low:
        lines = ", ".join(missing + [k for k in low if k in thresholds.lines])
        return _hold(
            advice,
            ref,
            f"Held for grade ≥ 3 cytopenia since {end.isoformat()}; not yet recovered "
            f"({lines}): keep holding and check counts weekly.",
            held,
        )
    last_mg = number(last.get("dose_mg_per_day")) or 0.0
    levels = [protocol.regimen(r) for r in thresholds.resume_ladder]
    lower = [r for r in levels if r.mg_per_day < last_mg - _EPS]
    if lower:
        target = lower[0]
    else:
        same = match_regimen(last, protocol)
        target = protocol.regimen(same) if same is not None else levels[-1]
        alerts.append(
            Alert(
                "safety.cytopenia_lowest_level",
                "review",
                f"Already at the lowest dose level ({target.label}): resuming at it; the "
                "label never goes lower. Review whether to continue.",
                ref,
                {"last_mg_per_day": last_mg},
            )
        )
    return replace(
        advice,
        action="restart",
        dose_mg_per_day=target.mg_per_day,
        regimen=target.label,
        rule="safety.cytopenia_resume",
        reference=ref,
        review=True,
        extrapolated=True,
        explanation=f"Counts back at the START limits after a cytopenia hold: resume one "
        f"dose level lower ({last_mg:g} → {target.mg_per_day:g} mg/day, {target.label}).",
        basis={**advice.basis, "held_since": end, "last_mg_per_day": last_mg},
    )


def apply_blood_counts(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Never continue through grade ≥ 3 myelosuppression; restart only at the START limits."""
    thresholds = protocol.thresholds
    if data.current_period is not None:
        findings = severe_findings(
            data, thresholds, lookback(data, protocol, data.as_of), data.as_of
        )
        return _interrupt(advice, protocol, findings, alerts) if findings else advice
    last = data.periods[-1] if data.periods else None
    if (
        thresholds.myelosuppression == "hold_resume"
        and last is not None
        and last.get("end_reason") == "adverse_event"
    ):
        advice = _resume(data, protocol, advice, alerts)
    if advice.dose_mg_per_day <= 0 or not data.periods:
        return advice
    since = data.as_of - dt.timedelta(days=thresholds.start_lookback_days)
    low = _below_start(data, thresholds, since, data.as_of)
    if not low:
        return advice
    ref = _reference(protocol)
    lines = ", ".join(k for k in low if k in thresholds.lines)
    alerts.append(
        Alert(
            "safety.restart_blood_counts",
            "hold",
            f"Latest {lines} below the START limit of the protocol: do not restart "
            "lenalidomide until the counts are back.",
            ref,
            low,
        )
    )
    return _hold(
        advice,
        ref,
        f"Do not restart: latest {lines} below the START limit (the same limit that "
        "blocks a first start).",
        {**advice.basis, **low},
        rule="safety.restart_blood_counts",
        extrapolated=thresholds.myelosuppression == "hold_resume",
    )


def apply_counts_before_start(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Hold a first start or a restart that no recent count of every line supports.

    The START limits ("do not start if ANC < 1.0 × 10⁹/L and/or platelets < 50 × 10⁹/L",
    EU SmPC; the Cortés-Hernández 2012 exclusions) can only be met by a count: a line without
    one in the protocol's START window is not "unknown, start anyway", it is "count first".
    Runs after the other start gates and adds its reason to a start they already hold.
    """
    words = intended_start(advice)
    if words is None:
        return advice
    days = protocol.thresholds.start_lookback_days
    since = data.as_of - dt.timedelta(days=days)
    missing = [
        line for line in protocol.thresholds.lines if _latest(data, line, since, data.as_of) is None
    ]
    if not missing:
        return advice
    lines = ", ".join(missing)
    ref = _reference(protocol)
    # A reintroduction is a decision due now (hold); before a first dose the pre-start blood
    # count is already a monitoring item and the advice holds, so the alert only informs (a
    # patient enrolled but not yet worked up is not on the safety worklist for it).
    alerts.append(
        Alert(
            "safety.blood_counts_before_start",
            "hold" if data.periods else "info",
            f"No {lines} count in the last {days} days: do a full blood count before you "
            f"{words} {data.drug} (the START limits need one).",
            ref,
            {"missing": missing, "window_days": days},
        )
    )
    return hold_start(
        advice,
        regimen="not started" if not data.periods else "none (not restarted)",
        rule="safety.blood_counts_before_start",
        reference=ref,
        explanation=f"Do not {words} yet: no {lines} count in the {days} days before today; "
        "a full blood count must show the START limits are met.",
        basis={"missing_counts": missing},
        extrapolated=False,
    )
