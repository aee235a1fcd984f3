"""Eligibility screening against the Cortés-Hernández 2012 inclusion and exclusion criteria.

Source: Cortés-Hernández J, Ávila G, Vilardell-Tarrés M, Ordi-Ros J. Arthritis Res Ther
2012;14(6):R265, doi:10.1186/ar4111, Methods.
Every criterion is phrased as a requirement, so ``met`` is always on the eligible side (an
exclusion such as "previous thrombosis" is the requirement "no previous thrombosis"). Each
result carries the data that decided it; a criterion whose data is absent is ``unknown``.
Patients are screened on the data known at the start of treatment (or on the as-of date when
not started). The patient columns read are documented in ``docs/protocol.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from clears._exceptions import InputError
from clears.cohort import CANONICAL_DOSE_UNIT, medication_class, prednisone_equivalent
from clears.protocol._patient import PatientData, flag, number
from clears.protocol._pregnancy import (
    PRESTART_WINDOW_DAYS,
    pregnancy_tests,
    reproductive_potential,
    unresolved_positive,
)
from clears.protocol._safety_thrombosis import antithrombotics_on, thromboembolic_events
from clears.protocol._sources import CORTES2012
from clears.protocol._thresholds import Thresholds, default_thresholds

__all__ = ["CORTES2012_LIMITS", "Criterion", "Eligibility", "screen"]

#: Numeric limits of the criteria (Cortés-Hernández 2012, Methods).
CORTES2012_LIMITS: Final = {
    "min_age": 18,  # "aged over 18 years", read as adult (age ≥ 18)
    "min_erythema": 2,  # "at least a grade II erythema" on the CLASI activity score
    "min_antimalarial_months": 3,  # refractory to ≥ 3 months of antimalarials + topical steroids
    "min_bsa_percent": 18,  # "more than 18% of the body surface area"
    # Blood counts (platelets < 30,000/mm³, leukopenia < 2,000/mm³, neutrophils < 1,000/µL)
    # are START limits of the protocol's one thresholds table ([thresholds], _thresholds.py),
    # which the on-treatment hold/stop rule reads too.
    "min_gfr": 30.0,  # exclusion: FG < 30 mL/min/1.73 m²
    "max_prednisone_mg_per_day": 10.0,  # inclusion: "stable prednisone (< 10 mg/day)"
    "min_stable_days": 30,  # "... regimens for at least 30 days before the inclusion"
}
#: Medication classes of the stable background regimen (Cortés 2012: "stable prednisone
#: (< 10 mg/day), antimalarial, or immunosuppressive regimens"), as named by the cohort's
#: medication vocabulary (:data:`clears.cohort.MEDICATION_CLASSES`).
_BACKGROUND_CLASSES: Final = frozenset({"glucocorticoid", "antimalarial", "immunosuppressant"})
_THALIDOMIDE_FAILURE: Final = frozenset(
    {"adverse_event", "intolerance", "side_effects", "toxicity", "inefficacy", "lack_of_efficacy"}
)

Evaluation = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Criterion:
    """One criterion's result: ``status`` is met, not_met or unknown."""

    id: str
    kind: str
    text: str
    status: str
    data: dict[str, Any]
    reference: str

    def to_dict(self) -> dict[str, Any]:
        """Return the criterion as a JSON-ready mapping."""
        return {
            "id": self.id,
            "rule": self.id,
            "kind": self.kind,
            "text": self.text,
            "status": self.status,
            "data": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.data.items()
            },
            "reference": self.reference,
        }


@dataclass(frozen=True)
class Eligibility:
    """The screen: ``verdict`` is eligible (all met), ineligible (any not met) or undetermined."""

    screened_on: dt.date
    verdict: str
    criteria: tuple[Criterion, ...]
    reference: str

    def to_dict(self) -> dict[str, Any]:
        """Return the screen as a JSON-ready mapping."""
        return {
            "screened_on": self.screened_on.isoformat(),
            "verdict": self.verdict,
            "reference": self.reference,
            "criteria": [c.to_dict() for c in self.criteria],
        }


def _tri(value: bool | None, *, good: bool) -> str:
    if value is None:
        return "unknown"
    return "met" if value is good else "not_met"


def _latest(data: PatientData, column: str, day: dt.date) -> tuple[dt.date, float] | None:
    for row in reversed(data.visits):
        value = number(row.get(column))
        if row["visit_date"] <= day and value is not None:
            return row["visit_date"], value
    return None


def _age(data: PatientData, day: dt.date) -> Evaluation:
    year = number(data.value("birth_year"))
    if year is None:
        return "unknown", {"birth_year": None}
    diff = day.year - int(year)
    info = {"birth_year": int(year), "age_range": [diff - 1, diff]}
    limit = CORTES2012_LIMITS["min_age"]
    if diff - 1 >= limit:
        return "met", info
    return ("not_met", info) if diff < limit else ("unknown", info)


#: Words and unit of each blood line in a criterion's text.
_LAB_WORDS: Final = {
    "platelets": ("Platelets", "×10⁹/L"),
    "wbc": ("White cells", "×10⁹/L"),
    "anc": ("Neutrophils", "×10⁹/L"),
    "hb": ("Haemoglobin", "g/dL"),
}


@dataclass(frozen=True)
class _Lab:
    """A START blood-count criterion read from the protocol's thresholds table.

    The latest count dated within ``start_lookback_days`` before the screening day must be at
    least the line's ``start_at_least`` (the same table whose CTCAE hold grade stops or holds
    a running patient, so START and hold agree). An older count is stale: ``unknown`` when it
    met the limit (a fresh count is needed), ``not_met`` when it did not.
    """

    line: str

    def __call__(
        self, data: PatientData, day: dt.date, thresholds: Thresholds | None = None
    ) -> Evaluation:
        table = thresholds or default_thresholds()
        limit = table.lines[self.line]
        latest = _latest(data, self.line, day)
        if latest is None:
            return "unknown", {self.line: None}
        info: dict[str, Any] = {
            self.line: latest[1],
            "date": latest[0],
            "limit": limit.start_at_least,
            "source": limit.start_source,
        }
        good = limit.starts(latest[1])
        if (day - latest[0]).days > table.start_lookback_days:
            info["stale_after_days"] = table.start_lookback_days
            return ("unknown" if good else "not_met"), info
        return ("met" if good else "not_met"), info

    def text(self, thresholds: Thresholds | None = None) -> str:
        """The criterion in words, with the limit of ``thresholds``."""
        limit = (thresholds or default_thresholds()).lines[self.line].start_at_least
        name, unit = _LAB_WORDS[self.line]
        return f"{name} ≥ {limit:g} {unit} (protocol START limit)"


def _flag(column: str, *, good: bool) -> Callable[[PatientData, dt.date], Evaluation]:
    def evaluate(data: PatientData, day: dt.date) -> Evaluation:
        value = flag(data.value(column))
        return _tri(value, good=good), {column: value}

    return evaluate


def _erythema(data: PatientData, day: dt.date) -> Evaluation:
    clasi = _latest(data, "clasi_a", day)
    if clasi is not None and clasi[1] == 0:
        return "not_met", {"clasi_a": 0.0, "date": clasi[0]}
    ery = _latest(data, "erythema_max", day) or _item_erythema(data, day)
    if ery is None:
        return "unknown", {"erythema_max": None}
    good = ery[1] >= CORTES2012_LIMITS["min_erythema"]
    return ("met" if good else "not_met"), {"erythema_max": ery[1], "date": ery[0]}


def _item_erythema(data: PatientData, day: dt.date) -> tuple[dt.date, float] | None:
    """Highest per-area CLASI erythema (``clasi_<area>_ery`` columns) at the latest such visit."""
    for row in reversed(data.visits):
        values = [
            number(v) for k, v in row.items() if k.startswith("clasi_") and k.endswith("_ery")
        ]
        present = [v for v in values if v is not None]
        if row["visit_date"] <= day and present:
            return row["visit_date"], max(present)
    return None


def _refractory(data: PatientData, day: dt.date) -> Evaluation:
    months = number(data.value("antimalarial_months"))
    if months is None:
        return "unknown", {"antimalarial_months": None}
    good = months >= CORTES2012_LIMITS["min_antimalarial_months"]
    return ("met" if good else "not_met"), {"antimalarial_months": months}


def _extent_or_thalidomide(data: PatientData, day: dt.date) -> Evaluation:
    bsa = number(data.value("bsa_percent"))
    reason = str(data.value("thalidomide_stop_reason") or "").strip().lower() or None
    neuropathy = flag(data.value("thalidomide_neuropathy"))
    info = {
        "bsa_percent": bsa,
        "thalidomide_stop_reason": reason,
        "thalidomide_neuropathy": neuropathy,
    }
    hits = [
        bsa is not None and bsa > CORTES2012_LIMITS["min_bsa_percent"],
        reason in _THALIDOMIDE_FAILURE,
        neuropathy is True,
    ]
    if any(hits):
        return "met", info
    prior = flag(data.value("prior_thalidomide"))
    if bsa is not None and (prior is False or reason is not None):
        return "not_met", info
    return "unknown", info


def _women_only(column: str, *, good: bool) -> Callable[[PatientData, dt.date], Evaluation]:
    def evaluate(data: PatientData, day: dt.date) -> Evaluation:
        female = data.female
        if female is False:
            return "met", {"sex": data.value("sex"), "applies": False}
        value = flag(data.value(column))
        return ("unknown" if female is None and value is None else _tri(value, good=good)), {
            column: value
        }

    return evaluate


def _not_pregnant(data: PatientData, day: dt.date) -> Evaluation:
    """Not met while a performed positive stands (no performed negative after it); met when
    pregnancy tests do not apply or a performed negative is dated within the 14 days before
    ``day``; unknown otherwise. ``not_done`` is not a test (docs/reference/lenalidomide.md §3)."""
    positive = unresolved_positive(data, day)
    if positive is not None:
        return "not_met", {"pregnancy_test": "positive", "date": positive}
    potential = reproductive_potential(data, day)
    if not potential.tests_due:
        return "met", {"sex": data.value("sex"), "applies": False, "reason": potential.reason}
    negatives = [d for d, r in pregnancy_tests(data, day) if r == "negative"]
    if negatives and (day - negatives[-1]).days <= PRESTART_WINDOW_DAYS:
        return "met", {"pregnancy_test": "negative", "date": negatives[-1]}
    last = negatives[-1] if negatives else None
    return "unknown", {"pregnancy_test": None, "last_negative": last}


def _contraception(data: PatientData, day: dt.date) -> Evaluation:
    """Applies to women who are, or may be, of reproductive potential (recorded potential, or
    none recorded below the implausible age): two reliable methods from 4 weeks before
    starting (US label/REMS, EU SmPC PPP; docs/reference/lenalidomide.md §3)."""
    potential = reproductive_potential(data, day)
    if not potential.tests_due:
        return "met", {"sex": data.value("sex"), "applies": False, "reason": potential.reason}
    value = flag(data.value("contraception"))
    return _tri(value, good=True), {"contraception": value, "reason": potential.reason}


def _active_sle(data: PatientData, day: dt.date) -> Evaluation:
    sle = flag(data.value("sle"))
    active = flag(data.value("sle_immunosuppression"))
    if sle is False:
        return "met", {"sle": False}
    return _tri(active, good=False), {"sle": sle, "sle_immunosuppression": active}


def _antiphospholipid(data: PatientData, day: dt.date) -> Evaluation:
    antibodies = flag(data.value("antiphospholipid_antibodies"))
    aps = flag(data.value("aps"))
    info = {"antiphospholipid_antibodies": antibodies, "aps": aps}
    if antibodies is None and aps is True:
        return "not_met", info
    return _tri(antibodies, good=False), info


def _no_thrombosis(data: PatientData, day: dt.date) -> Evaluation:
    """Cortés 2012 exclusion "previous history of arterial/venous thrombosis".

    History is the ``prior_thrombosis`` flag or a thromboembolic adverse event dated before
    ``day``. Project reading (issue 12, boxed warning: prophylaxis chosen by risk): a history
    with an antithrombotic running on ``day`` (documented prophylaxis) is met, and the
    safety rule says so in its alert; without one it is not met.
    """
    prior = flag(data.value("prior_thrombosis"))
    events = [e for e in thromboembolic_events(data) if e["onset_date"] < day]
    prophylaxis = [str(r["drug"]) for r in antithrombotics_on(data, day)]
    info: dict[str, Any] = {
        "prior_thrombosis": prior,
        "events": [f"{e['term']} ({e['onset_date'].isoformat()})" for e in events],
        "prophylaxis": prophylaxis,
    }
    if prior is True or events:
        return ("met" if prophylaxis else "not_met"), info
    return ("met" if prior is False else "unknown"), info


def _stable_background(data: PatientData, day: dt.date) -> Evaluation:
    """Cortés 2012 inclusion: stable prednisone < 10 mg/day, antimalarial or immunosuppressant
    regimen for at least 30 days before the inclusion.

    Read from ``concomitant_medications`` when the patient has rows there: not met when a
    glucocorticoid running on ``day`` is ≥ 10 mg/day prednisone-equivalent
    (:func:`clears.cohort.prednisone_equivalent`; a blank unit is read as mg/day), or when a
    background row started or ended within the 30 days before ``day`` (a change: each row is
    one constant dose). A glucocorticoid without a convertible dose is unknown. Without
    medication rows, the ``stable_background`` flag decides; a flag recorded false is never
    overridden.
    """
    recorded = flag(data.value("stable_background"))
    rows = [r for r in data.medications if r["start_date"] <= day]
    info: dict[str, Any] = {"stable_background": recorded}
    if recorded is False or not rows:
        return _tri(recorded, good=True), info
    since = day - dt.timedelta(days=CORTES2012_LIMITS["min_stable_days"])
    changes: list[str] = []
    unknown: list[str] = []
    prednisone = 0.0
    for row in rows:
        drug = str(row.get("drug") or "")
        if medication_class(drug) not in _BACKGROUND_CLASSES:
            continue
        start: dt.date = row["start_date"]
        end: dt.date | None = row.get("end_date")
        if end is not None and end < day:
            if end >= since:
                changes.append(f"{drug} ended {end.isoformat()}")
            continue
        if start > since:
            changes.append(f"{drug} started {start.isoformat()}")
        if medication_class(drug) == "glucocorticoid":
            equivalent = _prednisone(drug, row)
            if equivalent is None:
                unknown.append(drug)
            else:
                prednisone += equivalent
    limit = CORTES2012_LIMITS["max_prednisone_mg_per_day"]
    info.update(changes=changes, prednisone_mg_per_day=round(prednisone, 4), limit=limit)
    if changes or prednisone >= limit:
        return "not_met", info
    if unknown:
        return "unknown", {**info, "dose_unknown": unknown}
    return "met", info


def _prednisone(drug: str, row: Mapping[str, Any]) -> float | None:
    """Prednisone-equivalent mg/day of a glucocorticoid row; None when it cannot be read."""
    dose = number(row.get("dose"))
    unit = str(row.get("dose_unit") or "").strip() or CANONICAL_DOSE_UNIT
    if dose is None:
        return None
    try:
        return prednisone_equivalent(drug, dose, unit)
    except InputError:  # a unit without mg/day equivalent, or no declared equivalence
        return None


def _renal(data: PatientData, day: dt.date) -> Evaluation:
    latest = _latest(data, "creatinine_clearance", day)
    progressive = flag(data.value("progressive_renal_disease"))
    info: dict[str, Any] = {
        "creatinine_clearance": latest[1] if latest else None,
        "progressive_renal_disease": progressive,
    }
    if progressive is True or (latest is not None and latest[1] < CORTES2012_LIMITS["min_gfr"]):
        return "not_met", info
    return ("met" if latest is not None and progressive is False else "unknown"), info


def _infections(data: PatientData, day: dt.date) -> Evaluation:
    values = {c: flag(data.value(c)) for c in ("hiv", "viral_hepatitis")}
    if any(v is True for v in values.values()):
        return "not_met", values
    return ("met" if all(v is False for v in values.values()) else "unknown"), values


#: The criteria, in the paper's order: (id, kind, text, evaluator).
CRITERIA: Final[tuple[tuple[str, str, str, Callable[[PatientData, dt.date], Evaluation]], ...]] = (
    ("cortes2012.age", "inclusion", "Aged over 18 years", _age),
    (
        "cortes2012.histology",
        "inclusion",
        "Histologically proven CLE",
        _flag("cle_histology", good=True),
    ),
    (
        "cortes2012.erythema",
        "inclusion",
        "At least grade 2 erythema on the CLASI activity score",
        _erythema,
    ),
    (
        "cortes2012.stable_background",
        "inclusion",
        "Stable prednisone (< 10 mg/day), antimalarial or "
        "immunosuppressive regimen for at least 30 days",
        _stable_background,
    ),
    (
        "cortes2012.refractory",
        "inclusion",
        "Refractory to at least 3 months of antimalarials and topical steroids",
        _refractory,
    ),
    (
        "cortes2012.extent_or_thalidomide",
        "inclusion",
        "Body surface area > 18 %, or severe side effects or lack of efficacy of thalidomide",
        _extent_or_thalidomide,
    ),
    (
        "cortes2012.no_thalidomide_hypersensitivity",
        "exclusion",
        "No known hypersensitivity to thalidomide",
        _flag("thalidomide_hypersensitivity", good=False),
    ),
    ("cortes2012.not_pregnant", "exclusion", "Not pregnant", _not_pregnant),
    (
        "cortes2012.not_lactating",
        "exclusion",
        "Not lactating",
        _women_only("lactating", good=False),
    ),
    (
        "cortes2012.contraception",
        "exclusion",
        "Adequate contraception (women of reproductive potential)",
        _contraception,
    ),
    (
        "cortes2012.no_active_sle",
        "exclusion",
        "No active SLE requiring systemic immunosuppressive agents",
        _active_sle,
    ),
    ("cortes2012.platelets", "exclusion", _Lab("platelets").text(), _Lab("platelets")),
    ("cortes2012.wbc", "exclusion", _Lab("wbc").text(), _Lab("wbc")),
    ("cortes2012.anc", "exclusion", _Lab("anc").text(), _Lab("anc")),
    ("cortes2012.hb", "exclusion", _Lab("hb").text(), _Lab("hb")),
    (
        "cortes2012.no_thrombosis",
        "exclusion",
        "No previous arterial or venous thrombosis (unless antithrombotic prophylaxis is "
        "documented)",
        _no_thrombosis,
    ),
    (
        "cortes2012.no_antiphospholipid",
        "exclusion",
        "No antiphospholipid antibodies",
        _antiphospholipid,
    ),
    (
        "cortes2012.renal",
        "exclusion",
        "GFR ≥ 30 mL/min and no progressive renal disease (creatinine clearance read as GFR)",
        _renal,
    ),
    (
        "cortes2012.no_hiv_hepatitis",
        "exclusion",
        "No HIV or viral hepatitis infection",
        _infections,
    ),
    (
        "cortes2012.compliance",
        "exclusion",
        "No psychiatric or social disorder that might interfere with follow-up or compliance",
        _flag("compliance_risk", good=False),
    ),
)


def screen(data: PatientData, thresholds: Thresholds | None = None) -> Eligibility:
    """Screen one patient against the Cortés-Hernández 2012 criteria.

    The screening date is the start of treatment when the patient has started on or before
    ``as_of``, otherwise ``as_of``; only visit data dated on or before it is read. The blood
    counts are judged on the START limits of ``thresholds`` (the protocol's table; default:
    :func:`clears.protocol._thresholds.default_thresholds`).
    """
    day = data.index_date or data.as_of
    results = []
    for cid, kind, text, evaluate in CRITERIA:
        if isinstance(evaluate, _Lab):
            status, info = evaluate(data, day, thresholds)
            text = evaluate.text(thresholds)
        else:
            status, info = evaluate(data, day)
        results.append(Criterion(cid, kind, text, status, info, str(CORTES2012)))
    statuses = {c.status for c in results}
    verdict = (
        "ineligible"
        if "not_met" in statuses
        else "undetermined"
        if "unknown" in statuses
        else "eligible"
    )
    return Eligibility(day, verdict, tuple(results), str(CORTES2012))
