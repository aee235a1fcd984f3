"""Hazard class 10, renal function: the Cortés START exclusion and the on-treatment label cap.

Sources: Cortés-Hernández 2012 (seed 001), Methods, exclusion "moderate to severe renal
impairment (FG < 30 ml/min/1.73 m2) and/or progressive renal disease"; lenalidomide MDS
starting dose by creatinine clearance (docs/reference/lenalidomide.md §6; older US label [S],
Giagounidis 2008 [V]): CLcr >= 60 no adjustment, 30 to < 60 5 mg every 24 h, < 30 5 mg every 48 h,
dialysis 5 mg three times a week; "Applying label renal bands to CLE doses is a clinical
judgement, not a label rule" (off-label extrapolation, review).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from tests.protocol._people import ELIGIBLE, LABS

from clears.protocol import Advice

START = "2024-01-01"


def screen(b: SimpleNamespace, clcr: float, progressive: bool | None = False) -> Advice:
    visit = b.visit(START, clasi_a=12, erythema_max=2, creatinine_clearance=clcr, **LABS)
    return b.advise([], [visit], START, **{**ELIGIBLE, "progressive_renal_disease": progressive})


def status(a: Advice, cid: str = "cortes2012.renal") -> str:
    return next(c.status for c in a.eligibility.criteria if c.id == cid)


@pytest.mark.parametrize(
    ("clcr", "criterion", "action"),
    [(29.9, "not_met", "hold"), (30, "met", "start"), (59.9, "met", "start"), (60, "met", "start")],
)
def test_start_exclusion_below_30(
    b: SimpleNamespace, clcr: float, criterion: str, action: str
) -> None:
    # Cortés 2012: exclusion "FG < 30 ml/min/1.73 m2": 29.9 excluded, 30 not
    a = screen(b, clcr)
    assert status(a) == criterion
    assert a.dose.action == action
    if action == "hold":
        assert a.dose.rule == "eligibility.not_met"
        assert "cortes2012.renal" in a.dose.explanation


@pytest.mark.parametrize(("progressive", "expected"), [(True, "not_met"), (None, "unknown")])
def test_progressive_renal_disease(
    b: SimpleNamespace, progressive: bool | None, expected: str
) -> None:
    # "... and/or progressive renal disease": excluded whatever the clearance; not recorded
    # -> unknown (checked before starting)
    assert status(screen(b, 90, progressive)) == expected


@pytest.mark.parametrize(
    ("clcr", "started_at", "review"),
    [(60, 5.0, False), (59.9, 5.0, True), (30, 5.0, True)],  # start dose 5 mg/day = band cap
)
def test_start_within_the_band_asks_for_review(
    b: SimpleNamespace, clcr: float, started_at: float, review: bool
) -> None:
    a = screen(b, clcr)
    assert a.dose.dose_mg_per_day == pytest.approx(started_at)
    assert a.dose.review is review
    assert a.dose.extrapolated is review


@pytest.mark.parametrize(
    ("clcr", "dialysis", "mg"),
    [
        (60.0, False, 10.0),  # >= 60: no adjustment
        (59.9, False, 5.0),  # 30 to < 60: 5 mg every 24 h
        (30.0, False, 5.0),
        (29.9, False, 2.5),  # < 30: 5 mg every 48 h = 2.5 mg/day
        (None, True, 15 / 7),  # dialysis: 5 mg three times a week = 15/7 mg/day
    ],
)
def test_on_treatment_the_cap_is_an_off_label_extrapolation_for_review(
    b: SimpleNamespace, clcr: float | None, dialysis: bool, mg: float
) -> None:
    # 10 mg/day in partial response (CLASI-A 10 -> 5): Cortés keeps the dose; the band caps it
    treatments = [b.period(START, 5, "2024-01-28"), b.period("2024-01-29", 10)]
    labs = {} if clcr is None else {"creatinine_clearance": clcr}
    visits = [b.visit(START, clasi_a=10), b.visit("2024-03-01", clasi_a=5, **LABS, **labs)]
    a = b.advise(treatments, visits, "2024-03-01", dialysis=dialysis, sex="M")
    assert a.dose.dose_mg_per_day == pytest.approx(mg)
    capped = mg < 10.0
    assert a.dose.review is capped
    assert a.dose.extrapolated is capped
    found = [x for x in a.alerts if x.rule == "safety.renal_adjustment"]
    assert bool(found) is capped
    if capped:
        assert a.dose.action == "decrease"
        assert "off-label extrapolation" in found[0].message


def test_within_the_cap_the_dose_is_kept_but_reviewed(b: SimpleNamespace) -> None:
    # 5 mg/day at CLcr 45: the 30-60 band allows 5 mg every 24 h; kept, flagged for review
    visits = [
        b.visit(START, clasi_a=12),
        b.visit("2024-01-20", clasi_a=10, creatinine_clearance=45, **LABS),
    ]
    a = b.advise([b.period(START, 5)], visits, "2024-01-20", sex="M")
    assert (a.dose.action, a.dose.dose_mg_per_day) == ("continue", 5.0)
    assert a.dose.review is True
    assert a.dose.extrapolated is True
