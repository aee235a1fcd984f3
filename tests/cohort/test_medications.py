"""The concomitant_medications table (cohort tables v2) and the medication vocabulary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from clears import InputError
from clears.cohort import (
    ANTITHROMBOTIC_CLASSES,
    MEDICATION_CLASSES,
    MEDICATIONS,
    REQUIRED_COLUMNS,
    medication_class,
    prednisone_equivalent,
    read,
    validate,
    write,
)

TODAY = dt.date(2024, 6, 30)
HEADER = "patient_id,drug,start_date,end_date,dose,dose_unit,indication\n"


def _problems(folder: Path) -> list[tuple[str | None, int | None, str, object]]:
    with pytest.raises(InputError) as caught:
        read(folder, today=TODAY)
    return [(p.file, p.row, p.field, p.value) for p in caught.value.problems]


def test_v1_folder_reads_as_v2_with_no_medications(folder_of: Callable[..., Path]) -> None:
    cohort = read(folder_of(concomitant_medications=None), today=TODAY)
    frame = cohort.concomitant_medications
    assert frame.empty
    assert list(frame.columns[:3]) == list(REQUIRED_COLUMNS["concomitant_medications"])
    assert frame["start_date"].dtype == "datetime64[ns]"


def test_medications_are_typed_and_drug_names_case_insensitive(
    folder_of: Callable[..., Path],
) -> None:
    text = HEADER + "P1,ASPIRIN,2020-01-06,,100,mg/day,Thromboprophylaxis\n"
    frame = read(folder_of(concomitant_medications=text), today=TODAY).concomitant_medications
    assert frame["drug"].tolist() == ["aspirin"]
    assert frame["indication"].tolist() == ["thromboprophylaxis"]
    assert frame["dose"].dtype == "float64"
    assert pd.isna(frame["end_date"].iloc[0])  # blank = ongoing


def test_unknown_drug_is_refused_naming_the_allowed_values(
    folder_of: Callable[..., Path],
) -> None:
    text = HEADER + "P1,paracetamol,2020-01-06,,1000,mg/day,other\n"
    with pytest.raises(InputError) as caught:
        read(folder_of(concomitant_medications=text), today=TODAY)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == (
        "concomitant_medications.csv",
        1,
        "drug",
    )
    assert problem.value == "paracetamol"
    for name in ("aspirin", "hydroxychloroquine", "prednisone", "enoxaparin", "other"):
        assert name in problem.allowed


def test_end_before_start_unknown_patient_and_unitless_dose(
    folder_of: Callable[..., Path],
) -> None:
    text = HEADER + (
        "P1,prednisone,2020-03-01,2020-02-29,5,mg/day,sle\n"  # ends the day before it starts
        "P1,prednisone,2020-03-01,2020-03-01,5,mg/day,sle\n"  # same day: allowed
        "P7,aspirin,2020-01-06,,100,mg/day,thromboprophylaxis\n"  # P7 not in patients
        "P2,hydroxychloroquine,2020-01-06,,400,,cle\n"  # a dose without its unit
        "P2,hydroxychloroquine,2019-01-07,,,,cle\n"  # no dose, no unit: allowed
    )
    assert _problems(folder_of(concomitant_medications=text)) == [
        ("concomitant_medications.csv", 1, "end_date", "2020-02-29"),
        ("concomitant_medications.csv", 3, "patient_id", "P7"),
        ("concomitant_medications.csv", 4, "dose_unit", None),
    ]


def test_bad_unit_indication_and_negative_dose(folder_of: Callable[..., Path]) -> None:
    text = HEADER + "P1,aspirin,2020-01-06,,-1,mg/hour,headache\n"
    assert [field for *_, field, _ in _problems(folder_of(concomitant_medications=text))] == [
        "dose",
        "dose_unit",
        "indication",
    ]


@pytest.mark.slow
def test_round_trip_write_read(folder_of: Callable[..., Path], tmp_path: Path) -> None:
    cohort = read(folder_of(), today=TODAY)
    for format in ("csv", "parquet"):
        again = read(write(cohort, tmp_path / format, format=format), today=TODAY)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(again.concomitant_medications, cohort.concomitant_medications)
        pd.testing.assert_frame_equal(again.patients, cohort.patients)


@pytest.mark.slow
def test_reproductive_potential_date_and_basis(folder_of: Callable[..., Path]) -> None:
    patients = (
        "patient_id,centre,sex,reproductive_potential,reproductive_potential_date,"
        "reproductive_potential_basis\n"
        "P1,BCN,female,no,2020-01-06,Natural menopause\n"
        "P2,LYO,male,,,\n"
    )
    frame = read(folder_of(patients=patients), today=TODAY).patients
    assert frame["reproductive_potential_date"].dtype == "datetime64[ns]"
    assert frame["reproductive_potential_date"].iloc[0] == pd.Timestamp("2020-01-06")
    assert frame["reproductive_potential_basis"].tolist()[0] == "natural_menopause"
    bad = patients.replace("2020-01-06,Natural menopause", "2030-01-06,age")
    assert _problems(folder_of(patients=bad)) == [
        ("patients.csv", 1, "reproductive_potential_basis", "age"),
        ("patients.csv", 1, "reproductive_potential_date", "2030-01-06"),
    ]


def test_every_drug_has_a_declared_class() -> None:
    assert {m.drug_class for m in MEDICATIONS.values()} <= set(MEDICATION_CLASSES)
    assert set(ANTITHROMBOTIC_CLASSES) == {"antiplatelet", "lmwh", "doac", "vka"}


@pytest.mark.parametrize(
    ("drug", "drug_class"),
    [
        # Aitmehdi 2021, Table 1: low-dose aspirin added to prevent thromboembolic risk.
        ("aspirin", "antiplatelet"),
        ("Clopidogrel", "antiplatelet"),
        ("enoxaparin", "lmwh"),
        ("apixaban", "doac"),
        ("warfarin", "vka"),
        ("acenocoumarol", "vka"),
        ("hydroxychloroquine", "antimalarial"),
        ("quinacrine", "antimalarial"),
        ("Methylprednisolone", "glucocorticoid"),
        ("mycophenolate", "immunosuppressant"),
        ("anifrolumab", "biologic"),
        ("thalidomide", "imid"),
    ],
)
def test_medication_class(drug: str, drug_class: str) -> None:
    assert medication_class(drug) == drug_class


def test_hydroxychloroquine_is_not_antithrombotic() -> None:
    assert medication_class("hydroxychloroquine") not in ANTITHROMBOTIC_CLASSES
    assert medication_class("other_lmwh") in ANTITHROMBOTIC_CLASSES


def test_unknown_medication_class_names_the_vocabulary() -> None:
    with pytest.raises(InputError) as caught:
        medication_class("ibuprofen")
    (problem,) = caught.value.problems
    assert (problem.field, problem.value) == ("drug", "ibuprofen")
    assert "aspirin" in problem.allowed
    assert "warfarin" in problem.allowed


@pytest.mark.parametrize(
    ("drug", "dose", "expected"),
    [
        # BNF, equivalent anti-inflammatory doses: prednisolone 5 mg = methylprednisolone
        # 4 mg = dexamethasone 750 micrograms = deflazacort 6 mg; prednisone = prednisolone.
        ("prednisone", 5.0, 5.0),
        ("prednisolone", 5.0, 5.0),
        ("methylprednisolone", 4.0, 5.0),
        ("dexamethasone", 0.75, 5.0),
        ("deflazacort", 6.0, 5.0),
        # Cortés-Hernández 2012: "stable prednisone (< 10 mg/day)"; 8 mg methylprednisolone
        # = 10 mg prednisone (BNF 4 mg = 5 mg), the edge itself.
        ("methylprednisolone", 8.0, 10.0),
    ],
)
def test_prednisone_equivalent_follows_the_bnf(drug: str, dose: float, expected: float) -> None:
    assert prednisone_equivalent(drug, dose) == pytest.approx(expected)


def test_prednisone_equivalent_factors() -> None:
    # 5 mg prednisone / equivalent dose (BNF): 5/4 = 1.25, 5/0.75 = 6.67, 5/6 = 0.83.
    factors = {name: m.prednisone_factor for name, m in MEDICATIONS.items()}
    assert factors["methylprednisolone"] == pytest.approx(1.25)
    assert factors["dexamethasone"] == pytest.approx(6.67, abs=0.005)
    assert factors["deflazacort"] == pytest.approx(0.83, abs=0.005)
    assert factors["other_glucocorticoid"] is None
    assert factors["aspirin"] is None


def test_prednisone_equivalent_weekly_dose() -> None:
    # 35 mg a week is 5 mg a day.
    assert prednisone_equivalent("prednisone", 35.0, "mg/week") == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("drug", "dose", "unit", "field"),
    [
        ("methotrexate", 15.0, "mg/week", "drug"),
        ("other_glucocorticoid", 5.0, "mg/day", "drug"),
        ("prednisone", -1.0, "mg/day", "dose"),
        ("prednisone", 500.0, "mg", "dose_unit"),
        ("prednisone", 1.0, "mg/kg/day", "dose_unit"),
    ],
)
def test_prednisone_equivalent_refuses(drug: str, dose: float, unit: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        prednisone_equivalent(drug, dose, unit)
    assert caught.value.problems[0].field == field


def test_validate_in_memory_medications(
    frames: dict[str, pd.DataFrame], cohort_of: Callable[..., object]
) -> None:
    medications = pd.DataFrame(
        {"patient_id": ["P1"], "drug": ["aspirin"], "start_date": [dt.date(2020, 1, 6)]}
    )
    assert validate(cohort_of(frames, concomitant_medications=medications), today=TODAY) == []  # type: ignore[arg-type]
