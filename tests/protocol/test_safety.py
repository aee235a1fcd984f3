"""Safety rules, both sides of every threshold.

Sources of the expected values: CTCAE v5.0 (NCI xlsx; neutrophils grade 3 < 1.0×10⁹/L, platelets
grade 3 < 50×10⁹/L; docs/instruments/ctcae.md), lenalidomide label (hold for grade 3–4 cytopenia,
resume one level lower, 10 → 5 → 2.5 mg; MDS renal bands 30–60 mL/min 5 mg every 24 h, < 30
5 mg every 48 h, dialysis 5 mg three times weekly; docs/reference/lenalidomide.md §5–6),
Cortés-Hernández 2012 (SLEDAI flare > 3 mild, > 12 severe), Aitmehdi 2021 (aspirin
thromboprophylaxis).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from clears.protocol import Advice

START = "2024-01-01"


def rules(advice: Advice) -> set[str]:
    return {a.rule for a in advice.alerts}


@pytest.mark.parametrize(("test", "stopped"), [("positive", True), ("negative", False)])
def test_pregnancy_stops(b: SimpleNamespace, test: str, stopped: bool) -> None:
    visits = [b.visit(START, clasi_a=10), b.visit("2024-01-15", pregnancy_test=test)]
    a = b.advise([b.period(START, 5)], visits, "2024-01-15")
    assert (a.dose.action == "stop") is stopped
    assert ("safety.pregnancy" in rules(a)) is stopped
    if stopped:
        assert a.dose.dose_mg_per_day == 0.0


# Blood counts and the stopping rules (cortes2012 discontinues; the label's hold and resume
# is the separate protocol cortes2012_label_holds): tests/protocol/test_safety_blood.py and
# tests/protocol/test_safety_stopping.py.


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (16, "safety.sle_flare_severe"),  # 16 - 3 = 13 > 12
        (15, "safety.sle_flare_mild"),  # 12 is not > 12, but > 3
        (7, "safety.sle_flare_mild"),  # 4 > 3
        (6, None),  # 3 is not > 3
    ],
)
def test_sledai_flare_thresholds(b: SimpleNamespace, latest: float, expected: str | None) -> None:
    visits = [b.visit(START, clasi_a=10, sledai=3), b.visit("2024-02-05", clasi_a=6, sledai=latest)]
    a = b.advise([b.period(START, 5)], visits, "2024-02-05", sle=True)
    flare_rules = {r for r in rules(a) if r.startswith("safety.sle_flare")}
    assert flare_rules == ({expected} if expected else set())
    assert a.dose.review is (expected == "safety.sle_flare_severe")


def test_severe_flare_in_flares_table_asks_for_review(b: SimpleNamespace) -> None:
    flare = {"patient_id": "P1", "flare_date": "2024-01-20", "severity": "severe"}
    visits = [b.visit(START, clasi_a=10), b.visit("2024-02-05", clasi_a=6)]
    a = b.advise([b.period(START, 5)], visits, "2024-02-05", flares=[flare])
    assert "safety.sle_flare_severe" in rules(a)
    assert a.dose.review


@pytest.mark.parametrize(
    ("clcr", "dialysis", "mg", "extrapolated"),
    [
        (60, False, 10.0, False),  # ≥ 60: no adjustment
        (59, False, 5.0, True),  # 30 to < 60: 5 mg every 24 h
        (30, False, 5.0, True),
        (29, False, 2.5, True),  # < 30: 5 mg every 48 h = 2.5 mg/day
        (None, True, 15 / 7, True),  # dialysis: 5 mg three times a week = 15/7 mg/day
    ],
)
def test_renal_cap(
    b: SimpleNamespace, clcr: float | None, dialysis: bool, mg: float, extrapolated: bool
) -> None:
    # on 10 mg/day with partial response: the protocol keeps 10 mg/day; the renal rule caps it
    treatments = [b.period(START, 5, "2024-01-28"), b.period("2024-01-29", 10)]
    labs = {} if clcr is None else {"creatinine_clearance": clcr}
    visits = [b.visit(START, clasi_a=10), b.visit("2024-03-01", clasi_a=5, **labs)]
    a = b.advise(treatments, visits, "2024-03-01", dialysis=dialysis)
    assert a.dose.dose_mg_per_day == pytest.approx(mg)
    assert a.dose.extrapolated is extrapolated
    assert ("safety.renal_adjustment" in rules(a)) is extrapolated
    if extrapolated:
        assert a.dose.action == "decrease"


@pytest.mark.parametrize(
    ("extra", "alert"),
    [
        ({}, False),
        ({"aps": True}, True),
        ({"prior_thrombosis": "yes"}, True),
        ({"cv_risk": True}, True),
        ({"smoking": "current"}, True),
        ({"smoking": "former"}, False),
    ],
)
def test_thrombosis_risk_alert(b: SimpleNamespace, extra: dict[str, Any], alert: bool) -> None:
    a = b.advise([b.period(START, 5)], [b.visit(START, clasi_a=10)], "2024-01-10", **extra)
    found = [x for x in a.alerts if x.rule == "safety.thrombosis_risk"]
    assert bool(found) is alert
    if alert:
        assert "aspirin" in found[0].message
        assert "Aitmehdi" in found[0].reference


@pytest.mark.parametrize(("known", "alert"), [(True, True), (False, False)])
def test_known_thalidomide_neuropathy(b: SimpleNamespace, known: bool, alert: bool) -> None:
    a = b.advise(
        [b.period(START, 5)],
        [b.visit(START, clasi_a=10)],
        "2024-01-10",
        thalidomide_neuropathy=known,
    )
    assert ("safety.thalidomide_neuropathy" in rules(a)) is alert


def test_off_label_is_always_stated(b: SimpleNamespace) -> None:
    a = b.advise([], [b.visit(START, clasi_a=10)], START)
    assert "label.off_label" in rules(a)
