"""Text at the schema's length limit fits the registry on both backends; longer is refused
by validation, naming field, length and limit, before anything reaches the database."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN

from clears._exceptions import InputError
from clears.cohort import Cohort
from clears.cohort._schema import schema_of
from clears.registry.importer import import_cohort

TODAY = dt.date(2024, 6, 30)
ID = schema_of("patients")["patient_id"].max_length
CENTRE = schema_of("patients")["centre"].max_length
REGIMEN = schema_of("treatments")["regimen"].max_length
TERM = schema_of("adverse_events")["term"].max_length


def _cohort(*, extra: int) -> Cohort:
    pid, centre = "P" * (ID + extra), "C" * (CENTRE + extra)
    return Cohort(
        patients=pd.DataFrame({"patient_id": [pid], "centre": [centre]}),
        treatments=pd.DataFrame(
            {
                "patient_id": [pid],
                "drug": ["lenalidomide"],
                "start_date": ["2020-01-06"],
                "dose_mg_per_day": ["5"],
                "regimen": ["r" * (REGIMEN + extra)],
            }
        ),
        visits=pd.DataFrame({"patient_id": [pid], "visit_date": ["2020-01-06"]}),
        adverse_events=pd.DataFrame(
            {
                "patient_id": [pid],
                "onset_date": ["2020-02-03"],
                "term": ["t" * (TERM + extra)],
                "grade": ["1"],
            }
        ),
        flares=pd.DataFrame(columns=["patient_id", "flare_date", "severity"]),
    )


def _too_long(limit: int) -> str:
    return f"is {limit + 1} characters long; at most {limit} characters are allowed"


def _patients(session: Session) -> int:
    return int(session.execute(sa.text("SELECT count(*) FROM patients")).scalar_one())


def test_values_at_the_limit_are_stored_whole(session: Session) -> None:
    import_cohort(_cohort(extra=0), actor=ADMIN, session=session, today=TODAY)
    stored = session.execute(
        sa.text(
            "SELECT p.patient_id, c.code, t.regimen, a.term FROM patients p "
            "JOIN centres c ON c.id = p.centre_key JOIN treatments t ON t.patient_key = p.id "
            "JOIN adverse_events a ON a.patient_key = p.id"
        )
    ).one()
    assert [len(value) for value in stored] == [ID, CENTRE, REGIMEN, TERM]


def test_one_character_more_is_refused_before_the_database(session: Session) -> None:
    before = _patients(session)
    with pytest.raises(InputError) as caught:
        import_cohort(_cohort(extra=1), actor=ADMIN, session=session, today=TODAY)
    found = {(p.file, p.field, p.message) for p in caught.value.problems}
    ids = [(table, "patient_id", ID) for table in ("patients", "treatments", "visits")]
    ids.append(("adverse_events", "patient_id", ID))
    expected = [
        *ids,
        ("patients", "centre", CENTRE),
        ("treatments", "regimen", REGIMEN),
        ("adverse_events", "term", TERM),
    ]
    assert found == {(table, field, _too_long(limit)) for table, field, limit in expected}
    assert _patients(session) == before


def test_a_centre_code_or_name_over_the_limit_is_refused(session: Session) -> None:
    from clears.cohort._schema import TEXT_MAX_LENGTH
    from clears.registry.patients import create_centre

    create_centre(session, actor=ADMIN, code="C" * CENTRE, name="n" * TEXT_MAX_LENGTH)
    with pytest.raises(InputError) as caught:
        create_centre(session, actor=ADMIN, code="D" * (CENTRE + 1))
    (problem,) = caught.value.problems
    assert (problem.field, problem.message) == ("centre", _too_long(CENTRE))
    with pytest.raises(InputError) as caught:
        create_centre(session, actor=ADMIN, code="E", name="n" * (TEXT_MAX_LENGTH + 1))
    (problem,) = caught.value.problems
    assert (problem.field, problem.message) == ("name", _too_long(TEXT_MAX_LENGTH))
