"""Cortés-Hernández 2012 eligibility screen (doi:10.1186/ar4111, Methods), both sides of limits."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from clears.protocol import Advice

DAY = "2024-01-01"


def run(b: SimpleNamespace, visit: dict[str, Any] | None = None, **extra: Any) -> Advice:
    return b.advise([], [b.visit(DAY, **(visit or {"clasi_a": 10}))], DAY, **extra)


def status(advice: Advice, cid: str) -> str:
    return next(c.status for c in advice.eligibility.criteria if c.id == cid)


@pytest.mark.parametrize(
    ("birth_year", "expected"),
    [(2005, "met"), (2006, "unknown"), (2007, "not_met")],  # 2024-2005 = 19 -> aged 18 or 19
)
def test_age(b: SimpleNamespace, birth_year: int, expected: str) -> None:
    assert status(run(b, birth_year=birth_year), "cortes2012.age") == expected


@pytest.mark.parametrize(
    ("column", "limit", "cid"),
    [
        # EU SmPC: do not start if platelets < 50 x 10^9/L (docs/reference/lenalidomide.md §4);
        # Cortés 2012 excluded < 30, but 30 to < 50 is CTCAE grade 3, which discontinues (hazard 6)
        ("platelets", 50.0, "cortes2012.platelets"),
        ("wbc", 2.0, "cortes2012.wbc"),  # Cortés 2012 exclusion: leukopenia < 2,000/mm3
        ("anc", 1.0, "cortes2012.anc"),  # Cortés 2012 exclusion: neutrophils < 1,000/µL
        ("hb", 8.0, "cortes2012.hb"),  # CTCAE v5.0 anaemia grade 3: Hgb < 8.0 g/dL
    ],
)
def test_lab_limits(b: SimpleNamespace, column: str, limit: float, cid: str) -> None:
    assert status(run(b, {column: limit}), cid) == "met"
    assert status(run(b, {column: limit - 0.01}), cid) == "not_met"
    assert status(run(b, {"clasi_a": 5}), cid) == "unknown"


@pytest.mark.parametrize(
    ("visit", "expected"),
    [
        ({"erythema_max": 2}, "met"),
        ({"erythema_max": 1}, "not_met"),
        ({"clasi_face_ery": 3, "clasi_ears_ery": 0}, "met"),
        ({"clasi_a": 0}, "not_met"),
        ({"clasi_a": 8}, "unknown"),
    ],
)
def test_erythema_grade_2(b: SimpleNamespace, visit: dict[str, Any], expected: str) -> None:
    assert status(run(b, visit), "cortes2012.erythema") == expected


@pytest.mark.parametrize(("clcr", "expected"), [(30, "met"), (29.9, "not_met")])
def test_renal_limit(b: SimpleNamespace, clcr: float, expected: str) -> None:
    a = run(b, {"creatinine_clearance": clcr}, progressive_renal_disease=False)
    assert status(a, "cortes2012.renal") == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"bsa_percent": 19}, "met"),
        ({"bsa_percent": 18, "prior_thalidomide": False}, "not_met"),  # "more than 18 %"
        ({"thalidomide_stop_reason": "inefficacy"}, "met"),
        ({"thalidomide_stop_reason": "adverse_event"}, "met"),
        ({}, "unknown"),
    ],
)
def test_extent_or_thalidomide_failure(
    b: SimpleNamespace, extra: dict[str, Any], expected: str
) -> None:
    assert status(run(b, **extra), "cortes2012.extent_or_thalidomide") == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({"aps": True}, "not_met"), ({"antiphospholipid_antibodies": False}, "met"), ({}, "unknown")],
)
def test_antiphospholipid(b: SimpleNamespace, extra: dict[str, Any], expected: str) -> None:
    assert status(run(b, **extra), "cortes2012.no_antiphospholipid") == expected


def test_men_meet_the_pregnancy_criteria(b: SimpleNamespace) -> None:
    a = run(b, sex="M")
    for cid in ("cortes2012.not_pregnant", "cortes2012.not_lactating", "cortes2012.contraception"):
        assert status(a, cid) == "met"


def test_excluded_patient_is_not_started(b: SimpleNamespace) -> None:
    a = run(b, prior_thrombosis=True)
    assert a.eligibility.verdict == "ineligible"
    assert (a.dose.action, a.dose.dose_mg_per_day, a.dose.rule) == (
        "hold",
        0.0,
        "eligibility.not_met",
    )
    assert "cortes2012.no_thrombosis" in a.dose.explanation


def test_fully_eligible_patient(b: SimpleNamespace) -> None:
    visit = {
        "clasi_a": 10,
        "erythema_max": 2,
        "platelets": 200,
        "wbc": 5,
        "anc": 3,
        "hb": 13,
        "creatinine_clearance": 90,
        "pregnancy_test": "negative",
    }
    extra = {
        "birth_year": 1980,
        "cle_histology": True,
        "stable_background": True,
        "antimalarial_months": 6,
        "bsa_percent": 25,
        "thalidomide_hypersensitivity": False,
        "lactating": False,
        "contraception": True,
        "sle": False,
        "prior_thrombosis": False,
        "antiphospholipid_antibodies": False,
        "progressive_renal_disease": False,
        "hiv": False,
        "viral_hepatitis": False,
        "compliance_risk": False,
        "reproductive_potential": True,
    }
    # A woman of reproductive potential starts only after two negative tests: 10-14 days and
    # within 24 hours before prescribing (REMS, docs/reference/lenalidomide.md §3): 2023-12-20 is 12
    # days before 2024-01-01, and the visit of 2024-01-01 has the second.
    visits = [b.visit("2023-12-20", pregnancy_test="negative"), b.visit(DAY, **visit)]
    a = b.advise([], visits, DAY, **extra)
    assert a.eligibility.verdict == "eligible"
    assert (a.dose.action, a.dose.dose_mg_per_day, a.dose.review) == ("start", 5.0, False)
