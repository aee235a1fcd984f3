"""Hazard class 2, thromboembolism: the stop, the start hold and the prophylaxis advice.

Sources: lenalidomide boxed warning (docs/reference/lenalidomide.md §2 [V]: venous and arterial
thromboembolism, DVT, PE, MI and stroke; "anti-thrombotic prophylaxis is recommended", chosen
by the patient's risk); Aitmehdi 2021 (seed 000) Table 1 ("low dose aspirin was added to
prevent thromboembolic risk", 35/40) and Table 2 (arterial thrombosis, transient ischemic
attack, acute coronary syndrome); Cortés-Hernández 2012 (seed 001) exclusion "previous history
of arterial/venous thrombosis"; CTCAE v5.0 terms (docs/instruments/ctcae.md).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from tests.protocol._people import ELIGIBLE, LABS

from clears._exceptions import InputError
from clears.instruments import ctcae
from clears.protocol import Advice, advise
from clears.protocol._safety_thrombosis import THROMBOEMBOLIC_TERMS, is_thromboembolic

START = "2024-01-01"


def run(
    b: SimpleNamespace,
    as_of: str,
    *,
    treatments: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    meds: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Advice:
    visits = [b.visit(START, clasi_a=12, erythema_max=2, creatinine_clearance=95, **LABS)]
    if as_of != START:
        visits.append(b.visit(as_of, clasi_a=10, **LABS))
    cohort = b.cohort(
        patients=[b.patient(**{"sex": "M", **extra})],
        treatments=treatments or [],
        visits=visits,
        adverse_events=[{"patient_id": "P1", **e} for e in events or []],
        concomitant_medications=[{"patient_id": "P1", **m} for m in meds or []],
    )
    return advise(cohort, "P1", as_of=dt.date.fromisoformat(as_of))


def alert(a: Advice, rule: str) -> Any:
    return next((x for x in a.alerts if x.rule == rule), None)


def test_every_thromboembolic_term_of_the_project_ctcae_list_is_matched() -> None:
    # CTCAE v5.0 (docs/instruments/ctcae.md): "Thromboembolic event" and "Arterial thromboembolism"
    # are the Vascular disorders thromboembolic terms of the project's term list.
    listed = [t.term for t in ctcae.TERMS.values() if "thromboembol" in t.term.lower()]
    assert sorted(listed) == ["Arterial thromboembolism", "Thromboembolic event"]
    assert all(is_thromboembolic(term) for term in listed)


def test_terms_said_to_come_from_the_project_list_are_in_it() -> None:
    for entry in THROMBOEMBOLIC_TERMS.values():
        if "instruments/ctcae/_terms.py" in entry.source:
            assert ctcae.find_term(entry.term).term == entry.term
        assert entry.vessel in {"venous", "arterial"}
        assert entry.source


@pytest.mark.parametrize(
    ("term", "matched"),
    [
        ("Thromboembolic event", True),
        ("THROMBOEMBOLIC  EVENT ", True),  # case and spacing do not matter
        ("Transient ischemic attacks", True),  # CTCAE v5.0 note: TIA for CNS events
        ("Stroke", True),
        ("Pulmonary embolism", True),  # boxed warning: PE
        ("Deep vein thrombosis", True),  # boxed warning: DVT
        ("Acute coronary syndrome", True),  # Aitmehdi 2021 Table 2
        ("Fatigue", False),
        ("Platelet count decreased", False),
        ("", False),
        (None, False),
    ],
)
def test_term_matching(term: object, matched: bool) -> None:
    assert is_thromboembolic(term) is matched


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_any_grade_on_treatment_stops_with_review(b: SimpleNamespace, grade: int) -> None:
    # issue 12: "Any arterial or venous thromboembolic adverse event (any grade) on treatment
    # -> stop and review, an alert that names the event"
    event = {"onset_date": "2024-01-15", "term": "Thromboembolic event", "grade": grade}
    a = run(b, "2024-01-20", treatments=[b.period(START, 5)], events=[event])
    assert (a.dose.action, a.dose.dose_mg_per_day, a.dose.review) == ("stop", 0.0, True)
    found = alert(a, "safety.thromboembolism")
    assert found.level == "stop"
    assert "Thromboembolic event" in found.message
    assert f"grade {grade}" in found.message
    assert "2024-01-15" in found.message


@pytest.mark.parametrize(
    ("onset", "stopped"),
    [("2023-12-31", False), (START, True), ("2024-01-19", True)],  # day before / first day
)
def test_onset_relative_to_the_start(b: SimpleNamespace, onset: str, stopped: bool) -> None:
    event = {"onset_date": onset, "term": "Arterial thromboembolism", "grade": 3}
    a = run(b, "2024-01-20", treatments=[b.period(START, 5)], events=[event])
    assert (a.dose.action == "stop") is stopped
    if not stopped:  # a history: the risk alert asks for prophylaxis
        assert alert(a, "safety.thrombosis_risk").level == "action"


def test_an_event_after_the_as_of_date_is_not_known(b: SimpleNamespace) -> None:
    event = {"onset_date": "2024-01-21", "term": "Stroke", "grade": 3}
    a = run(b, "2024-01-20", treatments=[b.period(START, 5)], events=[event])
    assert a.dose.action != "stop"
    assert alert(a, "safety.thromboembolism") is None


ASPIRIN = {"drug": "aspirin", "start_date": "2023-12-01", "dose": 100, "dose_unit": "mg/day"}


@pytest.mark.parametrize(
    ("meds", "action", "level"),
    [
        ([], "hold", "hold"),
        ([ASPIRIN], "start", "info"),  # prophylaxis documented: the start stands
        ([{**ASPIRIN, "end_date": "2023-12-31"}], "hold", "hold"),  # ended the day before
        ([{**ASPIRIN, "end_date": START}], "start", "info"),  # still taken on the day
        ([{**ASPIRIN, "drug": "rivaroxaban"}], "start", "info"),  # a DOAC counts
        ([{**ASPIRIN, "drug": "warfarin"}], "start", "info"),  # a VKA counts
        ([{**ASPIRIN, "drug": "hydroxychloroquine"}], "hold", "hold"),  # not antithrombotic
    ],
)
def test_history_holds_a_start_unless_prophylaxis_is_documented(
    b: SimpleNamespace, meds: list[dict[str, Any]], action: str, level: str
) -> None:
    a = run(b, START, meds=meds, **{**ELIGIBLE, "prior_thrombosis": True})
    assert a.dose.action == action
    assert alert(a, "safety.thrombosis_history").level == level
    status = next(c.status for c in a.eligibility.criteria if c.id == "cortes2012.no_thrombosis")
    assert status == ("met" if action == "start" else "not_met")
    if action == "hold":
        assert a.dose.review is True
        assert a.dose.dose_mg_per_day == 0.0


def test_no_history_no_history_alert(b: SimpleNamespace) -> None:
    a = run(b, START, **ELIGIBLE)
    assert a.dose.action == "start"
    assert alert(a, "safety.thrombosis_history") is None


@pytest.mark.parametrize(
    ("extra", "meds", "rule", "level"),
    [
        ({"cv_risk": True}, [], "safety.thrombosis_risk", "action"),
        ({"cv_risk": True}, [ASPIRIN], "safety.thrombosis_risk", "info"),
        ({"antiphospholipid_antibodies": True}, [], "safety.thrombosis_risk", "action"),
        ({}, [], "safety.thromboprophylaxis", "info"),  # low risk: Aitmehdi aspirin
        ({}, [ASPIRIN], None, None),  # low risk, aspirin already running: nothing to add
    ],
)
def test_prophylaxis_advice_by_risk(
    b: SimpleNamespace,
    extra: dict[str, Any],
    meds: list[dict[str, Any]],
    rule: str | None,
    level: str | None,
) -> None:
    a = run(b, "2024-01-20", treatments=[b.period(START, 5)], meds=meds, **extra)
    rules = {x.rule: x for x in a.alerts}
    if rule is None:
        assert "safety.thrombosis_risk" not in rules
        assert "safety.thromboprophylaxis" not in rules
        return
    assert rules[rule].level == level
    assert "aspirin" in rules[rule].message.lower()
    assert "Aitmehdi" in rules[rule].reference


def test_an_unknown_medication_is_refused_naming_the_field(b: SimpleNamespace) -> None:
    with pytest.raises(InputError) as caught:
        run(b, "2024-01-20", treatments=[b.period(START, 5)], meds=[{**ASPIRIN, "drug": "x1"}])
    assert "drug" in [p.field for p in caught.value.problems]


@pytest.mark.parametrize(("end", "prompted"), [(None, True), ("2024-01-10", False)])
def test_no_prophylaxis_prompt_once_the_course_has_ended(
    b: SimpleNamespace, end: str | None, prompted: bool
) -> None:
    # the boxed warning's prophylaxis is for patients taking the drug
    a = run(b, "2024-01-20", treatments=[b.period(START, 5, end, end_reason="other")], cv_risk=True)
    assert (alert(a, "safety.thrombosis_risk") is not None) is prompted
