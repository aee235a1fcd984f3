"""Pregnancy prevention (issue 12, hazard class 1): tests, reproductive potential, the rules.

Expected values come from the lenalidomide US label / REMS and the EU SmPC pregnancy prevention
programme as summarised in docs/reference/lenalidomide.md §2–3, never from clears' output:

* "Two negative pregnancy tests are needed before starting [...] the first within 10–14 days
  before prescribing; the second within 24 hours before prescribing."
* "Once treatment has started, and during dose interruptions, test weekly during the first 4
  weeks. After that, test every 4 weeks if menstrual cycles are regular, or every 2 weeks if
  they are irregular."
* Contraception "for 4 weeks after stopping"; EU [U]: "a test repeated 4 weeks after the end of
  treatment". Males: "a latex or synthetic condom [...] during treatment and for 4 weeks after".
* EU SmPC: not of childbearing potential after natural menopause (≥ 50, amenorrhoeic ≥ 1
  year), premature ovarian failure, bilateral salpingo-oophorectomy or hysterectomy, XY
  genotype, Turner syndrome or uterine agenesis.
* Issue 12: "a pregnancy test value outside {positive, negative, not_done} is refused with
  field, value and what is allowed"; a 75-year-old is not told a test is due.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

import clears.cohort as cohort_api
from clears._exceptions import InputError
from clears.protocol import Advice, MonitoringItem
from clears.protocol._patient import PREGNANCY_RESULTS, pregnancy_result
from clears.protocol._pregnancy import (
    IMPLAUSIBLE_AGE,
    NOT_OF_POTENTIAL_BASES,
    OF_POTENTIAL_BASES,
)

AS_OF = "2024-03-15"
START = "2024-01-01"
WOMAN: dict[str, Any] = {"sex": "F", "birth_year": 1985, "reproductive_potential": True}


def _day(offset: int, base: str = AS_OF) -> str:
    return (dt.date.fromisoformat(base) + dt.timedelta(days=offset)).isoformat()


def item(advice: Advice) -> MonitoringItem | None:
    return next((m for m in advice.monitoring if m.rule == "monitoring.pregnancy_test"), None)


def rules(advice: Advice) -> dict[str, str]:
    return {a.rule: a.level for a in advice.alerts}


def not_started(b: SimpleNamespace, tests: dict[int, str], **extra: Any) -> Advice:
    """Advice on AS_OF for a woman never treated, with pregnancy tests at day offsets."""
    visits = [b.visit(_day(k), pregnancy_test=v) for k, v in sorted(tests.items())]
    visits.append(b.visit(AS_OF, clasi_a=12, anc=3.0, wbc=6.0, platelets=250, hb=13.5))
    return b.advise([], visits, AS_OF, **{**WOMAN, **extra})


# --- reading the pregnancy_test cell ----------------------------------------------------------


def test_allowed_results_are_the_cohort_schema_choices() -> None:
    column = next(c for c in cohort_api.SCHEMA["visits"] if c.name == "pregnancy_test")
    assert set(PREGNANCY_RESULTS) == {"positive", "negative", "not_done"} == set(column.options)


@pytest.mark.parametrize(
    ("raw", "read"),
    [("Positive", "positive"), (" NEGATIVE ", "negative"), ("not done", "not_done"), ("", None)],
)
def test_spellings_read_like_a_cohort_choice(raw: str, read: str | None) -> None:
    assert pregnancy_result(raw) == read


@pytest.mark.parametrize("raw", ["pos", "neg", "yes", "true", True, 1, "pending"])
def test_a_value_outside_the_allowed_results_is_refused(b: SimpleNamespace, raw: object) -> None:
    visits = [b.visit(AS_OF, pregnancy_test=raw)]
    with pytest.raises(InputError) as caught:
        b.advise([], visits, AS_OF, **WOMAN)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("pregnancy_test", raw)
    assert problem.allowed is not None
    assert all(r in problem.allowed for r in ("positive", "negative", "not_done"))


def test_a_bad_value_after_the_as_of_date_is_not_read(b: SimpleNamespace) -> None:
    visits = [
        b.visit(AS_OF, clasi_a=12, anc=3.0, wbc=6.0, platelets=250, hb=13.5),
        b.visit(_day(3), pregnancy_test="pos"),
    ]
    assert b.advise([], visits, AS_OF, sex="M").dose.action == "start"


# --- a positive stands until a later performed negative ---------------------------------------


@pytest.mark.parametrize(
    ("after", "stopped"),
    [
        ("not_done", True),  # not_done is not a test
        (None, True),  # a blank cell is no test
        ("negative", False),  # a performed negative dated after the positive clears it
    ],
)
def test_positive_then(b: SimpleNamespace, after: str | None, stopped: bool) -> None:
    visits = [
        b.visit(START, clasi_a=10, pregnancy_test="negative"),
        b.visit("2024-01-15", pregnancy_test="positive"),
        b.visit("2024-01-22", clasi_a=8, pregnancy_test=after),
    ]
    a = b.advise([b.period(START, 5)], visits, "2024-01-22", **WOMAN)
    assert (a.dose.action == "stop") is stopped
    assert ("safety.pregnancy" in rules(a)) is stopped


def test_negative_on_the_same_day_does_not_clear_a_positive(b: SimpleNamespace) -> None:
    visits = [
        b.visit(START, clasi_a=10, pregnancy_test="negative"),
        b.visit("2024-01-15", pregnancy_test="negative"),
        b.visit("2024-01-15", pregnancy_test="positive"),
    ]
    a = b.advise([b.period(START, 5)], visits, "2024-01-15", **WOMAN)
    assert (a.dose.action, a.dose.rule) == ("stop", "safety.pregnancy")


def test_stopped_for_pregnancy_stays_stopped_until_a_later_negative(b: SimpleNamespace) -> None:
    period = b.period(START, 5, "2024-02-01", end_reason="pregnancy")
    visits = [b.visit(START, clasi_a=10, pregnancy_test="negative")]
    assert b.advise([period], visits, "2024-03-01", **WOMAN).dose.rule == "safety.pregnancy"
    later = [*visits, b.visit("2024-02-20", pregnancy_test="negative")]
    assert b.advise([period], later, "2024-03-01", **WOMAN).dose.rule != "safety.pregnancy"


def test_positive_before_a_first_dose_holds(b: SimpleNamespace) -> None:
    a = not_started(b, {-12: "negative", 0: "positive"})
    assert (a.dose.action, a.dose.rule, a.dose.dose_mg_per_day) == ("hold", "safety.pregnancy", 0)


def test_an_earlier_positive_voids_the_negatives_before_it(b: SimpleNamespace) -> None:
    # negatives 12 days and 0 days before, but a positive 5 days before: only the negative of
    # today is after it, a single test (REMS needs two) -> hold.
    a = not_started(b, {-12: "negative", -5: "positive", 0: "negative"})
    assert a.dose.rule == "safety.pregnancy_tests_before_start"


# --- two negative tests before the first dose (REMS) ------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "starts"),
    [
        (-10, 0, True),  # 10 days: inside 10-14
        (-9, 0, False),  # 9 days: too recent to be the first
        (-14, 0, True),  # 14 days: inside
        (-15, 0, False),  # 15 days: stale
        (-11, -1, True),  # the day before: within 24 hours
        (-12, -2, False),  # two days before: outside 24 hours
    ],
)
def test_two_negative_tests_before_start(
    b: SimpleNamespace, first: int, second: int, starts: bool
) -> None:
    a = not_started(b, {first: "negative", second: "negative"})
    assert (a.dose.action == "start") is starts
    if not starts:
        assert (a.dose.action, a.dose.rule) == ("hold", "safety.pregnancy_tests_before_start")
        assert a.dose.dose_mg_per_day == 0.0
        assert "two negative pregnancy tests" in a.dose.explanation
    m = item(a)
    assert m is not None
    assert (m.status == "done") is starts


@pytest.mark.parametrize("tests", [{}, {0: "negative"}, {-12: "negative"}, {-12: "not_done"}])
def test_missing_or_single_test_blocks_start(b: SimpleNamespace, tests: dict[int, str]) -> None:
    a = not_started(b, tests)
    assert a.dose.rule == "safety.pregnancy_tests_before_start"
    assert rules(a)["safety.pregnancy_tests_before_start"] == "hold"


def test_not_done_is_never_a_qualifying_test(b: SimpleNamespace) -> None:
    a = not_started(b, {-12: "not_done", 0: "negative"})
    assert a.dose.action == "hold"
    m = item(a)
    assert m is not None
    assert "not done on" in m.schedule


@pytest.mark.parametrize(
    ("tests", "status", "due"),
    [
        ({}, "due", AS_OF),  # first test today
        ({-12: "negative"}, "due", AS_OF),  # second test today (within 24 h before)
        ({-3: "negative"}, "scheduled", _day(7)),  # 3 days old: prescribing from day 10 of it
        ({-12: "negative", 0: "negative"}, "done", None),
    ],
)
def test_pre_start_item_names_when_each_test_is_due(
    b: SimpleNamespace, tests: dict[int, str], status: str, due: str | None
) -> None:
    m = item(not_started(b, tests))
    assert m is not None
    assert (m.status, m.next_due) == (status, dt.date.fromisoformat(due) if due else None)
    assert "10–14 days" in m.schedule
    assert "24 hours" in m.schedule


def test_pre_start_item_last_done_is_the_latest_performed_test(b: SimpleNamespace) -> None:
    m = item(not_started(b, {-3: "negative", -1: "not_done"}))
    assert m is not None
    assert m.last_done == dt.date.fromisoformat(_day(-3))  # not_done is not a test
    assert f"not done on {_day(-1)}" in m.schedule


def test_hold_explanation_names_the_first_test_and_its_due_date(b: SimpleNamespace) -> None:
    a = not_started(b, {})
    assert "first test missing" in a.dose.explanation
    assert AS_OF in a.dose.explanation


# --- reproductive potential: recorded, never assumed ------------------------------------------


def test_bases_cover_the_cohort_vocabulary() -> None:
    vocabulary = getattr(cohort_api, "REPRODUCTIVE_POTENTIAL_BASES", None)
    if vocabulary is None:
        pytest.skip("cohort vocabulary of reproductive_potential_basis not present")
    assert set(vocabulary) - {"other"} == OF_POTENTIAL_BASES | NOT_OF_POTENTIAL_BASES
    assert not OF_POTENTIAL_BASES & NOT_OF_POTENTIAL_BASES


@pytest.mark.parametrize("basis", sorted(NOT_OF_POTENTIAL_BASES))
def test_recorded_basis_not_of_potential(b: SimpleNamespace, basis: str) -> None:
    extra = {"reproductive_potential": None, "reproductive_potential_basis": basis}
    a = not_started(b, {}, **extra)
    assert a.dose.action == "start"
    assert item(a) is None


@pytest.mark.parametrize("basis", sorted(OF_POTENTIAL_BASES))
def test_recorded_basis_of_potential_wins_over_a_false_flag(b: SimpleNamespace, basis: str) -> None:
    extra = {"reproductive_potential": False, "reproductive_potential_basis": basis}
    assert not_started(b, {}, **extra).dose.rule == "safety.pregnancy_tests_before_start"


@pytest.mark.parametrize(
    ("birth_year", "tests_due"),
    [
        (1979, True),  # 44-45 in 2024: plausible
        (2024 - IMPLAUSIBLE_AGE, True),  # 59 or 60: the lowest possible age is 59 < 60
        (2024 - IMPLAUSIBLE_AGE - 1, False),  # 60 or 61: at least 60
        (1948, False),  # 75-76
        (None, True),  # age unknown: never assumed
    ],
)
def test_blank_potential_by_age(
    b: SimpleNamespace, birth_year: int | None, tests_due: bool
) -> None:
    extra = {"reproductive_potential": None, "birth_year": birth_year}
    a = not_started(b, {}, **extra)
    assert (item(a) is not None) is tests_due
    assert rules(a)["safety.reproductive_potential_unrecorded"] == (
        "action" if tests_due else "info"
    )
    assert (a.dose.action == "hold") is tests_due


def test_blank_potential_holds_start_even_with_two_negatives(b: SimpleNamespace) -> None:
    a = not_started(b, {-12: "negative", 0: "negative"}, reproductive_potential=None)
    assert a.dose.rule == "safety.pregnancy_tests_before_start"
    assert "not recorded" in a.dose.explanation


@pytest.mark.parametrize(("recorded_on", "held"), [(AS_OF, False), (_day(1), True)])
def test_a_record_dated_after_the_as_of_date_is_not_known(
    b: SimpleNamespace, recorded_on: str, held: bool
) -> None:
    extra = {
        "reproductive_potential": False,
        "reproductive_potential_basis": "natural_menopause",
        "reproductive_potential_date": recorded_on,
        "birth_year": 1970,
    }
    assert (not_started(b, {}, **extra).dose.action == "hold") is held


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({"reproductive_potential": None, "birth_year": 1979}, "unknown"),
        ({"reproductive_potential": None, "birth_year": 1948}, "met"),
        ({"reproductive_potential": None, "reproductive_potential_basis": "hysterectomy"}, "met"),
        ({"contraception": True}, "met"),
        ({"contraception": False}, "not_met"),
        ({"sex": "M"}, "met"),
    ],
)
def test_contraception_criterion(b: SimpleNamespace, extra: dict[str, Any], status: str) -> None:
    a = not_started(b, {}, **extra)
    assert next(c.status for c in a.eligibility.criteria if c.id == "cortes2012.contraception") == (
        status
    )


@pytest.mark.parametrize(
    ("tests", "status"),
    [
        ({-3: "positive", 0: "not_done"}, "not_met"),
        ({-3: "positive", 0: "negative"}, "met"),
        ({-14: "negative"}, "met"),
        ({-15: "negative"}, "unknown"),
        ({0: "not_done"}, "unknown"),
    ],
)
def test_not_pregnant_criterion(b: SimpleNamespace, tests: dict[int, str], status: str) -> None:
    a = not_started(b, tests)
    assert next(c.status for c in a.eligibility.criteria if c.id == "cortes2012.not_pregnant") == (
        status
    )


# --- during treatment, interruptions and after stopping ---------------------------------------


@pytest.mark.parametrize(
    ("last", "as_of", "status"),
    [("2024-01-08", "2024-01-15", "due"), ("2024-01-08", "2024-01-16", "overdue")],
)
def test_weekly_test_due_then_overdue_with_an_alert(
    b: SimpleNamespace, last: str, as_of: str, status: str
) -> None:
    visits = [
        b.visit(START, clasi_a=10, pregnancy_test="negative"),
        b.visit(last, pregnancy_test="negative"),
        b.visit(as_of, clasi_a=8),
    ]
    a = b.advise([b.period(START, 5)], visits, as_of, **WOMAN)
    m = item(a)
    assert m is not None
    assert m.status == status
    assert ("safety.pregnancy_test_overdue" in rules(a)) is (status == "overdue")


def test_not_done_does_not_move_the_schedule(b: SimpleNamespace) -> None:
    visits = [
        b.visit(START, clasi_a=10, pregnancy_test="negative"),
        b.visit("2024-01-08", clasi_a=9, pregnancy_test="not_done"),
    ]
    m = item(b.advise([b.period(START, 5)], visits, "2024-01-09", **WOMAN))
    assert m is not None
    assert (m.last_done, m.status) == (dt.date(2024, 1, 1), "overdue")


def test_interruption_keeps_weekly_testing_and_restart_needs_no_new_pair(
    b: SimpleNamespace,
) -> None:
    period = b.period(START, 5, "2024-01-14", end_reason="adverse_event")
    visits = [
        b.visit(START, clasi_a=10, pregnancy_test="negative"),
        b.visit("2024-01-13", pregnancy_test="negative", anc=0.8),
    ]
    m = item(b.advise([period], visits, "2024-01-18", **WOMAN))
    assert m is not None
    assert m.next_due == dt.date(2024, 1, 20)  # day 13 < 28: weekly, 2024-01-13 + 7


@pytest.mark.parametrize(
    ("as_of", "final_test", "status"),
    [
        ("2024-03-28", False, "scheduled"),
        ("2024-03-29", False, "due"),  # 2024-03-01 + 28 days
        ("2024-03-29", True, "done"),
        ("2024-03-30", True, "absent"),  # the day after, final test done: schedule over
        ("2024-03-30", False, "overdue"),  # the day after, never done
        ("2024-04-26", False, "overdue"),  # 28 days overdue: still shown (project decision)
        ("2024-04-27", False, "absent"),  # 29 days overdue: the reminder ends
    ],
)
def test_tests_continue_for_4_weeks_after_stopping(
    b: SimpleNamespace, as_of: str, final_test: bool, status: str
) -> None:
    period = b.period(START, 5, "2024-03-01", end_reason="inefficacy")
    visits = [
        b.visit(START, clasi_a=10, pregnancy_test="negative"),
        b.visit("2024-03-01", clasi_a=10, pregnancy_test="negative"),
    ]
    if final_test:
        visits.append(b.visit("2024-03-29", pregnancy_test="negative"))
    m = item(b.advise([period], visits, as_of, **WOMAN))
    assert (m.status if m else "absent") == status
    if m is not None and m.next_due is not None:
        assert m.next_due == dt.date(2024, 3, 29)


def test_restart_after_a_stopped_course_needs_the_two_tests(b: SimpleNamespace) -> None:
    period = b.period(START, 5, "2024-03-31", end_reason="taper")
    visits = [
        b.visit(START, clasi_a=10, anc=3.0, platelets=250, hb=13.5),
        b.visit("2024-03-01", clasi_a=0),
        b.visit("2024-04-20", clasi_a=6, anc=3.0, wbc=6.0, platelets=250, hb=13.5),
    ]
    a = b.advise([period], visits, "2024-04-20", **WOMAN)
    assert (a.dose.action, a.dose.rule) == ("hold", "safety.pregnancy_tests_before_start")
    tested = [
        *visits,
        b.visit("2024-04-08", pregnancy_test="negative"),
        b.visit("2024-04-20", pregnancy_test="negative"),
    ]
    assert b.advise([period], tested, "2024-04-20", **WOMAN).dose.action == "restart"


# --- men ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("as_of", "advised"), [("2024-03-29", True), ("2024-03-30", False)])
def test_condom_advice_for_men_until_4_weeks_after_stopping(
    b: SimpleNamespace, as_of: str, advised: bool
) -> None:
    period = b.period(START, 5, "2024-03-01", end_reason="inefficacy")
    a = b.advise([period], [b.visit("2024-03-01", clasi_a=10)], as_of, sex="M")
    assert ("safety.pregnancy_male_condom" in rules(a)) is advised
    assert item(a) is None


def test_men_starting_get_the_condom_advice_and_no_test(b: SimpleNamespace) -> None:
    a = b.advise(
        [], [b.visit(AS_OF, clasi_a=12, anc=3.0, wbc=6.0, platelets=250, hb=13.5)], AS_OF, sex="M"
    )
    assert a.dose.action == "start"
    assert rules(a)["safety.pregnancy_male_condom"] == "info"
    assert item(a) is None
