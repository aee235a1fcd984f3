"""Hazard class 9, systemic progression: SLEDAI, urinalysis and immunology for every patient,
and the Cortés stable-background criterion read from the concomitant medications.

Sources: a congress abstract on thalidomide and lenalidomide in CLE (Lupus Sci Med 2021;8(Suppl
1):A19.1): "A case of progression to SLE with renal involvement was reported in a patient with
isolated CLE after starting lenalidomide"; Cortés-Hernández 2012
(seed 001), Methods: "Exacerbations of systemic disease during follow-up were evaluated by the
SLEDAI score", baseline "immunological parameters (anti-dsDNA, complement ...)", Figure 3
"baseline and after completing the course", inclusion "stable prednisone (< 10 mg/day),
antimalarial, or immunosuppressive regimens for at least 30 days before the inclusion";
SLEDAI-2K renal descriptors (Gladman 2002): urinary casts, haematuria, proteinuria, pyuria;
BNF equivalent doses (prednisolone 5 mg = methylprednisolone 4 mg = dexamethasone 750 µg).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from tests.protocol._people import ELIGIBLE, LABS

from clears.protocol import Advice, advise
from clears.protocol._monitoring import _URINALYSIS_COLUMNS

START = "2024-01-01"


def item(a: Advice, rule: str) -> Any:
    return next((m for m in a.monitoring if m.rule == rule), None)


def test_urinalysis_reads_the_four_sledai_renal_descriptors() -> None:
    # Gladman 2002: urinary casts, haematuria, proteinuria and pyuria are the renal items
    assert sorted(_URINALYSIS_COLUMNS) == [
        "sledai_hematuria",
        "sledai_proteinuria",
        "sledai_pyuria",
        "sledai_urinary_casts",
    ]


@pytest.mark.parametrize("sle", [True, False, None])
def test_sledai_urinalysis_and_immunology_for_every_patient(
    b: SimpleNamespace, sle: bool | None
) -> None:
    visits = [b.visit(START, clasi_a=12), b.visit("2024-01-20", clasi_a=10, **LABS)]
    a = b.advise([b.period(START, 5)], visits, "2024-01-20", sex="M", sle=sle)
    for rule in ("monitoring.sledai", "monitoring.urinalysis", "monitoring.immunology"):
        assert item(a, rule) is not None, rule


@pytest.mark.parametrize(
    ("values", "urinalysis", "sledai"),
    [
        ({"sledai_proteinuria": 0}, "scheduled", "scheduled"),  # a renal descriptor: both done
        ({"sledai_pyuria": 1}, "scheduled", "scheduled"),
        ({"sledai": 2}, "overdue", "scheduled"),  # a total alone: no urine examined
        ({"sledai_rash": 2}, "overdue", "scheduled"),  # a non-renal descriptor
        ({}, "overdue", "overdue"),
    ],
)
def test_what_counts_as_done(
    b: SimpleNamespace, values: dict[str, Any], urinalysis: str, sledai: str
) -> None:
    visits = [b.visit(START, clasi_a=12, **values), b.visit("2024-01-20", clasi_a=10, **LABS)]
    a = b.advise([b.period(START, 5)], visits, "2024-01-20", sex="M", sle=False)
    assert item(a, "monitoring.urinalysis").status == urinalysis
    assert item(a, "monitoring.sledai").status == sledai
    if urinalysis == "scheduled":  # monthly visits: 28 days after the last one
        assert item(a, "monitoring.urinalysis").next_due == dt.date(2024, 1, 29)


@pytest.mark.parametrize(
    ("measured", "status"),
    [("2023-12-18", "conditional"), ("2023-12-17", "overdue"), (START, "conditional")],
)
def test_immunology_baseline_window(b: SimpleNamespace, measured: str, status: str) -> None:
    # baseline = at most 14 days before the start (the pre-start window of docs/protocol.md)
    visits = [
        b.visit(measured, anti_dsdna=10, c3=1.0, c4=0.2),
        b.visit(START, clasi_a=12),
        b.visit("2024-01-20", clasi_a=10, **LABS),
    ]
    a = b.advise([b.period(START, 5)], visits, "2024-01-20", sex="M")
    assert item(a, "monitoring.immunology").status == status


def test_before_the_start_the_baseline_set_is_due(b: SimpleNamespace) -> None:
    visit = b.visit(START, clasi_a=12, erythema_max=2, creatinine_clearance=95, **LABS)
    a = b.advise([], [visit], START, **ELIGIBLE)
    for rule in ("monitoring.sledai", "monitoring.urinalysis", "monitoring.immunology"):
        assert item(a, rule).status == "due", rule


def background(
    b: SimpleNamespace, meds: list[dict[str, Any]], **extra: Any
) -> tuple[str, dict[str, Any]]:
    visit = b.visit(START, clasi_a=12, erythema_max=2, creatinine_clearance=95, **LABS)
    cohort = b.cohort(
        patients=[b.patient(**{**ELIGIBLE, **extra})],
        visits=[visit],
        concomitant_medications=[{"patient_id": "P1", **m} for m in meds],
    )
    a = advise(cohort, "P1", as_of=dt.date(2024, 1, 1))
    found = next(c for c in a.eligibility.criteria if c.id == "cortes2012.stable_background")
    return found.status, found.data


def pred(dose: float, start: str = "2023-10-01", **extra: Any) -> dict[str, Any]:
    return {"drug": "prednisone", "start_date": start, "dose": dose, "dose_unit": "mg/day", **extra}


@pytest.mark.parametrize(
    ("meds", "expected"),
    [
        ([pred(9)], "met"),  # "< 10 mg/day"
        ([pred(9.99)], "met"),
        ([pred(10)], "not_met"),  # 10 is not < 10
        ([pred(5, "2023-12-02")], "met"),  # exactly 30 days before: "at least 30 days"
        ([pred(5, "2023-12-03")], "not_met"),  # 29 days
        ([pred(5, end_date="2023-12-22")], "not_met"),  # stopped within the 30 days: a change
        ([pred(5, end_date="2023-11-30")], "met"),  # stopped 32 days before: stable since
        # BNF: methylprednisolone 4 mg = prednisone 5 mg -> 8 mg = 10 mg, 7 mg = 8.75 mg
        ([{**pred(8), "drug": "methylprednisolone"}], "not_met"),
        ([{**pred(7), "drug": "methylprednisolone"}], "met"),
        # two glucocorticoids add up: 5 + 5 = 10
        ([pred(5), {**pred(5), "drug": "prednisolone"}], "not_met"),
        ([{**pred(400), "drug": "hydroxychloroquine", "end_date": "2023-12-22"}], "not_met"),
        ([{**pred(400), "drug": "hydroxychloroquine", "start_date": "2023-12-20"}], "not_met"),
        ([{**pred(15), "drug": "methotrexate", "dose_unit": "mg/week"}], "met"),
        ([{**pred(100), "drug": "aspirin", "start_date": "2023-12-20"}], "met"),  # not background
        ([{**pred(9), "dose_unit": None}], "met"),  # blank unit read as mg/day
        ([{**pred(1), "dose_unit": "mg/kg/day"}], "unknown"),  # no mg/day equivalent
        ([{**pred(5), "drug": "other_glucocorticoid"}], "unknown"),  # no declared equivalence
        ([{**pred(5), "dose": None}], "unknown"),
    ],
)
def test_stable_background_from_medications(
    b: SimpleNamespace, meds: list[dict[str, Any]], expected: str
) -> None:
    assert background(b, meds)[0] == expected


def test_a_recorded_unstable_background_is_not_overridden(b: SimpleNamespace) -> None:
    assert background(b, [pred(5)], stable_background=False)[0] == "not_met"


def test_without_medication_rows_the_flag_decides(b: SimpleNamespace) -> None:
    assert background(b, [])[0] == "met"
    assert background(b, [], stable_background=None)[0] == "unknown"


def test_ten_mg_prednisone_blocks_the_start(b: SimpleNamespace) -> None:
    status, data = background(b, [pred(10)])
    assert status == "not_met"
    assert data["prednisone_mg_per_day"] == pytest.approx(10.0)
