"""Concomitant medications in the registry: services, audit, export, migration checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, LYO, TODAY, two_centres

from clears._exceptions import InputError, NotFoundError
from clears.cohort import MEDICATIONS
from clears.registry import audit
from clears.registry.exporter import export_cohort
from clears.registry.exports.deidentify import deidentify
from clears.registry.patients import timeline, update_patient
from clears.registry.records import add_record, delete_record, update_record

_ASPIRIN = {
    "drug": "aspirin",
    "start_date": "2024-01-01",
    "dose": 100,
    "dose_unit": "mg/day",
    "indication": "thromboprophylaxis",
}


@pytest.mark.slow
def test_add_edit_export_and_audit_a_medication(session: Session) -> None:
    two_centres(session)
    added = add_record(
        session,
        actor=BCN,
        table="concomitant_medications",
        patient_id="P1",
        values=_ASPIRIN,
        today=TODAY,
    )
    stopped = update_record(
        session,
        actor=BCN,
        table="concomitant_medications",
        record_id=added.id,
        version=added.version,
        changes={"end_date": "2024-03-31"},
        today=TODAY,
    )
    assert stopped.data["end_date"] == dt.date(2024, 3, 31)
    assert stopped.version == 2
    entries = audit.history(session, actor=BCN, patient_id="P1")
    assert [(e.action, e.entity) for e in entries[-2:]] == [
        ("insert", "concomitant_medications"),
        ("update", "concomitant_medications"),
    ]
    assert [r.data["drug"] for r in timeline(session, actor=BCN, patient_id="P1")[
        "concomitant_medications"
    ]] == ["aspirin"]  # fmt: skip
    cohort = export_cohort(actor=BCN, session=session, validate=True)
    row = cohort.concomitant_medications.iloc[0]
    assert (row["patient_id"], row["drug"], row["dose"], row["dose_unit"]) == (
        "P1",
        "aspirin",
        100.0,
        "mg/day",
    )
    assert str(row["end_date"].date()) == "2024-03-31"
    delete_record(
        session,
        actor=BCN,
        table="concomitant_medications",
        record_id=added.id,
        version=stopped.version,
        today=TODAY,
    )
    assert export_cohort(actor=BCN, session=session).concomitant_medications.empty
    assert audit.verify(session).ok


def test_a_medication_of_another_centre_is_not_found(session: Session) -> None:
    two_centres(session)
    with pytest.raises(NotFoundError):
        add_record(
            session,
            actor=LYO,
            table="concomitant_medications",
            patient_id="P1",
            values=_ASPIRIN,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"drug": "paracetamol"}, "drug"),
        ({"end_date": "2023-12-31"}, "end_date"),  # before start_date 2024-01-01
        ({"dose_unit": None}, "dose_unit"),  # a dose without its unit
        ({"indication": "pain"}, "indication"),
        ({"start_date": "2024-06-02"}, "start_date"),  # after TODAY
    ],
)
def test_bad_medications_are_refused(
    session: Session, changes: dict[str, object], field: str
) -> None:
    two_centres(session)
    with pytest.raises(InputError) as caught:
        add_record(
            session,
            actor=BCN,
            table="concomitant_medications",
            patient_id="P1",
            values=_ASPIRIN | changes,
            today=TODAY,
        )
    assert [p.field for p in caught.value.problems] == [field]
    if field == "drug":
        assert "hydroxychloroquine" in caught.value.problems[0].allowed


def test_database_refuses_a_drug_outside_the_vocabulary(session: Session) -> None:
    two_centres(session)
    connection = session.connection()
    key = connection.execute(sa.text("SELECT id FROM patients WHERE patient_id = 'P1'")).scalar()
    insert = sa.text(
        "INSERT INTO concomitant_medications (patient_key, drug, start_date) "
        "VALUES (:key, :drug, '2024-01-01')"
    )
    savepoint = connection.begin_nested()
    with pytest.raises(sa.exc.IntegrityError):
        connection.execute(insert, {"key": key, "drug": "paracetamol"})
    savepoint.rollback()
    for drug in MEDICATIONS:
        connection.execute(insert, {"key": key, "drug": drug})


@pytest.mark.slow
def test_reproductive_potential_fields_and_deidentified_medication_dates(
    session: Session,
) -> None:
    two_centres(session)
    patient = timeline(session, actor=BCN, patient_id="P1")["patients"][0]
    update_patient(
        session,
        actor=BCN,
        patient_id="P1",
        version=patient.version,
        changes={
            "reproductive_potential": True,
            "reproductive_potential_date": "2024-01-01",
            "reproductive_potential_basis": "menstruating",
        },
        today=TODAY,
    )
    add_record(
        session,
        actor=BCN,
        table="treatments",
        patient_id="P1",
        values={"drug": "lenalidomide", "start_date": "2024-01-15", "dose_mg_per_day": 5},
        today=TODAY,
    )
    add_record(
        session,
        actor=BCN,
        table="concomitant_medications",
        patient_id="P1",
        values=_ASPIRIN,
        today=TODAY,
    )
    cohort = export_cohort(actor=BCN, session=session)
    assert cohort.patients["reproductive_potential_basis"].iloc[0] == "menstruating"
    shifted = deidentify(cohort, rng=np.random.default_rng(3), salt="s").cohort
    # One offset per patient: the 14 days from aspirin start to lenalidomide start survive,
    # and the assessment date moves with them.
    start = shifted.treatments["start_date"].iloc[0]
    aspirin = shifted.concomitant_medications["start_date"].iloc[0]
    assessed = shifted.patients["reproductive_potential_date"].iloc[0]
    assert (start - aspirin).days == 14
    assert (start - assessed).days == 14
    assert aspirin != cohort.concomitant_medications["start_date"].iloc[0]
