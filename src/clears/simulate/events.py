"""Adverse events, SLE flares, SLEDAI items and laboratory values of virtual patients.

Adverse events follow a Poisson process on drug at the preset's published rate per
patient-year; each type carries its CTCAE v5.0 grade range and the protocol's action
(none, interruption, withdrawal). SLE flares happen in SLE patients with the published
probability over follow-up; a flare adds SLEDAI descriptors enough to meet the SELENA flare
index (mild/moderate: increase of 3 or more; severe: score above 12).

References
----------
Aitmehdi R, et al. J Am Acad Dermatol 2021;84(4):1171-1174 (Table 2: rates, flares).
Cortés-Hernández J, et al. Arthritis Res Ther 2012;14(6):R265 (Table 3).
Petri M, et al. N Engl J Med 2005;353:2550-2558 (SELENA flare index).
NCI Common Terminology Criteria for Adverse Events v5.0 (2017).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from clears.instruments.sledai import DEFINITION as SLEDAI
from clears.instruments.sledai import WEIGHTS
from clears.simulate.presets import SimulationPreset

__all__ = ["AE_TERMS", "Event", "adverse_events", "flare", "labs", "sledai_items"]

#: Preset key -> adverse-event term written to the cohort (CTCAE v5.0 terms where one exists).
AE_TERMS: Final = {
    "neutropenia": "Neutrophil count decreased",
    "asthenia": "Fatigue",
    "arterial_thrombosis": "Arterial thromboembolism",
    "venous_thrombosis": "Thromboembolic event",
    "cancer": "Neoplasm (malignant)",
    "gastrointestinal": "Vomiting",
}

# Baseline SLEDAI descriptors typical of refractory CLE with SLE (column, code); rash is
# persistent (code 3) and counts under SLEDAI-2K.
_BASE_ITEMS: Final = (
    ("sledai_rash", 3),
    ("sledai_dna", 1),
    ("sledai_low_complement", 1),
    ("sledai_alopecia", 3),
    ("sledai_mucosal_ulcers", 3),
    ("sledai_leukopenia", 1),
    ("sledai_arthritis", 1),
)
_WEIGHT: Final = {f.column: WEIGHTS[f.path] for f in SLEDAI.fields}


@dataclass(frozen=True)
class Event:
    """One adverse event: day from index, preset key, grade, action, serious."""

    day: int
    kind: str
    grade: int
    action: str
    serious: bool


def adverse_events(
    preset: SimulationPreset, on_drug_days: int, rng: np.random.Generator
) -> list[Event]:
    """Adverse events over ``on_drug_days`` at the preset's rates, in time order.

    Two draws of the same type on the same day are one event (the first one's grade): a
    record holds each adverse event once, and the cohort refuses identical rows. The
    generator is advanced exactly as if both were kept.
    """
    events: list[Event] = []
    seen: set[tuple[str, int]] = set()
    for kind, spec in preset.section("adverse_events").items():
        if not isinstance(spec, dict) or float(spec["rate"]) <= 0:
            continue
        lo, hi = spec["grade"]
        if spec.get("early", False):
            times = [int(rng.integers(5, 15))] if rng.random() < float(spec["rate"]) else []
        else:
            count = rng.poisson(float(spec["rate"]) * on_drug_days / 365.25)
            times = sorted(int(x) for x in rng.integers(1, max(on_drug_days, 2), count))
        for day in times:
            grade = int(rng.integers(int(lo), int(hi) + 1))
            serious = bool(spec.get("serious", False))
            if (kind, day) not in seen:
                seen.add((kind, day))
                events.append(Event(day, kind, grade, str(spec["action"]), serious))
    return sorted(events, key=lambda e: e.day)


def sledai_items(total: int, rng: np.random.Generator) -> dict[str, int]:
    """Descriptor codes whose SLEDAI-2K total is as close to ``total`` as the weights allow."""
    codes = dict.fromkeys(SLEDAI.columns, 0)
    order = rng.permutation(len(_BASE_ITEMS))
    score = 0
    for k in order:
        column, code = _BASE_ITEMS[k]
        if score + _WEIGHT[column] <= total:
            codes[column] = code
            score += _WEIGHT[column]
    return codes


def flare(base: dict[str, int], severe: bool) -> dict[str, int]:
    """SLEDAI codes at a flare: new arthritis (+4, and new rash when the base lacks it);
    a severe flare adds new proteinuria, haematuria and casts (+12, total above 12)."""
    codes = dict(base) | {"sledai_arthritis": 1}
    if not base.get("sledai_rash"):
        codes["sledai_rash"] = 2
    if severe:
        codes |= {"sledai_proteinuria": 2, "sledai_hematuria": 1, "sledai_urinary_casts": 1}
    return codes


def labs(n: int, sle: bool, rng: np.random.Generator) -> dict[str, Any]:
    """Routine laboratory values for ``n`` visits (canonical units of the cohort schema)."""
    anc = np.round(np.clip(rng.normal(4.0, 1.0, n), 1.6, 9.0), 2)
    return {
        "anc": anc,
        "wbc": np.round(anc + np.clip(rng.normal(2.2, 0.5, n), 1.0, 4.0), 2),
        "platelets": np.round(np.clip(rng.normal(250, 50, n), 120, 450)),
        "hb": np.round(np.clip(rng.normal(13.0, 1.0, n), 10.0, 16.5), 1),
        "anti_dsdna": np.round(np.clip(rng.lognormal(3.5 if sle else 1.5, 0.8, n), 0, 2000), 1),
        "c3": np.round(np.clip(rng.normal(0.85 if sle else 1.1, 0.15, n), 0.3, 1.8), 2),
        "c4": np.round(np.clip(rng.normal(0.14 if sle else 0.25, 0.05, n), 0.02, 0.6), 2),
        "creatinine_clearance": np.round(np.clip(rng.normal(95, 15, n), 50, 160)),
    }
