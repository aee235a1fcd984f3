"""Scenario tests of the dose engine, both sides of every threshold.

Expected actions come from the protocol texts, not from our output: Cortés-Hernández 2012
(doi:10.1186/ar4111, Methods: 5 mg/day for 4 weeks, 10 mg/day if no improvement, 5 mg/day kept in
partial response, monthly taper after complete response; relapse = CLASI-A ≥ 4 after CR) and
Okon et al. (PMC4333148: 5 mg daily for 6 weeks, responders ≥ 4-point CLASI-A fall to 5 mg every
other day, non-responders to 10 mg daily).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from clears.protocol._dose import DoseAdvice

START = "2024-01-01"


def dose(
    b: SimpleNamespace, treatments, visits, as_of: str, protocol: str = "cortes2012", **pat
) -> DoseAdvice:
    # A man unless told otherwise: these test the dose rules, not pregnancy prevention (a
    # female START needs two negative tests, issue 12 hazard 1; tests/protocol/test_pregnancy*).
    return b.advise(treatments, visits, as_of, protocol=protocol, **{"sex": "M", **pat}).dose


def test_not_started_starts_at_5_mg_daily(b: SimpleNamespace) -> None:
    d = dose(
        b,
        [],
        [b.visit("2024-01-01", clasi_a=12, anc=3.0, wbc=6.0, platelets=250, hb=13.5)],
        "2024-01-01",
    )
    assert (d.action, d.dose_mg_per_day, d.rule) == ("start", 5.0, "cortes2012.start")
    assert "Cortés-Hernández" in d.reference


@pytest.mark.parametrize(
    ("as_of", "action", "mg", "rule"),
    [
        # 2024-01-28 is day 27 after 2024-01-01: still within the 4-week induction
        ("2024-01-28", "continue", 5.0, "cortes2012.induction"),
        # 2024-01-29 is day 28: evaluation; CLASI-A 12 -> 12 is "no improvement" -> 10 mg/day
        ("2024-01-29", "increase", 10.0, "cortes2012.no_improvement"),
    ],
)
def test_four_week_evaluation_edge(
    b: SimpleNamespace, as_of: str, action: str, mg: float, rule: str
) -> None:
    visits = [
        b.visit(START, clasi_a=12),
        b.visit("2024-01-15", clasi_a=12),
        b.visit(as_of, clasi_a=12),
    ]
    d = dose(b, [b.period(START, 5)], visits, as_of)
    assert (d.action, d.dose_mg_per_day, d.rule) == (action, mg, rule)


@pytest.mark.parametrize(
    ("latest", "action", "mg", "rule"),
    [
        (5, "continue", 5.0, "cortes2012.partial"),  # (10-5)/10 = 50 % -> partial, keep 5 mg
        (6, "continue", 5.0, "cortes2012.partial"),  # 40 % -> improved, not "no improvement"
        (9, "continue", 5.0, "cortes2012.partial"),  # 10 % -> improved
        (10, "increase", 10.0, "cortes2012.no_improvement"),  # 0 % -> no improvement
        (11, "increase", 10.0, "cortes2012.no_improvement"),  # worse -> no improvement
    ],
)
def test_response_at_four_weeks(
    b: SimpleNamespace, latest: float, action: str, mg: float, rule: str
) -> None:
    visits = [b.visit(START, clasi_a=10), b.visit("2024-02-05", clasi_a=latest)]
    d = dose(b, [b.period(START, 5)], visits, "2024-02-05")
    assert (d.action, d.dose_mg_per_day, d.rule) == (action, mg, rule)
    assert d.basis["baseline_clasi_a"] == 10


@pytest.mark.parametrize(
    ("as_of", "action", "mg", "rule"),
    [
        # course started 2024-01-01 (10 mg), 5 mg daily since 2024-02-01; CR on both dates.
        # 2024-02-28 is day 27 on 5 mg daily: the taper is monthly, keep waiting
        ("2024-02-28", "continue", 5.0, "cortes2012.taper_wait"),
        # 28 days on the regimen -> next lower step of the ladder: 5 mg alternate days = 2.5 mg/day
        ("2024-02-29", "taper", 2.5, "cortes2012.taper"),
    ],
)
def test_monthly_taper_edge(
    b: SimpleNamespace, as_of: str, action: str, mg: float, rule: str
) -> None:
    treatments = [b.period(START, 10, "2024-01-31"), b.period("2024-02-01", 5)]
    visits = [b.visit(START, clasi_a=10), b.visit(as_of, clasi_a=0)]
    d = dose(b, treatments, visits, as_of)
    assert (d.action, d.dose_mg_per_day, d.rule) == (action, mg, rule)


def test_complete_response_on_10_mg_tapers_to_5_mg_daily(b: SimpleNamespace) -> None:
    treatments = [b.period(START, 5, "2024-01-28"), b.period("2024-01-29", 10)]
    visits = [b.visit(START, clasi_a=10), b.visit("2024-03-01", clasi_a=0)]
    d = dose(b, treatments, visits, "2024-03-01")
    assert (d.action, d.dose_mg_per_day, d.regimen) == ("taper", 5.0, "5 mg daily")


def test_bottom_of_ladder_withdraws(b: SimpleNamespace) -> None:
    # 5 mg three times weekly = 15/7 mg/day is the last step; next is withdrawal (0 mg/day)
    treatments = [
        b.period(START, 5, "2024-02-29"),
        b.period("2024-03-01", 15 / 7, regimen="5 mg three times weekly"),
    ]
    visits = [b.visit(START, clasi_a=10), b.visit("2024-04-01", clasi_a=0)]
    d = dose(b, treatments, visits, "2024-04-01")
    assert (d.action, d.dose_mg_per_day, d.rule) == ("taper", 0.0, "cortes2012.taper")


def test_no_response_at_10_mg_asks_for_review(b: SimpleNamespace) -> None:
    treatments = [b.period(START, 5, "2024-01-28"), b.period("2024-01-29", 10)]
    visits = [b.visit(START, clasi_a=10), b.visit("2024-03-01", clasi_a=10)]
    d = dose(b, treatments, visits, "2024-03-01")
    assert (d.action, d.dose_mg_per_day, d.rule, d.review) == (
        "continue",
        10.0,
        "cortes2012.no_response_at_maximum",
        True,
    )


@pytest.mark.parametrize(
    ("latest", "action", "mg", "rule"),
    [
        (4, "increase", 5.0, "cortes2012.relapse_on_taper"),  # CLASI-A 4 after CR = relapse
        (3, "continue", 2.5, "cortes2012.partial"),  # 3 < 4: no relapse; 70 % below baseline
    ],
)
def test_relapse_during_taper_edge(
    b: SimpleNamespace, latest: float, action: str, mg: float, rule: str
) -> None:
    treatments = [
        b.period(START, 5, "2024-02-29"),
        b.period("2024-03-01", 2.5, regimen="5 mg alternate days"),
    ]
    visits = [
        b.visit(START, clasi_a=10),
        b.visit("2024-02-29", clasi_a=0),
        b.visit("2024-03-20", clasi_a=latest),
    ]
    d = dose(b, treatments, visits, "2024-03-20")
    assert (d.action, d.dose_mg_per_day, d.rule) == (action, mg, rule)


def test_lowest_effective_regimen_is_kept_as_maintenance(b: SimpleNamespace) -> None:
    # relapse on 5 mg alternate days (March), back to 5 mg daily since 2024-03-21, CR again
    treatments = [
        b.period(START, 5, "2024-02-29"),
        b.period("2024-03-01", 2.5, "2024-03-20", regimen="5 mg alternate days"),
        b.period("2024-03-21", 5),
    ]
    visits = [
        b.visit(START, clasi_a=10),
        b.visit("2024-02-29", clasi_a=0),
        b.visit("2024-03-20", clasi_a=6),
        b.visit("2024-04-30", clasi_a=0),
    ]
    d = dose(b, treatments, visits, "2024-04-30")
    assert (d.action, d.dose_mg_per_day, d.rule) == ("continue", 5.0, "cortes2012.maintenance")


@pytest.mark.parametrize(
    ("latest", "action", "mg", "rule"),
    [
        (4, "restart", 5.0, "cortes2012.reintroduce"),
        (3, "continue", 0.0, "cortes2012.remission_off_drug"),
    ],
)
def test_relapse_after_withdrawal_edge(
    b: SimpleNamespace, latest: float, action: str, mg: float, rule: str
) -> None:
    treatments = [b.period(START, 5, "2024-03-31", end_reason="taper")]
    visits = [
        b.visit(START, clasi_a=10),
        b.visit("2024-03-01", clasi_a=0),
        b.visit("2024-04-20", clasi_a=latest, anc=3.0, wbc=6.0, platelets=250, hb=13.5),
    ]
    d = dose(b, treatments, visits, "2024-04-20")
    assert (d.action, d.dose_mg_per_day, d.rule) == (action, mg, rule)


def test_stopped_for_inefficacy_stays_stopped(b: SimpleNamespace) -> None:
    treatments = [b.period(START, 10, "2024-03-31", end_reason="inefficacy")]
    d = dose(b, treatments, [b.visit(START, clasi_a=10)], "2024-04-20")
    assert (d.action, d.dose_mg_per_day, d.rule) == ("stop", 0.0, "cortes2012.stopped")


def test_dose_above_protocol_maximum_is_brought_down(b: SimpleNamespace) -> None:
    treatments = [b.period(START, 15)]
    visits = [b.visit(START, clasi_a=10), b.visit("2024-02-05", clasi_a=6)]
    d = dose(b, treatments, visits, "2024-02-05")
    assert (d.action, d.dose_mg_per_day, d.rule) == ("decrease", 10.0, "protocol.maximum_dose")


def test_no_clasi_after_baseline_keeps_dose_for_review(b: SimpleNamespace) -> None:
    d = dose(b, [b.period(START, 5)], [b.visit(START, clasi_a=10)], "2024-02-05")
    assert (d.action, d.rule, d.review) == ("continue", "cortes2012.no_assessment", True)


@pytest.mark.parametrize(
    ("as_of", "latest", "action", "mg", "rule"),
    [
        # 2024-02-11 is day 41: before the 6-week evaluation
        ("2024-02-11", 10, "continue", 5.0, "okon_braunstein.induction"),
        # day 42, CLASI-A 14 -> 10 = 4-point fall (the MCID) -> responder -> 5 mg every other day
        ("2024-02-12", 10, "decrease", 2.5, "okon_braunstein.responder"),
        # day 42, 14 -> 11 = 3-point fall -> non-responder -> 10 mg daily
        ("2024-02-12", 11, "increase", 10.0, "okon_braunstein.non_responder"),
    ],
)
def test_okon_braunstein_six_week_decision(
    b: SimpleNamespace, as_of: str, latest: float, action: str, mg: float, rule: str
) -> None:
    visits = [b.visit(START, clasi_a=14), b.visit(as_of, clasi_a=latest)]
    d = dose(b, [b.period(START, 5)], visits, as_of, protocol="okon_braunstein")
    assert (d.action, d.dose_mg_per_day, d.rule) == (action, mg, rule)
    assert d.protocol.startswith("okon_braunstein")
