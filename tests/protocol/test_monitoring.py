"""Monitoring schedule: due dates and both sides of each interval edge.

Intervals: blood counts weekly for the first 8 weeks then every 28 days (Cortés-Hernández 2012,
Methods; Shah 2009 abstract); pregnancy tests weekly for 4 weeks then every 4 weeks, every 2
weeks with irregular cycles (lenalidomide label, docs/reference/lenalidomide.md §3); CLASI monthly
for 6 months then every 3 months (Cortés-Hernández 2012, Methods); nerve conduction with known
thalidomide neuropathy or new neurological symptoms (Cortés-Hernández 2012, Methods).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from clears.protocol import Advice, MonitoringItem

START = "2024-01-01"


def item(advice: Advice, rule: str) -> MonitoringItem:
    return next(m for m in advice.monitoring if m.rule == rule)


@pytest.mark.parametrize(
    ("last", "due"),
    [
        ("2024-02-25", "2024-03-03"),  # day 55 < 56: weekly -> +7 days
        ("2024-02-26", "2024-03-25"),  # day 56: monthly -> +28 days
    ],
)
def test_blood_counts_weekly_then_monthly(b: SimpleNamespace, last: str, due: str) -> None:
    visits = [b.visit(START, anc=3.0), b.visit(last, anc=3.0, platelets=200)]
    m = item(b.advise([b.period(START, 5)], visits, last), "monitoring.blood_counts")
    assert (m.last_done, m.next_due, m.status) == (
        dt.date.fromisoformat(last),
        dt.date.fromisoformat(due),
        "scheduled",
    )


@pytest.mark.parametrize(("as_of", "status"), [("2024-01-08", "due"), ("2024-01-09", "overdue")])
def test_blood_count_due_then_overdue(b: SimpleNamespace, as_of: str, status: str) -> None:
    visits = [b.visit(START, anc=3.0)]  # 2024-01-01 + 7 days = 2024-01-08
    assert (
        item(b.advise([b.period(START, 5)], visits, as_of), "monitoring.blood_counts").status
        == status
    )


@pytest.mark.parametrize(
    ("irregular", "last", "due"),
    [
        (False, "2024-01-28", "2024-02-04"),  # day 27 < 28: weekly
        (False, "2024-01-29", "2024-02-26"),  # day 28, regular cycles: +28
        (True, "2024-01-29", "2024-02-12"),  # day 28, irregular cycles: +14
    ],
)
def test_pregnancy_tests(b: SimpleNamespace, irregular: bool, last: str, due: str) -> None:
    visits = [b.visit(START, pregnancy_test="negative"), b.visit(last, pregnancy_test="negative")]
    a = b.advise([b.period(START, 5)], visits, last, irregular_cycles=irregular)
    assert item(a, "monitoring.pregnancy_test").next_due == dt.date.fromisoformat(due)


@pytest.mark.parametrize(
    ("extra", "applies"),
    [({}, True), ({"reproductive_potential": False}, False), ({"sex": "M"}, False)],
)
def test_pregnancy_tests_only_for_females_of_reproductive_potential(
    b: SimpleNamespace, extra: dict[str, Any], applies: bool
) -> None:
    a = b.advise([b.period(START, 5)], [b.visit(START, clasi_a=10)], "2024-01-05", **extra)
    assert any(m.rule == "monitoring.pregnancy_test" for m in a.monitoring) is applies


def test_before_start_tests_are_due(b: SimpleNamespace) -> None:
    a = b.advise([], [b.visit("2023-12-01", anc=3.0)], START)
    # the only count is 31 days old (> 14-day pre-start window): due today
    assert item(a, "monitoring.blood_counts").status == "due"
    assert item(a, "monitoring.pregnancy_test").status == "due"


@pytest.mark.parametrize(
    ("last", "due"),
    [
        ("2024-06-30", "2024-07-28"),  # day 181 < 182: monthly (+28)
        ("2024-07-01", "2024-09-30"),  # day 182: every 3 months (+91)
    ],
)
def test_clasi_schedule(b: SimpleNamespace, last: str, due: str) -> None:
    visits = [b.visit(START, clasi_a=10), b.visit(last, clasi_a=2)]
    a = b.advise([b.period(START, 5)], visits, last)
    assert item(a, "monitoring.clasi").next_due == dt.date.fromisoformat(due)


# Issue 12, class 9: CLE-only patients get SLEDAI too (seed 003: "A case of progression to
# SLE with renal involvement was reported in a patient with isolated CLE"); was SLE-only.
@pytest.mark.parametrize(("sle", "applies"), [(True, True), (False, True)])
def test_sledai_for_every_patient(b: SimpleNamespace, sle: bool, applies: bool) -> None:
    a = b.advise([b.period(START, 5)], [b.visit(START, clasi_a=10)], "2024-01-05", sle=sle)
    assert any(m.rule == "monitoring.sledai" for m in a.monitoring) is applies


def test_nerve_conduction_with_known_neuropathy(b: SimpleNamespace) -> None:
    a = b.advise(
        [b.period(START, 5)],
        [b.visit(START, clasi_a=10)],
        "2024-01-05",
        thalidomide_neuropathy=True,
    )
    m = item(a, "monitoring.nerve_conduction")
    assert (m.next_due, m.status) == (dt.date(2024, 1, 1), "overdue")


def test_nerve_conduction_after_new_symptoms(b: SimpleNamespace) -> None:
    ae = {"patient_id": "P1", "onset_date": "2024-02-01", "term": "Paresthesia", "grade": 1}
    visits = [b.visit(START, clasi_a=10, nerve_conduction=True)]
    a = b.advise([b.period(START, 5)], visits, "2024-02-01", adverse_events=[ae])
    m = item(a, "monitoring.nerve_conduction")
    assert (m.next_due, m.status) == (dt.date(2024, 2, 1), "due")


def test_no_nerve_conduction_without_indication(b: SimpleNamespace) -> None:
    a = b.advise([b.period(START, 5)], [b.visit(START, clasi_a=10)], "2024-01-05")
    assert not any(m.rule == "monitoring.nerve_conduction" for m in a.monitoring)
