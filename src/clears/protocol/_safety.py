"""Safety rules: the ordered pipeline that runs after the protocol's rule table.

Each rule lives in its own module (``_safety_<topic>.py``) as a function
``(data, protocol, advice, alerts) -> advice`` (:data:`SafetyRule`) that may override the
protocol's dose advice and appends :class:`Alert` items, each with a stable ``rule`` id and its
reference. This module only fixes their order and adds the standing alerts (neuropathy,
off-label use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import DoseAdvice
from clears.protocol._patient import PatientData, flag
from clears.protocol._safety_blood import apply_blood_counts, apply_counts_before_start
from clears.protocol._safety_flare import apply_flares
from clears.protocol._safety_overlap import apply_overlap
from clears.protocol._safety_pregnancy import apply_pregnancy, apply_pregnancy_start
from clears.protocol._safety_renal import apply_renal
from clears.protocol._safety_thrombosis import apply_thrombosis
from clears.protocol._safety_toxicity import apply_toxicity
from clears.protocol._sources import CORTES2012, LABEL_BOXED

__all__ = ["Alert", "SafetyRule", "safety"]

#: A safety rule: reads the patient's data and the protocol in force (its thresholds and
#: stopping rules), may replace the dose advice, and appends its alerts.
SafetyRule = Callable[[PatientData, ProtocolDefinition, DoseAdvice, list[Alert]], DoseAdvice]


def _renal_when_dosed(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    if advice.dose_mg_per_day <= 0:
        return advice
    return apply_renal(data, protocol, advice, alerts)


#: The dose-changing rules, in order; a stop (pregnancy) ends the pipeline.
_PIPELINE: Final[tuple[SafetyRule, ...]] = (
    apply_blood_counts,
    apply_toxicity,
    apply_flares,
    _renal_when_dosed,
    apply_overlap,
    apply_pregnancy_start,  # the start gates last: no later rule may turn a hold back
    apply_counts_before_start,  # into a start; each adds its reason to a held start
)


def _standing_alerts(data: PatientData, alerts: list[Alert]) -> None:
    if flag(data.value("thalidomide_neuropathy")) is True:
        alerts.append(
            Alert(
                "safety.thalidomide_neuropathy",
                "info",
                "Known thalidomide "
                "neuropathy: neurological examination at each visit and nerve "
                "conduction studies (see monitoring).",
                str(CORTES2012),
                {"thalidomide_neuropathy": True},
            )
        )
    alerts.append(
        Alert(
            "label.off_label",
            "info",
            "Lenalidomide is not licensed for cutaneous "
            "lupus erythematosus: this is off-label use; label rules quoted here come "
            "from other indications.",
            str(LABEL_BOXED),
        )
    )


def safety(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice
) -> tuple[DoseAdvice, tuple[Alert, ...]]:
    """Apply the safety rules to the protocol's advice; return the final advice and all alerts.

    Order: pregnancy (stop) overrides everything; then grade ≥ 3 myelosuppression on any blood
    line stops (``cortes2012``) or holds and later resumes one level lower (a hold_resume
    protocol); a grade ≥ 3 or life-threatening adverse event during the course stops; a severe
    SLE flare stops (or flags review, as the protocol's thresholds say); reduced
    creatinine clearance caps the dose; a running thalidomide/IMiD period holds a start; a
    start without two qualifying negative pregnancy tests (or without a recorded reproductive
    potential) is held; then a
    thromboembolic event during the course stops and a thrombosis history holds a start
    without documented prophylaxis; standing alerts (thrombosis risk and prophylaxis,
    neuropathy, off-label) are added when they apply.
    """
    alerts: list[Alert] = []
    advice = apply_pregnancy(data, protocol, advice, alerts)
    if advice.rule != "safety.pregnancy":
        for rule in _PIPELINE:
            advice = rule(data, protocol, advice, alerts)
    advice = apply_thrombosis(data, protocol, advice, alerts)
    _standing_alerts(data, alerts)
    return advice, tuple(alerts)
