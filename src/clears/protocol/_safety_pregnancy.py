"""Safety rule: pregnancy (embryo-fetal toxicity, boxed warning) stops lenalidomide."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice
from clears.protocol._patient import PatientData, flag
from clears.protocol._sources import CORTES2012, LABEL_BOXED

__all__ = ["apply_pregnancy"]


def _pregnant(data: PatientData) -> tuple[bool, dt.date | None]:
    latest = data.latest("pregnancy_test")
    if latest is not None and flag(latest[1]):
        return True, latest[0]
    last = data.periods[-1] if data.periods else None
    if last is not None and last.get("end_reason") == "pregnancy" and data.current_period is None:
        negative_after = (
            latest is not None and flag(latest[1]) is False and latest[0] > last["end_date"]
        )
        if not negative_after:
            return True, last["end_date"]
    return False, None


def apply_pregnancy(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Stop at once on a positive pregnancy test or a period stopped for pregnancy."""
    pregnant, when = _pregnant(data)
    if not pregnant:
        return advice
    ref = f"{LABEL_BOXED}; {CORTES2012}"
    alerts.append(
        Alert(
            "safety.pregnancy",
            "stop",
            "Pregnancy: stop lenalidomide at once (embryo-fetal toxicity).",
            ref,
            {"date": when},
        )
    )
    return replace(
        advice,
        action="stop",
        dose_mg_per_day=0.0,
        regimen="none (stopped)",
        rule="safety.pregnancy",
        reference=ref,
        review=True,
        explanation="Positive pregnancy test (or stopped for pregnancy): "
        "lenalidomide must be stopped.",
    )
