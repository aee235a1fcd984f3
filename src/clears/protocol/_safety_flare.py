"""Safety rule: SLE flares on treatment (SLEDAI-2K rise from baseline, flares table).

A severe flare during the course stops lenalidomide in a protocol whose
``thresholds.severe_flare`` is ``stop`` (every bundled protocol): Cortés-Hernández 2012,
Methods, "Reasons for discontinuing treatment were: [...] severe systemic lupus flare requiring
alternative treatment". Whether the flare needs alternative treatment is the clinician's call,
so the stop always asks for review; ``review`` protocols only flag the advice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from clears.instruments.flare import RULES as FLARE_RULES
from clears.protocol._alert import Alert
from clears.protocol._baseline import baseline_value
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice, dose_facts, withhold
from clears.protocol._patient import PatientData, number
from clears.protocol._sources import CORTES2012

__all__ = ["SLEDAI_FLARE", "apply_flares"]

#: SLEDAI-2K increase from baseline: mild flare > 3, severe flare > 12 (CORTES2012, Methods).
SLEDAI_FLARE: Final = {"mild": 3.0, "severe": 12.0}


def apply_flares(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    since = data.periods[-1]["start_date"] if data.periods else None
    if since is None:
        return advice
    course = dose_facts(data, protocol).cycle_start or since
    severe = [
        r["flare_date"]
        for r in data.flares
        if r["flare_date"] >= course and str(r.get("severity", "")).lower() == "severe"
    ]
    sledai = [(r["visit_date"], number(r.get("sledai"))) for r in data.visits]
    scores = [(d, v) for d, v in sledai if v is not None]
    index = data.index_date
    # The Cortés change is measured from the visit its rule declares (issue 12, hazard 11):
    # baseline, chosen as the outcome engine chooses it.
    if FLARE_RULES["cortes2012"].reference_visit == "baseline":
        base_visit = baseline_value(data, "sledai")
        base = base_visit[1] if base_visit is not None else None
    else:
        base = scores[-2][1] if len(scores) > 1 else None
    latest = next(
        ((d, v) for d, v in reversed(scores) if d >= since and index is not None and d > index),
        None,
    )
    rise = latest[1] - base if latest is not None and base is not None else None
    data_used: dict[str, Any] = {
        "flare_dates": [d.isoformat() for d in severe],
        "sledai_baseline": base,
        "sledai_latest": latest[1] if latest else None,
        "sledai_increase": rise,
    }
    ref = str(CORTES2012)
    if severe or (rise is not None and rise > SLEDAI_FLARE["severe"]):
        stop = protocol.thresholds.severe_flare == "stop" and (
            data.current_period is not None or advice.dose_mg_per_day > 0
        )
        alerts.append(
            Alert(
                "safety.sle_flare_severe",
                "stop" if stop else "review",
                "Severe SLE flare during the course (flares table, or SLEDAI increase > 12): "
                + (
                    "the protocol discontinues lenalidomide for a severe flare requiring "
                    "alternative treatment; stop, and review the flare's treatment."
                    if stop
                    else "review; the trial stopped lenalidomide for a severe flare needing "
                    "other treatment."
                ),
                ref,
                data_used,
            )
        )
        if not stop:
            return replace(advice, review=True)
        return withhold(
            advice,
            action="stop",
            regimen="none (stopped)",
            rule="safety.sle_flare_stop",
            reference=ref,
            explanation="Severe SLE flare during the course: discontinue, as the protocol does "
            "for a severe systemic lupus flare requiring alternative treatment.",
            basis={**data_used, "source": protocol.thresholds.source},
            extrapolated=False,
        )
    if rise is not None and rise > SLEDAI_FLARE["mild"]:
        alerts.append(
            Alert(
                "safety.sle_flare_mild",
                "info",
                "Mild SLE flare: SLEDAI increase > 3 from baseline.",
                ref,
                data_used,
            )
        )
    return advice
