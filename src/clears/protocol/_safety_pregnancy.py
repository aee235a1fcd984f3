"""Safety rules: pregnancy prevention (embryo-fetal toxicity, boxed warning).

Two rules of the pipeline (:mod:`clears.protocol._safety`):

* :func:`apply_pregnancy` runs first. A performed positive test with no performed negative
  dated after it, or a last period stopped for pregnancy with no later performed negative,
  stops lenalidomide at once, or holds a patient who has not started (boxed warning:
  "Pregnancy must be excluded before starting"; REMS: "If pregnancy occurs, stop
  immediately"; Cortés-Hernández 2012 discontinued for pregnancy). A blank or ``not_done``
  never cancels a positive.
* :func:`apply_pregnancy_start` runs last among the dose rules, so no earlier rule can turn its
  hold back into a start. For a female of reproductive potential (or one whose potential is
  not recorded, below :data:`~clears.protocol._pregnancy.IMPLAUSIBLE_AGE`), a START, or a
  RESTART after a stopped course, needs the REMS's two negative tests ("the first within
  10–14 days before prescribing; the second within 24 hours before prescribing") and a
  recorded reproductive potential; otherwise it becomes a hold that names what is missing and
  when each test is due. It also adds the standing alerts: record reproductive potential,
  pregnancy test overdue, contraception (females) and condoms (males), for 4 weeks after
  stopping too.

Sources: ``docs/reference/lenalidomide.md`` §2 (boxed warning) and §3 (US label/REMS, EU SmPC
pregnancy prevention programme); :data:`~clears.protocol._sources.LABEL_PREGNANCY`,
:data:`~clears.protocol._sources.SMPC_PPP`.
"""

from __future__ import annotations

import datetime as dt

from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import (
    DoseAdvice,
    dose_facts,
    hold_start,
    intended_start,
    withhold,
)
from clears.protocol._patient import PatientData
from clears.protocol._pregnancy import (
    AFTER_STOP_DAYS,
    IMPLAUSIBLE_AGE,
    Potential,
    course_state,
    pre_start_tests,
    pregnancy_test_plan,
    pregnancy_tests,
    reproductive_potential,
    unresolved_positive,
)
from clears.protocol._sources import CORTES2012, LABEL_BOXED, LABEL_PREGNANCY, SMPC_PPP

__all__ = ["apply_pregnancy", "apply_pregnancy_start"]


def _pregnant(data: PatientData) -> tuple[str, dt.date] | None:
    """Why and since when the patient must be taken as pregnant, or None."""
    positive = unresolved_positive(data)
    if positive is not None:
        return f"positive pregnancy test on {positive}", positive
    last = data.periods[-1] if data.periods else None
    if last is not None and data.current_period is None and last.get("end_reason") == "pregnancy":
        end: dt.date = last["end_date"]
        negative_after = any(d > end and r == "negative" for d, r in pregnancy_tests(data))
        if not negative_after:
            return f"treatment stopped for pregnancy on {end}", end
    return None


def apply_pregnancy(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Stop at once (or do not start) while a positive test or a stop for pregnancy stands.

    A positive stands until a performed negative test dated after it; blank and ``not_done``
    results are not tests. Source: boxed warning; REMS "If pregnancy occurs, stop
    immediately" (docs/reference/lenalidomide.md §2–3); Cortés-Hernández 2012, discontinuation for
    pregnancy.
    """
    pregnant = _pregnant(data)
    if pregnant is None:
        return advice
    why, when = pregnant
    ref = f"{LABEL_BOXED}; {CORTES2012}"
    started = data.current_period is not None
    alerts.append(
        Alert(
            "safety.pregnancy",
            "stop",
            f"Pregnancy ({why}): {'stop lenalidomide at once' if started else 'do not start'}"
            " (embryo-fetal toxicity); refer, and resume only after a performed negative test.",
            ref,
            {"date": when},
        )
    )
    return withhold(
        advice,
        action="stop" if started else "hold",
        regimen="none (stopped)" if started else "not started",
        rule="safety.pregnancy",
        reference=ref,
        explanation=f"Pregnancy: {why}, with no performed negative test after it; "
        "lenalidomide must be stopped (not started). A blank or 'not done' result does not "
        "clear a positive test.",
    )


def _in_scope(data: PatientData) -> bool:
    """Not started, on treatment, interrupted, or within 4 weeks of stopping."""
    _, stop = course_state(data)
    return stop is None or (data.as_of - stop).days <= AFTER_STOP_DAYS


def _male_alert(data: PatientData, alerts: list[Alert]) -> None:
    if _in_scope(data):
        alerts.append(
            Alert(
                "safety.pregnancy_male_condom",
                "info",
                "Male patient: a latex or synthetic condom during any sexual contact with a "
                "female of reproductive potential, even after vasectomy, during treatment, "
                f"during interruptions and for {AFTER_STOP_DAYS} days after stopping; no sperm "
                "donation.",
                str(LABEL_PREGNANCY),
            )
        )


def _record_alert(potential: Potential, alerts: list[Alert]) -> None:
    if potential.tests_due:
        level = "action"
        message = (
            "Record reproductive potential (menstruating, menopause, hysterectomy, "
            "oophorectomy...): it is not recorded, so pregnancy tests stay due and a first "
            "dose is held until it is."
        )
    else:
        level = "info"
        message = (
            f"Record reproductive potential: not recorded; at age ≥ {IMPLAUSIBLE_AGE} no "
            "pregnancy test is scheduled (project decision), the record would confirm it."
        )
    alerts.append(
        Alert(
            "safety.reproductive_potential_unrecorded",
            level,
            message,
            f"{LABEL_PREGNANCY}; {SMPC_PPP}",
            dict(potential.data),
        )
    )


def _hold_start(
    data: PatientData, advice: DoseAdvice, potential: Potential, alerts: list[Alert]
) -> DoseAdvice:
    pre = pre_start_tests(data)
    if pre.ready and potential.status == "of_potential":
        return advice
    missing = []
    if potential.status != "of_potential":
        missing.append("reproductive potential is not recorded")
    if not pre.ready:
        missing.append(f"two negative pregnancy tests are needed: {pre.words}")
    ref = f"{LABEL_PREGNANCY}; {LABEL_BOXED}"
    explanation = (
        f"Do not {intended_start(advice)} yet: "
        + "; ".join(missing)
        + ". REMS: the first negative "
        "test 10–14 days before prescribing, the second within 24 hours before prescribing."
    )
    alerts.append(
        Alert(
            "safety.pregnancy_tests_before_start",
            "hold",
            explanation,
            ref,
            {"first_test": pre.first, "second_test": pre.second, "next_due": pre.next_due},
        )
    )
    return hold_start(
        advice,
        regimen="not started" if not data.periods else "none (not restarted)",
        rule="safety.pregnancy_tests_before_start",
        reference=ref,
        explanation=explanation,
    )


def apply_pregnancy_start(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Hold a first dose without two qualifying negatives; add the pregnancy-prevention alerts.

    A START, or a RESTART after a stopped course (not after a dose interruption, during which
    testing goes on), for a patient to whom tests apply needs a recorded reproductive
    potential and the two negative tests of :func:`~clears.protocol._pregnancy.pre_start_tests`.
    Source: US label/REMS (docs/reference/lenalidomide.md §3, :data:`LABEL_PREGNANCY`).
    """
    potential = reproductive_potential(data)
    if potential.status == "male":
        _male_alert(data, alerts)
        return advice
    if potential.status == "unrecorded":
        _record_alert(potential, alerts)
    if not potential.tests_due:
        return advice
    state, _ = course_state(data)
    if intended_start(advice) is not None and state in ("not_started", "stopped"):
        advice = _hold_start(data, advice, potential, alerts)
    elif state != "not_started":
        plan = pregnancy_test_plan(data, dose_facts(data, protocol).cycle_start)
        if plan is not None and plan.status == "overdue":
            alerts.append(
                Alert(
                    "safety.pregnancy_test_overdue",
                    "action",
                    f"Pregnancy test overdue since {plan.next_due}: test before the next "
                    f"prescription ({plan.schedule}).",
                    str(LABEL_PREGNANCY),
                    {"last_done": plan.last_done, "next_due": plan.next_due},
                )
            )
    if _in_scope(data):
        alerts.append(
            Alert(
                "safety.pregnancy_contraception",
                "info",
                "Pregnancy prevention (female who may be of reproductive potential): two "
                "reliable contraception methods at the same time (one highly effective), or "
                "continuous abstinence, from 4 weeks "
                f"before starting, during treatment and interruptions, and for {AFTER_STOP_DAYS}"
                " days after stopping.",
                f"{LABEL_PREGNANCY}; {SMPC_PPP}",
            )
        )
    return advice
