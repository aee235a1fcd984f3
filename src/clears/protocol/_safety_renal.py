"""Safety rule: reduced creatinine clearance caps the dose (MDS label rule, off-label).

Two sources meet here. Cortés-Hernández 2012 (Methods) excluded "moderate to severe renal
impairment (FG < 30 ml/min/1.73 m2) and/or progressive renal disease": that is the START
criterion ``cortes2012.renal`` of :mod:`clears.protocol._eligibility`, which keeps a
never-treated patient below 30 mL/min from starting. The trial says nothing about a patient
whose clearance falls on treatment; the lenalidomide label's MDS starting-dose table
(LABEL_RENAL, docs/reference/lenalidomide.md §6) is then shown as a cap, and because it is a rule
of another indication applied to CLE doses the advice is marked ``extrapolated`` and always
asks for the clinician's ``review``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice, withhold
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
    """Cap the dose by the latest creatinine clearance (or dialysis) and ask for review.

    Bands (:data:`RENAL_BANDS`, LABEL_RENAL: older US label [S], Giagounidis 2008 [V]):
    CLcr ≥ 60 mL/min no adjustment; 30 ≤ CLcr < 60 at most 5 mg every 24 hours; CLcr < 30
    at most 5 mg every 48 hours; dialysis 5 mg three times a week. Whenever a band applies
    the alert says it is an off-label extrapolation and the advice gets ``review=True`` and
    ``extrapolated=True``; a dose above the cap is lowered to it.
    """
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
            "off-label extrapolation to CLE, and label renal tables differ by version; "
            "review.",
            ref,
            info,
        )
    )
    if advice.dose_mg_per_day <= cap + 1e-9:
        return replace(advice, review=True, extrapolated=True, basis={**advice.basis, **info})
    # The capped dose is a regimen the protocol declares: the highest one within the cap (the
    # label's own regimen when the protocol has it), never a dose the protocol cannot give.
    within = [r for r in protocol.regimens.values() if r.mg_per_day <= cap + 1e-9]
    if not within:
        return withhold(
            advice,
            action="hold",
            regimen="not given",
            rule="safety.renal_adjustment",
            reference=ref,
            explanation=f"{advice.explanation} Reduced creatinine clearance: the MDS label "
            f"allows at most {words} ({cap:.3g} mg/day) and no regimen of this protocol is "
            "that low; do not give it without a clinician's decision (off-label "
            "extrapolation).",
            basis=info,
            extrapolated=True,
        )
    step = max(within, key=lambda r: r.mg_per_day)
    action = advice.action if advice.action in {"start", "restart"} else "decrease"
    return replace(
        advice,
        action=action,
        dose_mg_per_day=step.mg_per_day,
        regimen=step.label,
        rule="safety.renal_adjustment",
        reference=ref,
        review=True,
        extrapolated=True,
        basis={**advice.basis, **info},
        explanation=f"{advice.explanation} Capped for reduced creatinine clearance: the MDS "
        f"label allows at most {words} ({cap:.3g} mg/day), so {step.label} (label rule, "
        "extrapolated off-label).",
    )
