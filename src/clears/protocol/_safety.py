"""Safety rules: pregnancy, cytopenias, SLE flares, renal function, thrombosis risk, neuropathy.

Safety rules run after the protocol's rule table and may override its dose advice (pregnancy
stops, a grade ≥ 3 cytopenia holds, reduced creatinine clearance caps the dose). Every rule
emits an :class:`Alert` with a stable ``rule`` id and its reference. Thresholds live in the
module-level tables next to their sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Final

from clears.instruments.ctcae import LAB_TESTS, grade_lab
from clears.protocol._dose import DoseAdvice, regimen_label
from clears.protocol._patient import PatientData, flag, number
from clears.protocol._sources import (
    AITMEHDI2021,
    CORTES2012,
    CTCAE_V5,
    CTCAE_VERSION,
    LABEL_BOXED,
    LABEL_CYTOPENIA,
    LABEL_RENAL,
)

__all__ = [
    "CYTOPENIA_LEVELS",
    "RENAL_BANDS",
    "SLEDAI_FLARE",
    "Alert",
    "cytopenia_grade",
    "safety",
]

#: Dose levels for resuming after a cytopenia hold, mg/day, highest first; the label never
#: goes below 2.5 mg daily (LABEL_CYTOPENIA, instruments.md §6.5 [S]).
CYTOPENIA_LEVELS: Final = (10.0, 5.0, 2.5)

#: The CTCAE lab tests behind a cytopenia hold -> their visits-table column, read from
#: :data:`clears.instruments.ctcae.LAB_TESTS` (as are their grade bands).
_CYTOPENIA_COLUMNS: Final = {
    lab.key: lab.cohort_column
    for lab in (LAB_TESTS["neutrophils"], LAB_TESTS["platelets"])
    if lab.cohort_column is not None
}

#: Renal starting-dose bands for MDS (CLcr mL/min, Cockcroft-Gault): (lower bound, regimen,
#: mg per dose, doses a week). LABEL_RENAL: older US label [S] and Giagounidis 2008 [V].
RENAL_BANDS: Final = (
    (30.0, "5 mg every 24 hours", 5.0, 7.0),
    (0.0, "5 mg every 48 hours", 5.0, 3.5),
)
_RENAL_NO_ADJUSTMENT: Final = 60.0
_DIALYSIS_REGIMEN: Final = ("5 mg three times a week, after each dialysis", 5.0, 3.0)

#: SLEDAI-2K increase from baseline: mild flare > 3, severe flare > 12 (CORTES2012, Methods).
SLEDAI_FLARE: Final = {"mild": 3.0, "severe": 12.0}

_THROMBOSIS_FACTORS: Final = (
    ("aps", "antiphospholipid syndrome"),
    ("prior_thrombosis", "previous arterial or venous thrombosis"),
    ("cv_risk", "cardiovascular risk factors"),
)


@dataclass(frozen=True)
class Alert:
    """One safety or label alert: ``level`` is stop, hold, action, review or info."""

    rule: str
    level: str
    message: str
    reference: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the alert as a JSON-ready mapping."""
        return {
            "rule": self.rule,
            "level": self.level,
            "message": self.message,
            "reference": self.reference,
            "data": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.data.items()
            },
        }


def cytopenia_grade(test: str, value: float) -> int:
    """CTCAE v5.0 grade of a neutrophil or platelet count in ×10⁹/L, reading grades ≥ 2.

    Grades come from :func:`clears.instruments.ctcae.grade_lab`. Grade 1 needs the local
    lower limit of normal, so values at or above the grade-1 lower bound (1.5 and 75 ×10⁹/L,
    instruments.md §5.2 [V]) return 0 here; only grades 2–4 drive dose decisions.

    Examples
    --------
    >>> cytopenia_grade("neutrophils", 0.99), cytopenia_grade("neutrophils", 1.0)
    (3, 2)
    >>> cytopenia_grade("platelets", 75.0)
    0
    """
    if value >= LAB_TESTS[test].scales[0].grade1_lower:
        return 0
    return grade_lab(test, value, "10^9/L").grade


def _labs(
    data: PatientData, since: dt.date | None, until: dt.date | None = None
) -> dict[str, tuple[dt.date, float]]:
    out: dict[str, tuple[dt.date, float]] = {}
    for test, column in _CYTOPENIA_COLUMNS.items():
        for row in reversed(data.visits):
            day = row["visit_date"]
            value = number(row.get(column))
            if (
                value is None
                or (since is not None and day < since)
                or (until is not None and day > until)
            ):
                continue
            out[test] = (day, value)
            break
    return out


def _severe(labs: dict[str, tuple[dt.date, float]]) -> dict[str, Any]:
    return {f"{t}_x10e9_per_l": v for t, (_, v) in labs.items() if cytopenia_grade(t, v) >= 3}


def _next_level(mg: float) -> float:
    lower = [level for level in CYTOPENIA_LEVELS if level < mg - 1e-9]
    return lower[0] if lower else mg


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


def _hold(
    advice: DoseAdvice, reference: str, explanation: str, basis: dict[str, Any] | None = None
) -> DoseAdvice:
    """``advice`` turned into a cytopenia hold: no dose, interrupted, for clinician review."""
    return replace(
        advice,
        action="hold",
        dose_mg_per_day=0.0,
        regimen="interrupted",
        rule="safety.cytopenia_hold",
        reference=reference,
        review=True,
        explanation=explanation,
        basis=advice.basis if basis is None else basis,
    )


def _cytopenia(data: PatientData, advice: DoseAdvice, alerts: list[Alert]) -> DoseAdvice:
    ref = f"{LABEL_CYTOPENIA}; {CTCAE_V5}; {CORTES2012}"
    current = data.current_period
    if current is not None:
        severe = _severe(_labs(data, since=current["start_date"]))
        if not severe:
            return advice
        alerts.append(
            Alert(
                "safety.cytopenia_hold",
                "hold",
                "Grade 3 or worse neutropenia or "
                f"thrombocytopenia ({CTCAE_VERSION}): interrupt lenalidomide and check "
                "blood counts weekly.",
                ref,
                severe,
            )
        )
        return _hold(
            advice,
            ref,
            "Grade ≥ 3 neutropenia (ANC < 1.0×10⁹/L) or thrombocytopenia "
            f"(platelets < 50×10⁹/L), {CTCAE_VERSION}: hold; the Cortés-Hernández "
            "trial discontinued for grade 3 myelosuppression.",
        )
    last = data.periods[-1] if data.periods else None
    if last is None or last.get("end_reason") != "adverse_event":
        return advice
    cause = _severe(_labs(data, since=last["start_date"], until=last["end_date"]))
    if not cause:
        return advice
    after = _labs(data, since=last["end_date"] + dt.timedelta(days=1))
    last_mg = number(last.get("dose_mg_per_day")) or 0.0
    recovered = len(after) == 2 and not _severe(after)
    if not recovered:
        return _hold(
            advice,
            ref,
            "Held for grade ≥ 3 cytopenia and no recovered neutrophil and "
            "platelet counts since: keep holding and check counts weekly.",
            basis={**advice.basis, "held_since": last["end_date"], **_severe(after)},
        )
    level = _next_level(last_mg)
    words = f"{level:g} mg daily" if level != last_mg else regimen_label(last)
    if level == last_mg:
        alerts.append(
            Alert(
                "safety.cytopenia_lowest_level",
                "review",
                "Already at or below "
                "2.5 mg/day, the lowest dose level: resuming at the same dose; review "
                "whether to continue.",
                ref,
                {"last_mg_per_day": last_mg},
            )
        )
    return replace(
        advice,
        action="restart",
        dose_mg_per_day=level,
        regimen=words,
        rule="safety.cytopenia_resume",
        reference=ref,
        extrapolated=True,
        explanation=f"Counts recovered to grade ≤ 2 after a cytopenia hold: resume one "
        f"dose level lower ({last_mg:g} → {level:g} mg/day; levels 10, 5, 2.5).",
        basis={**advice.basis, "held_since": last["end_date"], "last_mg_per_day": last_mg},
    )


def _flares(data: PatientData, advice: DoseAdvice, alerts: list[Alert]) -> DoseAdvice:
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


def _renal(data: PatientData, advice: DoseAdvice, alerts: list[Alert]) -> DoseAdvice:
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


def _standing_alerts(data: PatientData, alerts: list[Alert]) -> None:
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


def safety(data: PatientData, advice: DoseAdvice) -> tuple[DoseAdvice, tuple[Alert, ...]]:
    """Apply the safety rules to the protocol's advice; return the final advice and all alerts.

    Order: pregnancy (stop) overrides everything; then a grade ≥ 3 cytopenia holds (or, after
    recovery, resumes one level lower); a severe SLE flare flags the advice for review; reduced
    creatinine clearance caps the dose; standing alerts (thrombosis risk, neuropathy, off-label)
    are always added when they apply.
    """
    alerts: list[Alert] = []
    pregnant, when = _pregnant(data)
    if pregnant:
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
        advice = replace(
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
    else:
        advice = _cytopenia(data, advice, alerts)
        advice = _flares(data, advice, alerts)
        if advice.dose_mg_per_day > 0:
            advice = _renal(data, advice, alerts)
    _standing_alerts(data, alerts)
    return advice, tuple(alerts)
