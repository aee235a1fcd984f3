"""Hazard class 5, drug overlap: a running thalidomide (or other IMiD) period holds a start.

Sources: issue 12 ("An ongoing thalidomide (or other IMiD) period blocks START of
lenalidomide and names the overlap"); the lenalidomide boxed warning (docs/reference/lenalidomide.md
§2), whose embryo-fetal and thromboembolic hazards thalidomide shares; Cortés-Hernández 2012 and
Aitmehdi 2021 gave lenalidomide after thalidomide. IMiDs are the ``imid`` class of the cohort
medication vocabulary (clears.cohort.MEDICATIONS).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from tests.protocol._people import ELIGIBLE, LABS

from clears.cohort import MEDICATIONS
from clears.protocol import Advice, advise
from clears.protocol._patient import patient_data
from clears.protocol._safety_overlap import IMID_CLASS, imid_overlaps

DAY = "2024-01-01"


def thalidomide(start: str, end: str | None = None) -> dict[str, Any]:
    return {
        "patient_id": "P1",
        "drug": "thalidomide",
        "start_date": start,
        "end_date": end,
        "dose_mg_per_day": 100,
    }


def cohort(
    b: SimpleNamespace,
    treatments: list[dict[str, Any]],
    meds: list[dict[str, Any]] | None = None,
) -> Any:
    visits = [b.visit(DAY, clasi_a=12, erythema_max=2, creatinine_clearance=95, **LABS)]
    return b.cohort(
        patients=[b.patient(**ELIGIBLE)],
        treatments=treatments,
        visits=visits,
        concomitant_medications=[{"patient_id": "P1", **m} for m in meds or []],
    )


def run(b: SimpleNamespace, treatments: list[dict[str, Any]], **kw: Any) -> Advice:
    return advise(cohort(b, treatments, **kw), "P1", as_of=dt.date.fromisoformat(DAY))


def test_the_imid_class_comes_from_the_vocabulary() -> None:
    imids = {name for name, m in MEDICATIONS.items() if m.drug_class == IMID_CLASS}
    assert {"thalidomide", "lenalidomide"} <= imids


@pytest.mark.parametrize(
    ("end", "held"),
    [
        ("2023-12-31", False),  # ended the day before the start
        (DAY, True),  # still taken on the start day
        ("2024-02-01", True),  # planned end after the day: running on it
        (None, True),  # no end: ongoing
    ],
)
def test_thalidomide_period_edges(b: SimpleNamespace, end: str | None, held: bool) -> None:
    a = run(b, [thalidomide("2023-06-01", end)])
    assert (a.dose.action == "hold") is held
    found = [x for x in a.alerts if x.rule == "safety.imid_overlap"]
    assert bool(found) is held
    if held:
        assert a.dose.rule == "safety.imid_overlap"
        assert a.dose.review is True
        assert a.dose.dose_mg_per_day == 0.0
        assert found[0].level == "hold"
        assert "thalidomide since 2023-06-01" in found[0].message
    else:
        assert a.dose.action == "start"


@pytest.mark.parametrize(("end", "held"), [("2023-12-31", False), (DAY, True), (None, True)])
def test_thalidomide_as_a_concomitant_medication(
    b: SimpleNamespace, end: str | None, held: bool
) -> None:
    med = {"drug": "thalidomide", "start_date": "2023-10-01", "end_date": end, "dose": 50}
    a = run(b, [], meds=[med])
    assert (a.dose.action == "hold") is held


def test_overlaps_are_named_with_drug_start_and_table(b: SimpleNamespace) -> None:
    med = {"drug": "Thalidomide", "start_date": "2023-10-01", "dose": 50}
    data = patient_data(
        cohort(b, [thalidomide("2023-06-01")], meds=[med]), "P1", dt.date(2024, 1, 1)
    )
    found = [o.to_dict() for o in imid_overlaps(data)]
    assert found == [
        {"drug": "thalidomide", "start_date": "2023-06-01", "table": "treatments"},
        {"drug": "thalidomide", "start_date": "2023-10-01", "table": "concomitant_medications"},
    ]


def test_the_studied_drug_and_non_imids_are_not_overlaps(b: SimpleNamespace) -> None:
    other = {**thalidomide("2023-06-01"), "drug": "hydroxychloroquine"}
    med = {"drug": "lenalidomide", "start_date": "2023-10-01", "dose": 5}
    data = patient_data(cohort(b, [other], meds=[med]), "P1", dt.date(2024, 1, 1))
    assert imid_overlaps(data) == []


def test_on_treatment_an_overlap_asks_for_review(b: SimpleNamespace) -> None:
    treatments = [b.period("2023-12-01", 5), thalidomide("2023-12-20")]
    visits = [b.visit("2023-12-01", clasi_a=12), b.visit(DAY, clasi_a=10, **LABS)]
    c = b.cohort(patients=[b.patient(sex="M")], treatments=treatments, visits=visits)
    a = advise(c, "P1", as_of=dt.date(2024, 1, 1))
    assert a.dose.review is True
    assert next(x for x in a.alerts if x.rule == "safety.imid_overlap").level == "review"
