"""REDCap flat records (and their import), the FHIR R4B bundle, the SDTM-shaped tables."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

import clears.cohort
from clears._exceptions import InputError
from clears.cli.main import app
from clears.instruments import clasi, sledai
from clears.instruments.ctcae import LAB_TESTS as CTCAE_LABS
from clears.instruments.redcap import dictionary_rows
from clears.registry.exports.fhir import GRADE_EXTENSION, bundle_dict
from clears.registry.exports.redcap_flat import read_redcap, redcap_records
from clears.registry.exports.sdtm import LAB_TESTS, sdtm_tables

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def cohort() -> clears.cohort.Cohort:
    return clears.cohort.read(EXAMPLE, today=TODAY)


# --- REDCap -----------------------------------------------------------------------------


@pytest.mark.slow
def test_redcap_columns_are_dictionary_fields(cohort: clears.cohort.Cohort) -> None:
    records = redcap_records(cohort)
    fields = [row["Variable / Field Name"] for row in dictionary_rows()]
    keys = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    assert list(records.columns[:4]) == keys
    assert set(records.columns[4:]) <= set(fields)
    # Dictionary order is kept.
    assert [f for f in fields if f in records.columns[4:]] == list(records.columns[4:])


def test_redcap_events_and_instances(cohort: clears.cohort.Cohort) -> None:
    records = redcap_records(cohort)
    visits = records[records["redcap_repeat_instrument"] == ""]
    events = records[records["redcap_repeat_instrument"] == "adverse_event"]
    assert len(visits) == len(cohort.visits)  # 16 visits in the example
    assert len(events) == len(cohort.adverse_events)  # 5 adverse events
    p02 = events[events["record_id"] == "P02"]
    # P02: neutropenia (2019-04-01) then neuropathy (2019-06-10): instances by onset date.
    assert p02["redcap_repeat_instance"].tolist() == ["1", "2"]
    assert p02["ae_term"].tolist() == [
        "neutrophil_count_decreased",
        "peripheral_sensory_neuropathy",
    ]
    assert p02["ae_action"].tolist() == ["none", "withdrawn"]
    assert set(events["redcap_event_name"]) == {"adverse_events_arm_1"}
    p01 = visits[visits["record_id"] == "P01"]
    assert p01["redcap_event_name"].tolist() == ["visit_1_arm_1", "visit_2_arm_1", "visit_3_arm_1"]
    assert p01["clasi_date"].iloc[0] == "2019-01-14"
    assert p01["clasi_scalp_ery"].iloc[0] == "2"  # examples/cohort/visits.csv row 1


def test_redcap_term_outside_the_list_goes_to_other(cohort: clears.cohort.Cohort) -> None:
    events = cohort.adverse_events.copy()
    events.loc[0, "term"] = "Hiccups"
    changed = clears.cohort.Cohort(
        cohort.patients, cohort.treatments, cohort.visits, events, cohort.flares
    )
    records = redcap_records(changed)
    row = records[records["ae_term_other"] == "Hiccups"]
    assert row["ae_term"].tolist() == ["other"]


@pytest.mark.slow  # a whole cohort through REDCap and back
def test_redcap_roundtrip_through_an_empty_registry(tmp_path: Path) -> None:
    runner = CliRunner()
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    for url in (first, second):
        assert runner.invoke(app, ["db", "init", "--db", url]).exit_code == 0
    done = runner.invoke(app, ["import", str(EXAMPLE), "--db", first, "--today", "2025-01-01"])
    assert done.exit_code == 0, done.output
    out1, out2 = tmp_path / "r1", tmp_path / "r2"
    done = runner.invoke(app, ["export", "--db", first, "--out", str(out1), "--format", "redcap"])
    assert done.exit_code == 0, done.output
    exported = out1 / "redcap_records.csv"
    done = runner.invoke(app, ["import-redcap", str(exported), "--db", second, "--centre", "BCN"])
    assert done.exit_code == 0, done.output
    assert "visits: 16 rows" in done.output
    runner.invoke(app, ["export", "--db", second, "--out", str(out2), "--format", "redcap"])
    assert exported.read_bytes() == (out2 / "redcap_records.csv").read_bytes()
    # Importing the same export again is refused and writes nothing.
    engine = sa.create_engine(second)
    with engine.connect() as connection:
        before = connection.execute(sa.text("SELECT COUNT(*) FROM visits")).scalar_one()
    again = runner.invoke(app, ["import-redcap", str(exported), "--db", second, "--centre", "X"])
    assert again.exit_code != 0
    assert isinstance(again.exception, InputError)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM visits")).scalar_one() == before
    engine.dispose()


def _records(cohort: clears.cohort.Cohort) -> pd.DataFrame:
    return redcap_records(cohort).copy()


@pytest.mark.slow
def test_read_redcap_lists_every_problem_by_row_and_field(
    cohort: clears.cohort.Cohort, tmp_path: Path
) -> None:
    records = _records(cohort)
    records.loc[0, "clasi_scalp_ery"] = "7"  # erythema levels are 0-3
    records.loc[1, "redcap_event_name"] = "baseline_arm_1"
    ae = records.index[records["redcap_repeat_instrument"] == "adverse_event"][0]
    records.loc[ae, "ae_term"] = "sneezing"
    path = tmp_path / "bad.csv"
    records.to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_redcap(path, centre="BCN", today=TODAY)
    where = {(p.file, p.row, p.field) for p in caught.value.problems}
    # Structural problems are listed first (event, term); item codes only once those pass.
    assert ("bad.csv", 2, "redcap_event_name") in where
    assert ("bad.csv", ae + 1, "ae_term") in where
    records.loc[1, "redcap_event_name"] = "visit_2_arm_1"
    records.loc[ae, "ae_term"] = "fatigue"
    records.loc[ae, "ae_grade"] = "9"  # CTCAE grades are 1-5
    with pytest.raises(InputError) as caught:
        read_redcap(records, centre="BCN", today=TODAY)
    problems = {(p.row, p.field): p for p in caught.value.problems}
    assert (1, "clasi_scalp_ery") in problems
    assert str(problems[(1, "clasi_scalp_ery")].allowed).startswith("0 (absent), 1 (pink")
    assert (ae + 1, "ae_grade") in problems


@pytest.mark.slow
def test_read_redcap_refuses_unknown_columns_and_mismatched_dates(
    cohort: clears.cohort.Cohort,
) -> None:
    records = _records(cohort).assign(patient_name="x")
    with pytest.raises(InputError, match="patient_name: is not a field"):
        read_redcap(records, centre="BCN", today=TODAY)
    records = _records(cohort)
    records.loc[0, "sledai_date"] = "2019-01-15"  # clasi_date is 2019-01-14
    with pytest.raises(InputError, match="sledai_date: differs from clasi_date"):
        read_redcap(records, centre="BCN", today=TODAY)
    records = _records(cohort)
    records.loc[0, "record_id"] = ""
    with pytest.raises(InputError, match="record_id: is blank"):
        read_redcap(records, centre="BCN", today=TODAY)
    records = _records(cohort).assign(clasi_complete="2")  # REDCap's form status is ignored
    assert read_redcap(records, centre="BCN", today=TODAY).n_patients == 6


# --- FHIR ----------------------------------------------------------------------------


@pytest.mark.slow
def test_fhir_bundle_validates_and_round_trips(cohort: clears.cohort.Cohort) -> None:
    raw = bundle_dict(cohort)
    parsed = Bundle.model_validate(raw)
    again = Bundle.model_validate_json(parsed.model_dump_json())
    assert again.model_dump(exclude_none=True) == parsed.model_dump(exclude_none=True)
    kinds = pd.Series([e["resource"]["resourceType"] for e in raw["entry"]]).value_counts()
    visits = cohort.visits
    # Expected counts straight from the cohort tables (not from our output).
    observations = sum(int(visits[c].notna().sum()) for c in ("clasi_a", "clasi_d", "sledai"))
    subtypes = cohort.patients["cle_subtypes"].dropna().str.split(";").str.len().sum()
    # One SLE Condition per patient with SLE at the index date or a recorded SLE diagnosis
    # (sle_onset_date: P05 in patients.csv).
    sle = (
        cohort.patients["sle"].fillna(False).astype(bool)
        | cohort.patients["sle_onset_date"].notna()
    )
    conditions = int(subtypes) + int(sle.sum())
    assert kinds.to_dict() == {
        "Observation": observations,
        "Condition": conditions,
        "MedicationStatement": len(cohort.treatments) + len(cohort.concomitant_medications),
        "Patient": cohort.n_patients,
        "AdverseEvent": len(cohort.adverse_events),
    }


def test_fhir_resources_carry_the_values(cohort: clears.cohort.Cohort) -> None:
    raw = bundle_dict(cohort)
    resources = [e["resource"] for e in raw["entry"]]
    urls = {e["fullUrl"] for e in raw["entry"]}
    for resource in resources:
        if "subject" in resource:
            assert resource["subject"]["reference"] in urls
    patient = resources[0]
    assert set(patient) <= {"resourceType", "identifier", "gender", "birthDate"}
    assert patient["identifier"][0]["value"] == "P01"
    first_visit = cohort.visits.iloc[0]
    activity = next(r for r in resources if r.get("code", {}).get("text") == "CLASI activity")
    assert activity["valueInteger"] == int(first_visit["clasi_a"])  # 13 in visits.csv row 1
    activity_items = [
        f.column for f in clasi.DEFINITION.fields if f.item.name in ("erythema", "scale",
        "mucous_membrane", "recent_hair_loss", "alopecia")
    ]  # fmt: skip
    codes = {c["code"]["text"]: c["valueInteger"] for c in activity["component"]}
    assert set(codes) == set(activity_items)
    assert codes["clasi_scalp_ery"] == 2
    sledai_obs = next(r for r in resources if r.get("code", {}).get("text") == "SLEDAI-2K")
    assert {c["code"]["text"] for c in sledai_obs["component"]} <= {
        f.column for f in sledai.DEFINITION.fields
    }
    medication = next(r for r in resources if r["resourceType"] == "MedicationStatement")
    dose = medication["dosage"][0]
    assert dose["text"] == "100 mg daily"  # treatments.csv row 1: thalidomide 100 mg/day
    assert dose["doseAndRate"][0]["doseQuantity"]["value"] == 100.0
    assert dose["doseAndRate"][0]["doseQuantity"]["code"] == "mg/d"
    assert medication["effectivePeriod"] == {"start": "2017-03-01", "end": "2017-09-15"}
    ae = next(r for r in resources if r["resourceType"] == "AdverseEvent")
    assert ae["event"]["text"] == "Peripheral sensory neuropathy"
    assert ae["extension"] == [{"url": GRADE_EXTENSION, "valueInteger": 2}]


def test_fhir_sle_condition_carries_the_diagnosis_date(cohort: clears.cohort.Cohort) -> None:
    entries = bundle_dict(cohort)["entry"]
    ids = {
        e["fullUrl"]: e["resource"]["identifier"][0]["value"]
        for e in entries
        if e["resource"]["resourceType"] == "Patient"
    }
    sle = {
        ids[r["subject"]["reference"]]: r
        for r in (e["resource"] for e in entries)
        if r["resourceType"] == "Condition" and r["code"]["text"] == "Systemic lupus erythematosus"
    }
    # patients.csv: P02 and P04 have SLE at the index date (no diagnosis date); P05, CLE
    # only (LET), was diagnosed with SLE on 2020-08-03; P01, P03, P06 have neither.
    assert set(sle) == {"P02", "P04", "P05"}
    assert sle["P05"]["onsetDateTime"] == "2020-08-03"
    assert "onsetDateTime" not in sle["P02"]


@pytest.mark.slow  # over a second in --durations
def test_fhir_export_file_parses(tmp_path: Path, fresh_sqlite: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["import", str(EXAMPLE), "--db", fresh_sqlite, "--today", "2025-01-01"])
    done = runner.invoke(
        app, ["export", "--db", fresh_sqlite, "--out", str(tmp_path), "--format", "fhir"]
    )
    assert done.exit_code == 0, done.output
    bundle = Bundle.model_validate_json((tmp_path / "bundle.json").read_text())
    assert bundle.type == "collection"
    manifest = json.loads((tmp_path / "export.json").read_text())
    assert manifest["format"] == "fhir"
    assert manifest["deidentified"] is False


def test_fhir_concomitant_medications(cohort: clears.cohort.Cohort) -> None:
    resources = [e["resource"] for e in bundle_dict(cohort)["entry"]]
    concomitant = [r for r in resources if r.get("category") == {"text": "concomitant"}]
    assert len(concomitant) == len(cohort.concomitant_medications)  # 12 rows in the example
    # concomitant_medications.csv row 1: P01 hydroxychloroquine 400 mg/day from 2015-06-01,
    # ongoing, for CLE; row 10: P05 methotrexate 15 mg/week.
    first = concomitant[0]
    assert first["medicationCodeableConcept"]["text"] == "hydroxychloroquine"
    assert first["status"] == "active"
    assert first["effectivePeriod"] == {"start": "2015-06-01"}
    assert first["reasonCode"] == [{"text": "cle"}]
    quantity = first["dosage"][0]["doseAndRate"][0]["doseQuantity"]
    assert (quantity["value"], quantity["code"]) == (400.0, "mg/d")
    drugs = [r["medicationCodeableConcept"]["text"] for r in concomitant]
    weekly = concomitant[drugs.index("methotrexate")]
    assert weekly["dosage"][0]["doseAndRate"][0]["doseQuantity"]["code"] == "mg/wk"  # UCUM week
    Bundle.model_validate(bundle_dict(cohort))


# --- SDTM ----------------------------------------------------------------------------


def test_sdtm_cm_domain(cohort: clears.cohort.Cohort) -> None:
    cm = sdtm_tables(cohort, study="S1")["CM"]
    assert len(cm) == len(cohort.concomitant_medications)
    assert set(cm["DOMAIN"]) == {"CM"}
    # concomitant_medications.csv row 2: P01 aspirin 100 mg/day 2019-01-14 to 2019-09-02,
    # thromboprophylaxis (antiplatelet).
    aspirin = cm.iloc[1]
    assert list(aspirin[["USUBJID", "CMSEQ", "CMTRT", "CMCLAS", "CMINDC"]]) == [
        "S1-BCN-P01", 2, "ASPIRIN", "ANTIPLATELET", "thromboprophylaxis"
    ]  # fmt: skip
    assert list(aspirin[["CMDOSE", "CMDOSU", "CMDOSFRQ"]]) == [100.0, "mg", "QD"]
    assert list(aspirin[["CMSTDTC", "CMENDTC", "CMONGO"]]) == ["2019-01-14", "2019-09-02", "N"]
    assert cm.iloc[0]["CMONGO"] == "Y"  # hydroxychloroquine, no end date
    enoxaparin = cm[cm["CMTRT"] == "ENOXAPARIN"].iloc[0]
    assert list(enoxaparin[["CMDOSE", "CMDOSU", "CMCLAS"]]) == [4000.0, "IU", "LMWH"]


def test_sdtm_domains(cohort: clears.cohort.Cohort) -> None:
    tables = sdtm_tables(cohort, study="S1")
    dm, ex, lb, ae = (tables[d] for d in ("DM", "EX", "LB", "AE"))
    assert len(dm) == cohort.n_patients
    assert set(dm["DOMAIN"]) == {"DM"}
    assert dm.loc[0, "USUBJID"] == "S1-BCN-P01"
    assert dm.loc[0, "RFSTDTC"] == "2017-03-01"  # first period of P01, treatments.csv
    assert len(ex) == len(cohort.treatments)
    # treatments.csv row 3: "5 mg alternate days" = 2.5 mg/day mean daily dose.
    assert list(ex.iloc[2][["EXDOSE", "EXDOSU", "EXDOSFRQ", "EXDOSRGM"]]) == [
        2.5, "mg", "QD", "5 mg alternate days"
    ]  # fmt: skip
    assert ex.loc[0:2, "EXSEQ"].tolist() == [1, 2, 3]
    labs = ["anc", "wbc", "platelets", "hb", "anti_dsdna", "c3", "c4", "creatinine_clearance"]
    present = sum(int(cohort.visits[c].notna().sum()) for c in labs if c in cohort.visits)
    assert len(lb) == present
    assert {"NEUT", "WBC", "PLAT", "HGB"} <= set(lb["LBTESTCD"])
    assert ae["AEACN"].tolist()[:2] == ["DRUG WITHDRAWN", "DOSE NOT CHANGED"]
    assert ae.loc[0, "AEOUT"] == "RECOVERED/RESOLVED"
    assert ae["AESER"].isin(["Y", "N", ""]).all()


def test_sdtm_grades_every_ctcae_lab_column() -> None:
    # the CTCAE lab definitions name their visits column; each gets an LB test code and
    # is graded by that CTCAE test, the others are not graded
    graded = {lab.cohort_column: lab.key for lab in CTCAE_LABS.values() if lab.cohort_column}
    assert set(graded) <= set(LAB_TESTS)
    assert {column: entry[3] for column, entry in LAB_TESTS.items() if entry[3]} == graded


@pytest.mark.parametrize(
    ("anc", "grade"),
    [
        # CTCAE v5.0 neutrophil count decreased: grade 2 is [1.0, 1.5), 3 [0.5, 1.0),
        # 4 < 0.5 (x10^9/L); at or above 1.5 grade 0 or 1 depends on the LLN: left blank.
        (1.5, ""),
        (1.49, 2),
        (1.0, 2),
        (0.99, 3),
        (0.5, 3),
        (0.49, 4),
    ],
)
def test_sdtm_lbtoxgr_bands(anc: float, grade: object) -> None:
    cohort = clears.cohort.Cohort(
        pd.DataFrame({"patient_id": ["P"], "centre": ["C"]}),
        pd.DataFrame(columns=["patient_id", "drug", "start_date", "dose_mg_per_day"]),
        pd.DataFrame(
            {
                "patient_id": ["P"],
                "visit_date": pd.to_datetime(["2020-01-01"]),
                "anc": [anc],
                "c3": [0.9],
            }
        ),
        pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"]),
        pd.DataFrame(columns=["patient_id", "flare_date", "severity"]),
    )
    lb = sdtm_tables(cohort)["LB"]
    assert lb["LBTOXGR"].tolist() == [grade, ""]  # C3 is not graded by CTCAE
    assert lb["LBSTRESU"].tolist() == ["10^9/L", "g/L"]
