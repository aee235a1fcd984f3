"""A record is checked with the patient's other records, by the cohort's own checks.

Each refused record here is one ``clears cohort validate`` refuses in an export: an exact
copy of a stored row, a grade CTCAE v5.0 does not define for the term (fatigue stops at
grade 3), a dose period overlapping another of the same drug.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, TODAY, two_centres

from clears._exceptions import ConflictError, InputError
from clears.registry.patients import timeline
from clears.registry.records import add_record, update_record

_EVENT = {"onset_date": "2024-05-01", "term": "headache", "grade": 1}


def _add(session: Session, table: str, values: dict[str, object]) -> int:
    record = add_record(
        session,
        actor=BCN,
        table=table,
        patient_id="P1",
        values=values,
        today=TODAY,  # type: ignore[arg-type]
    )
    return record.id


def test_a_copy_of_a_stored_record_is_a_conflict_naming_it(session: Session) -> None:
    two_centres(session)
    first = _add(session, "adverse_events", _EVENT)
    with pytest.raises(ConflictError) as caught:
        _add(session, "adverse_events", {**_EVENT, "grade": "1"})
    (problem,) = caught.value.problems
    assert problem.patient == "P1"
    assert problem.record == "new record (onset_date 2024-05-01, term headache, grade 1)"
    assert f"adverse_events record {first}" in problem.message
    assert "onset_date 2024-05-01" in problem.value
    assert "term headache" in problem.value
    assert len(timeline(session, actor=BCN, patient_id="P1")["adverse_events"]) == 1


def test_a_record_differing_in_one_field_is_not_a_copy(session: Session) -> None:
    two_centres(session)
    _add(session, "adverse_events", _EVENT)
    _add(session, "adverse_events", {**_EVENT, "grade": 2})


def test_an_edit_that_makes_a_copy_is_refused(session: Session) -> None:
    two_centres(session)
    _add(session, "adverse_events", _EVENT)
    other = _add(session, "adverse_events", {**_EVENT, "grade": 2})
    with pytest.raises(ConflictError):
        update_record(
            session,
            actor=BCN,
            table="adverse_events",
            record_id=other,
            version=1,
            changes={"grade": 1},
            today=TODAY,
        )


def test_a_grade_ctcae_does_not_define_for_the_term_is_refused(session: Session) -> None:
    two_centres(session)
    with pytest.raises(InputError) as caught:
        _add(session, "adverse_events", {"onset_date": "2024-05-02", "term": "Fatigue", "grade": 4})
    (problem,) = caught.value.problems
    # CTCAE v5.0, General disorders: Fatigue has grades 1-3 only (grades 4 and 5 are "-").
    assert (problem.field, problem.value, problem.allowed) == ("grade", 4, "1, 2, 3")
    assert str(problem).startswith(
        "adverse_events new record (onset_date 2024-05-02, term Fatigue, grade 4): grade: "
        "grade 4 does not exist"
    )
    assert str(problem).endswith("; patient: P1")


def test_an_overlapping_dose_period_is_refused(session: Session) -> None:
    two_centres(session)
    _add(
        session,
        "treatments",
        {"drug": "lenalidomide", "start_date": "2024-01-01", "dose_mg_per_day": 10},
    )
    with pytest.raises(InputError) as caught:
        _add(
            session,
            "treatments",
            {"drug": "lenalidomide", "start_date": "2024-02-01", "dose_mg_per_day": 5},
        )
    assert "overlaps the lenalidomide period from 2024-01-01 ongoing" in str(caught.value)


def test_problems_of_older_records_do_not_block_a_new_one(session: Session) -> None:
    two_centres(session)
    _add(session, "flares", {"flare_date": "2024-03-01", "severity": "mild"})
    _add(session, "flares", {"flare_date": "2024-03-02", "severity": "mild"})
