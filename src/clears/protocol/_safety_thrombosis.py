"""Safety rule: venous and arterial thromboembolism (boxed warning) and thromboprophylaxis."""

from __future__ import annotations

from typing import Final

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice
from clears.protocol._patient import PatientData, flag
from clears.protocol._sources import AITMEHDI2021, LABEL_BOXED

__all__ = ["apply_thrombosis"]

_THROMBOSIS_FACTORS: Final = (
    ("aps", "antiphospholipid syndrome"),
    ("prior_thrombosis", "previous arterial or venous thrombosis"),
    ("cv_risk", "cardiovascular risk factors"),
)


def apply_thrombosis(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Add the thrombosis-risk alert; the dose advice is returned unchanged."""
    factors = [label for column, label in _THROMBOSIS_FACTORS if flag(data.value(column)) is True]
    if str(data.value("smoking") or "").strip().lower() == "current":
        factors.append("current smoking")
    if factors:
        alerts.append(
            Alert(
                "safety.thrombosis_risk",
                "action",
                "Thrombosis risk ("
                f"{', '.join(factors)}): weigh lenalidomide carefully and give "
                "thromboprophylaxis (low-dose aspirin, as in Aitmehdi 2021).",
                f"{AITMEHDI2021}; {LABEL_BOXED}",
                {"factors": factors},
            )
        )
    return advice
