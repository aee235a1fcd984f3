"""The dose engine: reads the facts of one patient as of a date and runs a protocol's rule table.

The engine computes a handful of facts (phase, current regimen, days on it, response status,
relapse, regimens that failed before) and returns the first rule of the protocol whose
conditions all hold and whose target can be resolved. Safety rules run before it
(:mod:`clears.protocol._safety`) and may override its advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from clears.protocol._baseline import BASELINE_WINDOW_DAYS, baseline_value, stale_baseline
from clears.protocol._definition import ProtocolDefinition, Regimen, Rule
from clears.protocol._patient import PatientData, Row, number
from clears.protocol._response import category_of, classify, relapse_flags

__all__ = [
    "DOSE_TOLERANCE_MG_PER_DAY",
    "STARTS",
    "DoseAdvice",
    "DoseFacts",
    "dose_facts",
    "hold_start",
    "intended_start",
    "match_regimen",
    "protocol_dose",
    "regimen_label",
    "withhold",
]

_EPS = 1e-9
#: Two daily doses closer than this are the same dose: a dose recorded to two decimals is
#: within 0.005 mg/day of the exact value (15/7 = 2.142857 recorded as 2.14), and the
#: closest two regimens of a bundled protocol (5 mg alternate days, 2.5 mg/day, and 5 mg
#: three times weekly, 2.143 mg/day) are 0.357 mg/day apart.
DOSE_TOLERANCE_MG_PER_DAY = 0.01
#: ``end_reason`` values that mean "withdrawn after response" rather than "stopped".
WITHDRAWN_REASONS = frozenset({"taper", "complete_response"})


@dataclass(frozen=True)
class DoseAdvice:
    """What to do with the dose, why, and on which authority.

    Attributes
    ----------
    action
        One of :data:`~clears.protocol._definition.ACTIONS`: start, continue, increase,
        decrease, taper, hold, stop, restart, or review (see the patient before any dose
        decision: the last visit is older than the protocol allows).
    dose_mg_per_day, regimen
        The resulting average daily dose (0 when none) and the regimen in words.
    rule, explanation, reference
        The stable id of the rule that fired, the reason in plain words and its source.
    protocol
        ``name version`` of the protocol that produced the advice.
    current_mg_per_day
        The dose in effect on the as-of date (0 when none).
    review
        True when the rule asks for the clinician's review.
    extrapolated
        True when a label rule from another indication was applied (off-label extrapolation).
    basis
        The data that decided it (dates, CLASI-A values, phase, status).
    """

    action: str
    dose_mg_per_day: float
    regimen: str
    rule: str
    explanation: str
    reference: str
    protocol: str
    current_mg_per_day: float
    review: bool = False
    extrapolated: bool = False
    basis: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the advice as a JSON-ready mapping."""
        return {
            "action": self.action,
            "dose_mg_per_day": round(self.dose_mg_per_day, 4),
            "regimen": self.regimen,
            "rule": self.rule,
            "explanation": self.explanation,
            "reference": self.reference,
            "protocol": self.protocol,
            "current_mg_per_day": round(self.current_mg_per_day, 4),
            "review": self.review,
            "extrapolated": self.extrapolated,
            "basis": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.basis.items()
            },
        }


@dataclass(frozen=True)
class DoseFacts:
    """What the engine knows about the patient on the as-of date."""

    phase: str
    status: str
    relapse: bool
    regimen_id: str | None
    current_mg_per_day: float
    last_mg_per_day: float
    last_regimen: str
    days_on_regimen: int | None
    cycle_start: dt.date | None
    baseline: tuple[dt.date, float] | None
    latest: tuple[dt.date, float] | None
    failed_mg_per_day: frozenset[float]


def withhold(
    advice: DoseAdvice,
    *,
    action: str,
    regimen: str,
    rule: str,
    reference: str,
    explanation: str,
    basis: Mapping[str, Any] | None = None,
    **changes: Any,
) -> DoseAdvice:
    """The advice a safety or eligibility rule puts in place of the protocol's: no dose.

    Every such advice (stop, hold, do not start) gives 0 mg/day and asks for the clinician's
    review; ``basis`` is added to the data that decided the advice, and ``changes`` sets
    other fields (``extrapolated``). ``advice`` is not modified.
    """
    held = {"held_start": advice.action} if intended_start(advice) == advice.action else {}
    return replace(
        advice,
        action=action,
        dose_mg_per_day=0.0,
        regimen=regimen,
        rule=rule,
        reference=reference,
        review=True,
        explanation=explanation,
        basis={**advice.basis, **held, **(basis or {})},
        **changes,
    )


#: The actions that give a first dose or a new course.
STARTS = frozenset({"start", "restart"})


def intended_start(advice: DoseAdvice) -> str | None:
    """``start``/``restart`` when the advice gives one, or gave one before a rule held it.

    :func:`withhold` records a start it replaces (``basis["held_start"]``), so every rule
    that gates a start still sees it and adds its own reason: a clinician learns at once
    that a blood count *and* two pregnancy tests are missing, not one after the other.
    """
    if advice.action in STARTS and advice.dose_mg_per_day > 0:
        return advice.action
    held = advice.basis.get("held_start")
    return held if isinstance(held, str) else None


def hold_start(
    advice: DoseAdvice,
    *,
    regimen: str,
    rule: str,
    reference: str,
    explanation: str,
    basis: Mapping[str, Any] | None = None,
    **changes: Any,
) -> DoseAdvice:
    """Hold an intended start; when another rule already holds it, add this reason to it."""
    if advice.action in STARTS:
        return withhold(
            advice,
            action="hold",
            regimen=regimen,
            rule=rule,
            reference=reference,
            explanation=explanation,
            basis=basis,
            **changes,
        )
    return replace(
        advice,
        reference=f"{advice.reference}; {reference}",
        explanation=f"{advice.explanation} Also: {explanation}",
        basis={**advice.basis, **(basis or {})},
    )


def regimen_label(period: Row) -> str:
    """Words for a treatment period's regimen: its ``regimen`` text or ``N mg/day``."""
    text = period.get("regimen")
    if isinstance(text, str) and text.strip():
        return text.strip()
    return f"{number(period.get('dose_mg_per_day')) or 0:g} mg/day"


def _mg(period: Row) -> float:
    return number(period.get("dose_mg_per_day")) or 0.0


def match_regimen(
    period: Row, protocol: ProtocolDefinition, *, tolerance: float = 1e-6
) -> str | None:
    """The id of the protocol regimen a treatment period follows, or None.

    The period's ``regimen`` text is matched to a regimen's id or label first; without a
    match, its ``dose_mg_per_day`` to the one regimen whose daily dose is within
    ``tolerance`` mg/day (None when none or several are).
    """
    text = str(period.get("regimen") or "").strip().lower()
    for regimen in protocol.regimens.values():
        if text and text in {regimen.id.lower(), regimen.label.lower()}:
            return regimen.id
    hits = [r.id for r in protocol.regimens.values() if abs(r.mg_per_day - _mg(period)) < tolerance]
    return hits[0] if len(hits) == 1 else None


def _cycle_start(periods: tuple[Row, ...]) -> dt.date | None:
    start: dt.date | None = None
    previous_end: dt.date | None = None
    for period in periods:
        if start is None or previous_end is None or (period["start_date"] - previous_end).days > 1:
            start = period["start_date"]
        previous_end = period["end_date"]
    return start


def _days_on_regimen(periods: tuple[Row, ...], as_of: dt.date) -> int | None:
    if not periods or periods[-1]["end_date"] is not None:
        return None
    start = periods[-1]["start_date"]
    mg = _mg(periods[-1])
    for earlier, later in zip(reversed(periods[:-1]), reversed(periods[1:]), strict=True):
        contiguous = (
            earlier["end_date"] is not None
            and (later["start_date"] - earlier["end_date"]).days <= 1
        )
        if not contiguous or abs(_mg(earlier) - mg) > _EPS:
            break
        start = earlier["start_date"]
    days: int = (as_of - start).days
    return days


def _clasi(data: PatientData) -> list[tuple[dt.date, float]]:
    out = []
    for row in data.visits:
        value = number(row.get("clasi_a"))
        if value is not None:
            out.append((row["visit_date"], value))
    return out


def dose_facts(data: PatientData, protocol: ProtocolDefinition) -> DoseFacts:
    """Compute the facts the rule table reads (see the module docstring).

    Baseline CLASI-A is chosen as the outcome engine chooses it
    (:func:`clears.protocol._baseline.baseline_value`); response and relapse are those of the
    protocol's criteria preset (:mod:`clears.protocol._response`).
    """
    periods, index = data.periods, data.index_date
    scores = _clasi(data)
    preset = protocol.response
    baseline = baseline_value(data, "clasi_a")
    after = [(d, v) for d, v in scores if index is not None and d > index]
    latest = after[-1] if after else None
    status = classify(baseline[1] if baseline else None, latest[1] if latest else None, preset)
    current = data.current_period
    flags = relapse_flags(baseline[1] if baseline else None, [v for _, v in after], preset)
    failed: set[float] = set()
    for (day, _), relapsed in zip(after, flags, strict=True):
        if relapsed:
            for period in periods:
                end = period["end_date"]
                if period["start_date"] < day and (end is None or day <= end):
                    failed.add(round(_mg(period), 6))
    relapse = False
    if latest is not None and flags and flags[-1]:
        since = (
            current["start_date"]
            if current is not None
            else (periods[-1]["end_date"] if periods else None)
        )
        relapse = since is not None and latest[0] > since
    if not periods:
        phase = "not_started"
    elif current is None:
        phase = (
            "withdrawn"
            if str(periods[-1].get("end_reason") or "") in WITHDRAWN_REASONS
            else "stopped"
        )
    else:
        cycle = _cycle_start(periods)
        phase = (
            "induction"
            if cycle and (data.as_of - cycle).days < protocol.evaluation_days
            else "evaluated"
        )
    last = periods[-1] if periods else None
    return DoseFacts(
        phase=phase,
        status=status,
        relapse=relapse,
        regimen_id=match_regimen(current, protocol) if current is not None else None,
        current_mg_per_day=_mg(current) if current is not None else 0.0,
        last_mg_per_day=_mg(last) if last is not None else 0.0,
        last_regimen=regimen_label(last) if last is not None else "none",
        days_on_regimen=_days_on_regimen(periods, data.as_of),
        cycle_start=_cycle_start(periods),
        baseline=baseline,
        latest=latest,
        failed_mg_per_day=frozenset(failed),
    )


def _resolve(
    target: str, facts: DoseFacts, protocol: ProtocolDefinition, current: Row | None
) -> tuple[str, float] | None:
    """Return ``(regimen words, mg/day)`` for a rule target, or None when it does not apply."""
    ladder: list[Regimen] = [protocol.regimen(i) for i in protocol.taper_ladder]
    mg = facts.current_mg_per_day
    if target == "@withdraw":
        return ("none (off treatment)", 0.0)
    if target == "@current":
        if current is None:
            return ("none (off treatment)", 0.0)
        return (regimen_label(current), mg)
    if target == "@taper_next":
        lower = [r for r in ladder if r.mg_per_day < mg - _EPS]
        if not lower:
            return ("none (withdrawn after taper)", 0.0)
        step = lower[0]
        if round(step.mg_per_day, 6) in facts.failed_mg_per_day:
            return None
        return (step.label, step.mg_per_day)
    if target == "@step_up":
        higher = [r for r in ladder if r.mg_per_day > mg + _EPS]
        if not higher:
            return (regimen_label(current or {}), mg)
        return (higher[-1].label, higher[-1].mg_per_day)
    name = (
        protocol.start
        if target == "@start"
        else protocol.restart
        if target == "@restart"
        else target
    )
    regimen = protocol.regimen(name)
    return (regimen.label, regimen.mg_per_day)


def _matches(rule: Rule, facts: DoseFacts) -> bool:
    regimen = facts.regimen_id or "custom"
    return (
        (rule.phase is None or facts.phase in rule.phase)
        and (rule.status is None or facts.status in rule.status)
        and (rule.regimen is None or regimen in rule.regimen)
        and (rule.relapse is None or facts.relapse == rule.relapse)
        and (
            rule.min_days_on_regimen is None
            or (
                facts.days_on_regimen is not None
                and facts.days_on_regimen >= rule.min_days_on_regimen
            )
        )
    )


def protocol_dose(data: PatientData, protocol: ProtocolDefinition) -> DoseAdvice:
    """Run the protocol's rule table for one patient and return the first rule that applies.

    The result never exceeds the protocol's ``max_mg_per_day`` (a current dose above it is
    brought down to the highest regimen within it) and is never below zero.
    """
    facts = dose_facts(data, protocol)
    current = data.current_period
    basis: dict[str, Any] = {
        "phase": facts.phase,
        "response_status": facts.status,
        "relapse": facts.relapse,
        "days_on_regimen": facts.days_on_regimen,
        "cycle_start": facts.cycle_start,
        "baseline_clasi_a": facts.baseline[1] if facts.baseline else None,
        "baseline_date": facts.baseline[0] if facts.baseline else None,
        "latest_clasi_a": facts.latest[1] if facts.latest else None,
        "latest_date": facts.latest[0] if facts.latest else None,
        "response_category": category_of(facts.status),
        "response_criteria": protocol.response.label,
        "baseline_window_days": BASELINE_WINDOW_DAYS,
    }
    too_old = stale_baseline(data, "clasi_a")
    if too_old is not None:
        basis["stale_baseline_date"] = too_old
    common: dict[str, Any] = {
        "reference": str(protocol.reference),
        "protocol": f"{protocol.name} {protocol.version}",
        "current_mg_per_day": facts.current_mg_per_day,
        "basis": basis,
    }
    advice: DoseAdvice | None = None
    for rule in protocol.rules:
        if not _matches(rule, facts):
            continue
        resolved = _resolve(rule.target, facts, protocol, current)
        if resolved is None:
            continue
        advice = DoseAdvice(
            action=rule.action,
            dose_mg_per_day=resolved[1],
            regimen=resolved[0],
            rule=rule.id,
            explanation=rule.explanation,
            review=rule.review,
            **common,
        )
        break
    if advice is None:
        words = regimen_label(current) if current is not None else "none (off treatment)"
        advice = DoseAdvice(
            action="continue",
            dose_mg_per_day=facts.current_mg_per_day,
            regimen=words,
            rule="protocol.no_rule",
            review=True,
            explanation="No rule of the protocol applies; keep the current state and review.",
            **common,
        )
    if advice.dose_mg_per_day > protocol.max_mg_per_day + _EPS:
        top = max(
            (
                r
                for r in protocol.regimens.values()
                if r.mg_per_day <= protocol.max_mg_per_day + _EPS
            ),
            key=lambda r: r.mg_per_day,
        )
        advice = replace(
            advice,
            action="decrease",
            dose_mg_per_day=top.mg_per_day,
            regimen=top.label,
            rule="protocol.maximum_dose",
            review=True,
            explanation=f"The dose exceeds the protocol's maximum of "
            f"{protocol.max_mg_per_day:g} mg/day; bring it down to {top.label}.",
        )
    if too_old is not None and facts.status == "unknown":
        advice = replace(
            advice,
            review=True,
            explanation=advice.explanation + f" The last CLASI-A before the start "
            f"({too_old.isoformat()}) is more than {BASELINE_WINDOW_DAYS} days before it, older "
            "than the outcome engine accepts as a baseline: response cannot be judged.",
        )
    advice = replace(advice, dose_mg_per_day=max(0.0, advice.dose_mg_per_day))
    declared = [r.mg_per_day for r in protocol.regimens.values()]
    if advice.dose_mg_per_day > _EPS and all(
        abs(advice.dose_mg_per_day - mg) > DOSE_TOLERANCE_MG_PER_DAY for mg in declared
    ):
        # A recorded dose the protocol does not declare (7.5 mg/day in a 5/10 mg protocol) is
        # never advised as if the protocol had chosen it: the clinician reviews it.
        advice = replace(
            advice,
            review=True,
            explanation=f"{advice.explanation} The dose in force "
            f"({advice.dose_mg_per_day:g} mg/day) is not a regimen of this protocol "
            f"({', '.join(r.label for r in protocol.regimens.values())}): review it.",
        )
    return advice
