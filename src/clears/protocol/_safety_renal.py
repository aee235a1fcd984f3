"""Safety rule: reduced creatinine clearance caps the dose (MDS label rule, off-label)."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice
from clears.protocol._patient import PatientData, flag, number
from clears.protocol._sources import LABEL_RENAL

__all__ = ["RENAL_BANDS", "apply_renal"]

#: Renal starting-dose bands for MDS (CLcr mL/min, Cockcroft-Gault): (lower bound, regimen,
#: mg per dose, doses a week). LABEL_RENAL: older US label [S] and Giagounidis 2008 [V].
RENAL_BANDS: Final = (
    (30.0, "5 mg every 24 hours", 5.0, 7.0),
    (0.0, "5 mg every 48 hours", 5.0, 3.5),
)
_RENAL_NO_ADJUSTMENT: Final = 60.0
_DIALYSIS_REGIMEN: Final = ("5 mg three times a week, after each dialysis", 5.0, 3.0)


def apply_renal(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    latest = data.latest("creatinine_clearance")
    dialysis = flag(data.value("dialysis")) is True
    if latest is None and not dialysis:
        return advice
    clcr = number(latest[1]) if latest else None
    if not dialysis and (clcr is None or clcr >= _RENAL_NO_ADJUSTMENT):
        return advice
    if dialysis:
        words, mg, per_week = _DIALYSIS_REGIMEN
    else:
        words, mg, per_week = next(
            (w, m, p) for low, w, m, p in RENAL_BANDS if clcr is not None and clcr >= low
        )
    cap = mg * per_week / 7.0
    info = {
        "creatinine_clearance_ml_min": clcr,
        "dialysis": dialysis,
        "measured_on": latest[0] if latest else None,
        "cap_mg_per_day": round(cap, 4),
    }
    ref = str(LABEL_RENAL)
    alerts.append(
        Alert(
            "safety.renal_adjustment",
            "action",
            f"Reduced creatinine clearance: the "
            f"MDS label starting dose is {words} (at most {cap:.3g} mg/day). This is an "
            "off-label extrapolation to CLE, and label renal tables differ by version.",
            ref,
            info,
        )
    )
    if advice.dose_mg_per_day <= cap + 1e-9:
        return advice
    action = advice.action if advice.action in {"start", "restart"} else "decrease"
    return replace(
        advice,
        action=action,
        dose_mg_per_day=cap,
        regimen=words,
        rule="safety.renal_adjustment",
        reference=ref,
        extrapolated=True,
        basis={**advice.basis, **info},
        explanation=f"{advice.explanation} Capped for reduced creatinine clearance at "
        f"{words} (MDS label rule, extrapolated off-label).",
    )
