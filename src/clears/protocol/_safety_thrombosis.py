"""Safety rule: venous and arterial thromboembolism (boxed warning) and thromboprophylaxis.

Sources (``docs/instruments/ctcae.md``, thromboembolic terms; ``docs/reference/lenalidomide.md``
§2; the seed papers):

* LABEL_BOXED, boxed warning 3 [V]: "Venous and arterial thromboembolism": significantly
  increased deep vein thrombosis (DVT) and pulmonary embolism (PE), and myocardial infarction
  (MI) and stroke; "anti-thrombotic prophylaxis is recommended", the regimen chosen by the
  patient's underlying risk.
* Aitmehdi 2021 (seed 000), Table 1: "low dose aspirin was added to prevent thromboembolic
  risk" in 35/40 (88 %); Table 2: three arterial events (arterial thrombosis, transient
  ischemic attack, acute coronary syndrome), "one patient had antiphospholipid syndrome and
  one had severe cardiovascular risk factors"; text: "the prescription of lenalidomide should
  be carefully discussed in patients with cardiovascular risk-factors or antiphospholipid
  syndrome".
* Cortés-Hernández 2012 (seed 001), Methods: exclusion of "previous history of
  arterial/venous thrombosis" and of "presence of antiphospholipid antibodies"; Discussion:
  "none of the patients had other associated cardiovascular risk factors, such as smoking or
  presence of antiphospholipid antibodies".

The rule, in order:

1. A thromboembolic adverse event (any grade; term in :data:`THROMBOEMBOLIC_TERMS`) with
   onset during the current or last course of the studied drug: **stop** with review; the
   alert names each event's term, grade and onset date.
2. A history (``prior_thrombosis`` or a thromboembolic event before the course) when the
   drug would be started: **hold** (do not start) with review, unless an antithrombotic
   (:data:`clears.cohort.ANTITHROMBOTIC_CLASSES`) is recorded as running, in which case the
   start stands and the alert says prophylaxis is documented.
3. Prophylaxis advice, before a first start and while the drug is taken (not once a course
   has ended): with risk factors and no running antithrombotic, an ``action`` alert; with
   risk factors and one running, an ``info`` alert naming it; without risk factors and no
   antithrombotic, the ``info`` alert of Aitmehdi 2021's low-dose aspirin (dosed only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

from clears.cohort import ANTITHROMBOTIC_CLASSES, medication_class
from clears.protocol._alert import Alert
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import STARTS, DoseAdvice, withhold
from clears.protocol._patient import PatientData, Row, flag, number
from clears.protocol._sources import AITMEHDI2021, CORTES2012, CTCAE_V5, LABEL_BOXED

__all__ = [
    "THROMBOEMBOLIC_TERMS",
    "ThromboembolicTerm",
    "antithrombotics_on",
    "apply_thrombosis",
    "course_bounds",
    "is_thromboembolic",
    "risk_factors",
    "thromboembolic_events",
]


@dataclass(frozen=True)
class ThromboembolicTerm:
    """One adverse-event term that counts as a thromboembolic event.

    ``vessel`` is venous, arterial or either; ``source`` says where the term is written.
    """

    term: str
    vessel: str
    source: str


_CTCAE_LIST = (
    "CTCAE v5.0 term (src/clears/instruments/ctcae/_terms.py; docs/instruments/ctcae.md [V])"
)
_CTCAE_NOTE = (
    "CTCAE v5.0 term named by the navigational note of 'Thromboembolic event' "
    "(docs/instruments/ctcae.md [V]: TIA or stroke for CNS events)"
)
_CTCAE_UNLISTED = (
    "CTCAE v5.0 term not transcribed in docs/instruments/ctcae.md [U: check against "
    "CTCAE_v5.0.xlsx]; "
    "included to widen the net"
)
_BOXED = (
    "Lenalidomide boxed warning (docs/reference/lenalidomide.md §2 [V]: DVT, PE, MI and stroke)"
)
_AITMEHDI_T2 = "Aitmehdi 2021 Table 2 footnote (seed 000) [V]"

#: Terms matched case-insensitively against ``adverse_events.term`` (which may hold a CTCAE
#: v5.0 term or a MedDRA preferred term: the cohort schema). Any grade counts.
THROMBOEMBOLIC_TERMS: Final = MappingProxyType(
    {
        t.term.casefold(): t
        for t in (
            ThromboembolicTerm("Thromboembolic event", "venous", _CTCAE_LIST),
            ThromboembolicTerm("Arterial thromboembolism", "arterial", _CTCAE_LIST),
            ThromboembolicTerm("Stroke", "arterial", _CTCAE_NOTE),
            ThromboembolicTerm("Transient ischemic attacks", "arterial", _CTCAE_NOTE),
            ThromboembolicTerm("Myocardial infarction", "arterial", f"{_BOXED}; {_CTCAE_UNLISTED}"),
            ThromboembolicTerm(
                "Acute coronary syndrome", "arterial", f"{_AITMEHDI_T2}; {_CTCAE_UNLISTED}"
            ),
            ThromboembolicTerm("Portal vein thrombosis", "venous", _CTCAE_UNLISTED),
            ThromboembolicTerm("Deep vein thrombosis", "venous", f"{_BOXED}; Mayo 2016 (seed 002)"),
            ThromboembolicTerm("Pulmonary embolism", "venous", _BOXED),
            ThromboembolicTerm("Venous thromboembolism", "venous", _BOXED),
            ThromboembolicTerm("Arterial thrombosis", "arterial", _AITMEHDI_T2),
            ThromboembolicTerm("Transient ischemic attack", "arterial", _AITMEHDI_T2),
        )
    }
)

#: Patient columns that are thrombosis risk factors, with the words the alert uses.
_RISK_FLAGS: Final = (
    ("aps", "antiphospholipid syndrome"),  # Aitmehdi 2021; Cortés 2012 exclusion
    ("antiphospholipid_antibodies", "antiphospholipid antibodies"),  # Cortés 2012
    ("prior_thrombosis", "previous arterial or venous thrombosis"),  # Cortés 2012 exclusion
    ("cv_risk", "cardiovascular risk factors"),  # Aitmehdi 2021
)


def is_thromboembolic(term: object) -> bool:
    """Whether an adverse-event term is in :data:`THROMBOEMBOLIC_TERMS` (any case, spacing).

    Examples
    --------
    >>> is_thromboembolic("  pulmonary  Embolism "), is_thromboembolic("Fatigue")
    (True, False)
    """
    return " ".join(str(term or "").split()).casefold() in THROMBOEMBOLIC_TERMS


def thromboembolic_events(data: PatientData) -> tuple[Row, ...]:
    """The patient's thromboembolic adverse events (onset on or before ``as_of``), oldest first."""
    return tuple(r for r in data.adverse_events if is_thromboembolic(r.get("term")))


def course_bounds(data: PatientData) -> tuple[dt.date, dt.date] | None:
    """First and last day of the current or last course of the studied drug, or None.

    A course is a run of periods with gaps of at most one day (as the dose engine counts
    courses); its last day is ``as_of`` while a period runs.
    """
    if not data.periods:
        return None
    start: dt.date = data.periods[0]["start_date"]
    previous_end: dt.date | None = None
    for period in data.periods:
        if previous_end is not None and (period["start_date"] - previous_end).days > 1:
            start = period["start_date"]
        previous_end = period["end_date"]
    return start, previous_end or data.as_of


def antithrombotics_on(data: PatientData, day: dt.date) -> tuple[Row, ...]:
    """``concomitant_medications`` rows of an antithrombotic class running on ``day``.

    Classes: :data:`clears.cohort.ANTITHROMBOTIC_CLASSES` (antiplatelet, LMWH, DOAC, VKA),
    read with :func:`clears.cohort.medication_class`. A row runs from ``start_date`` to
    ``end_date`` inclusive; a blank end is still running.
    """
    out = []
    for row in data.medications:
        end = row.get("end_date")
        running = row["start_date"] <= day and (end is None or end >= day)
        if running and medication_class(str(row.get("drug") or "")) in ANTITHROMBOTIC_CLASSES:
            out.append(row)
    return tuple(out)


def risk_factors(data: PatientData, before: dt.date | None = None) -> list[str]:
    """The thrombosis risk factors recorded for the patient, in words.

    Patient flags (APS, antiphospholipid antibodies, previous thrombosis, cardiovascular risk),
    current smoking (Cortés 2012 Discussion), and thromboembolic events with onset before
    ``before`` (all of them when None).
    """
    factors = [label for column, label in _RISK_FLAGS if flag(data.value(column)) is True]
    if str(data.value("smoking") or "").strip().lower() == "current":
        factors.append("current smoking")
    earlier = [e for e in thromboembolic_events(data) if before is None or e["onset_date"] < before]
    if earlier and "previous arterial or venous thrombosis" not in factors:
        factors.append("previous arterial or venous thrombosis")
    return factors


def _describe(event: Row) -> str:
    grade = number(event.get("grade"))
    words = f"grade {grade:g}" if grade is not None else "grade not recorded"
    return f"{str(event['term']).strip()} ({words}, onset {event['onset_date'].isoformat()})"


def _drugs(rows: tuple[Row, ...]) -> str:
    return ", ".join(f"{r['drug']} since {r['start_date'].isoformat()}" for r in rows)


def apply_thrombosis(
    data: PatientData, protocol: ProtocolDefinition, advice: DoseAdvice, alerts: list[Alert]
) -> DoseAdvice:
    """Stop for a thromboembolic event on treatment, hold a start after one, advise prophylaxis.

    See the module docstring for the rule and its sources (LABEL_BOXED, Aitmehdi 2021,
    Cortés-Hernández 2012, CTCAE v5.0).
    """
    ref = f"{LABEL_BOXED}; {AITMEHDI2021}; {CORTES2012}"
    events = thromboembolic_events(data)
    course = course_bounds(data)
    during = [e for e in events if course and course[0] <= e["onset_date"] <= course[1]]
    if during:
        named = "; ".join(_describe(e) for e in during)
        info = {"events": [_describe(e) for e in during], "ctcae": str(CTCAE_V5)}
        # Once the course has been stopped (nothing runs, no interruption) and nothing would
        # restart it, the stop has been carried out: the event stays on record as an info
        # alert instead of a standing "stop" on the worklist for years.
        done = data.current_period is None and not data.interrupted and advice.action not in STARTS
        alerts.append(
            Alert(
                "safety.thromboembolism",
                "info" if done else "stop",
                f"Thromboembolic event during the last course: {named}. {data.drug.capitalize()}"
                " has been stopped; do not restart without review (boxed warning: venous and "
                "arterial thromboembolism)."
                if done
                else f"Thromboembolic event on treatment: {named}. Stop {data.drug} and review "
                "(boxed warning: venous and arterial thromboembolism).",
                f"{ref}; {CTCAE_V5}",
                info,
            )
        )
        if advice.action == "stop":
            return replace(advice, review=True)
        return withhold(
            advice,
            action="stop",
            regimen="none (stopped)",
            rule="safety.thromboembolism",
            reference=f"{ref}; {CTCAE_V5}",
            explanation=f"Thromboembolic event on treatment ({named}): stop and review.",
            basis=info,
        )
    factors = risk_factors(data)  # no event during the course: every recorded one is history
    running = antithrombotics_on(data, data.as_of)
    history = "previous arterial or venous thrombosis" in factors
    if history and (advice.action in STARTS or not data.periods):
        advice = _history(data, advice, alerts, running, ref)
    dosed = advice.dose_mg_per_day > 0 or data.current_period is not None
    if factors and (dosed or not data.periods):  # off treatment after a course: no prompt
        alerts.append(_risk_alert(factors, running, ref))
    elif not factors and not running and dosed:
        alerts.append(
            Alert(
                "safety.thromboprophylaxis",
                "info",
                "No thrombosis risk factor recorded: low-dose aspirin thromboprophylaxis, "
                "as given to 35/40 patients in Aitmehdi 2021 (label: choose the "
                "prophylaxis by the patient's risk).",
                f"{AITMEHDI2021}; {LABEL_BOXED}",
                {"antithrombotic": None},
            )
        )
    return advice


def _history(
    data: PatientData,
    advice: DoseAdvice,
    alerts: list[Alert],
    running: tuple[Row, ...],
    ref: str,
) -> DoseAdvice:
    """The start decision after a previous thrombosis (Cortés 2012 exclusion, label §6.2)."""
    if running:
        alerts.append(
            Alert(
                "safety.thrombosis_history",
                "info",
                "Previous arterial or venous thrombosis: antithrombotic prophylaxis is "
                f"documented ({_drugs(running)}); the start stands. Cortés-Hernández 2012 "
                "excluded such patients: the clinician decides.",
                ref,
                {"prophylaxis": [str(r["drug"]) for r in running]},
            )
        )
        return advice
    alerts.append(
        Alert(
            "safety.thrombosis_history",
            "hold",
            f"Previous arterial or venous thrombosis and no antithrombotic recorded: do not "
            f"start {data.drug} unless a clinician documents thromboprophylaxis "
            "(concomitant_medications).",
            ref,
            {"prophylaxis": []},
        )
    )
    if advice.action not in STARTS:
        return replace(advice, review=True)
    return withhold(
        advice,
        action="hold",
        regimen="not started",
        rule="safety.thrombosis_history",
        reference=ref,
        explanation="Do not start: previous arterial or venous thrombosis (Cortés-Hernández "
        "2012 exclusion) and no antithrombotic prophylaxis documented.",
    )


def _risk_alert(factors: list[str], running: tuple[Row, ...], ref: str) -> Alert:
    if running:
        return Alert(
            "safety.thrombosis_risk",
            "info",
            f"Thrombosis risk ({', '.join(factors)}): antithrombotic prophylaxis documented "
            f"({_drugs(running)}).",
            ref,
            {"factors": factors, "prophylaxis": [str(r["drug"]) for r in running]},
        )
    return Alert(
        "safety.thrombosis_risk",
        "action",
        f"Thrombosis risk ({', '.join(factors)}) and no antithrombotic recorded: weigh "
        "lenalidomide carefully and give thromboprophylaxis chosen by the patient's risk "
        "(boxed warning); Aitmehdi 2021 gave low-dose aspirin to 35/40.",
        ref,
        {"factors": factors, "prophylaxis": []},
    )
