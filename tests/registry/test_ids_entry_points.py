"""Every entry point of the registry reads patient ids the same way (H-INT-32, 33).

The same table of identifiers (``tests/registry/_id_table.py``) goes through the service
functions, the import and the command line: bad ones are refused with the field, the value
and the rule, and nothing is written; surrounding white space is dropped; an id equal to a
registered one ignoring case is refused naming it; lookups find the registered patient.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, TODAY, two_centres
from tests.registry._id_table import BAD_IDS, CASE_TWIN, PADDED
from typer.testing import CliRunner

from clears._exceptions import ConflictError, InputError
from clears.cli.main import app
from clears.cohort import Cohort
from clears.registry._engine import make_engine, transaction
from clears.registry.importer import import_cohort
from clears.registry.patients import create_patient, get_patient, list_patients, timeline


def _cohort(patient_id: str, centre: str = "BCN") -> Cohort:
    return Cohort(
        patients=pd.DataFrame({"patient_id": [patient_id], "centre": [centre]}),
        treatments=pd.DataFrame(columns=["patient_id", "drug", "start_date", "dose_mg_per_day"]),
        visits=pd.DataFrame(
            {"patient_id": [patient_id], "visit_date": pd.to_datetime(["2024-01-01"])}
        ),
        adverse_events=pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"]),
        flares=pd.DataFrame(columns=["patient_id", "flare_date", "severity"]),
    )


def _id_problem(error: InputError) -> str:
    found = [p for p in error.problems if p.field == "patient_id" and p.file == "patients"]
    assert len(found) == 1, error.problems
    return found[0].message


@pytest.mark.parametrize(("bad", "says"), BAD_IDS)
def test_the_service_refuses_a_bad_id(session: Session, bad: str, says: str) -> None:
    two_centres(session)
    with pytest.raises(InputError) as refused:
        create_patient(session, actor=ADMIN, patient_id=bad, centre="BCN", today=TODAY)
    assert _id_problem(refused.value).startswith(says)
    assert list_patients(session, actor=ADMIN) == ["P1", "P2"]


@pytest.mark.parametrize(("bad", "says"), BAD_IDS)
def test_the_import_refuses_a_bad_id(session: Session, bad: str, says: str) -> None:
    two_centres(session)
    with pytest.raises(InputError) as refused:
        import_cohort(_cohort(bad), actor=ADMIN, session=session, today=TODAY)
    assert _id_problem(refused.value).startswith(says)
    assert list_patients(session, actor=ADMIN) == ["P1", "P2"]


@pytest.mark.parametrize(("typed", "stored"), PADDED)
def test_the_service_and_the_import_store_the_id_without_white_space(
    session: Session, typed: str, stored: str
) -> None:
    two_centres(session)
    record = create_patient(session, actor=ADMIN, patient_id=typed, centre="BCN", today=TODAY)
    assert record.patient_id == stored
    import_cohort(_cohort(typed.replace("9", "8")), actor=ADMIN, session=session, today=TODAY)
    assert list_patients(session, actor=ADMIN) == ["P08", "P09", "P1", "P2"]


def test_an_id_equal_to_a_registered_one_ignoring_case_is_refused_naming_it(
    session: Session,
) -> None:
    two_centres(session)
    with pytest.raises(ConflictError, match="as 'P1'"):
        create_patient(session, actor=ADMIN, patient_id=CASE_TWIN, centre="LYO", today=TODAY)
    with pytest.raises(ConflictError, match="'P1' is already registered"):
        create_patient(session, actor=ADMIN, patient_id=" P1", centre="LYO", today=TODAY)
    with pytest.raises(InputError) as refused:
        import_cohort(_cohort(CASE_TWIN), actor=ADMIN, session=session, today=TODAY)
    assert _id_problem(refused.value) == "is already in the registry as 'P1'; nothing was imported"
    assert list_patients(session, actor=ADMIN) == ["P1", "P2"]


@pytest.mark.parametrize("typed", [" P1", "P1 ", "\tP1", CASE_TWIN])
def test_lookups_find_the_registered_patient(session: Session, typed: str) -> None:
    two_centres(session)
    assert get_patient(session, actor=ADMIN, patient_id=typed).patient_id == "P1"
    assert timeline(session, actor=ADMIN, patient_id=typed)["patients"][0].patient_id == "P1"


def test_a_stored_id_is_found_as_stored_before_any_normalising(session: Session) -> None:
    # Two legacy rows that normalise to one id (from before the alphabet): each is reached
    # by its exact spelling, and the normalised spelling reaches the one stored that way.
    import sqlalchemy as sa

    from clears.registry._models import Centre, patients_table

    two_centres(session)
    key = session.execute(sa.select(Centre.id).where(Centre.code == "BCN")).scalar_one()
    session.execute(
        sa.insert(patients_table),
        [{"patient_id": pid, "centre_key": key, "version": 1} for pid in ("P7 ", "P7")],
    )
    assert get_patient(session, actor=ADMIN, patient_id="P7 ").patient_id == "P7 "
    assert get_patient(session, actor=ADMIN, patient_id="P7").patient_id == "P7"
    assert get_patient(session, actor=ADMIN, patient_id=" P7").patient_id == "P7"


runner = CliRunner()


def _squashed(text: str) -> str:
    """``text`` without white space and box lines (the usage box wraps long messages)."""
    return re.sub(r"[\s│]+", "", text)


@pytest.mark.parametrize(("bad", "says"), BAD_IDS)
def test_clears_advise_refuses_a_bad_patient_option(bad: str, says: str) -> None:
    done = runner.invoke(app, ["advise", "examples/cohort", "--patient", bad])
    assert done.exit_code == 2
    assert _squashed(says) in _squashed(done.output)


@pytest.mark.slow
def test_clears_advise_reads_a_padded_patient_option() -> None:
    done = runner.invoke(
        app, ["advise", "examples/cohort", "--patient", " P01 ", "--as-of", "2024-01-01"]
    )
    assert done.exit_code == 0, done.output
    assert "P01" in done.output


@pytest.mark.slow
def test_clears_audit_show_finds_the_registered_patient(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        two_centres(session)
    engine.dispose()
    for typed in (" P1", CASE_TWIN):
        shown = runner.invoke(app, ["audit", "show", "--patient", typed, "--db", fresh_sqlite])
        assert shown.exit_code == 0, shown.output
        assert "insert patients" in shown.output
