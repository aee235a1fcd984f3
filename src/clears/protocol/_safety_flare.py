"""Safety rule: SLE flares on treatment (SLEDAI-2K rise from baseline, flares table)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Final

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice
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
    severe = [
        r["flare_date"]
        for r in data.flares
        if r["flare_date"] >= since and str(r.get("severity", "")).lower() == "severe"
    ]
    sledai = [(r["visit_date"], number(r.get("sledai"))) for r in data.visits]
    scores = [(d, v) for d, v in sledai if v is not None]
    index = data.index_date
    base = next((v for d, v in reversed(scores) if index is not None and d <= index), None)
    latest = next(
        ((d, v) for d, v in reversed(scores) if d >= since and index is not None and d > index),
        None,
    )
    rise = latest[1] - base if latest is not None and base is not None else None
    data_used: dict[str, Any] = {
        "flare_dates": severe,
        "sledai_baseline": base,
        "sledai_latest": latest[1] if latest else None,
        "sledai_increase": rise,
    }
    ref = str(CORTES2012)
    if severe or (rise is not None and rise > SLEDAI_FLARE["severe"]):
        alerts.append(
            Alert(
                "safety.sle_flare_severe",
                "review",
                "Severe SLE flare since the last "
                "dose decision (flares table, or SLEDAI increase > 12): review; the trial "
                "stopped lenalidomide for a severe flare needing other treatment.",
                ref,
                data_used,
            )
        )
        return replace(advice, review=True)
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
