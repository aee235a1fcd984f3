"""A record returned by ``add_record`` is the record read back from the database.

``add`` builds the returned record from the validated values it wrote (and the database
defaults); this checks, on both backends and for every per-patient table, that it
equals what :func:`get_record` reads afterwards (values, version 1, id) and what the audit
entry recorded, and that a visit's ``locked`` comes back from the database default.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, TODAY, two_centres

from clears._exceptions import InputError, NotFoundError
from clears.registry import audit
from clears.registry.records import RecordTable, add_record, get_record

_VALUES: dict[str, dict[str, Any]] = {
    "treatments": {
        "drug": "lenalidomide",
        "start_date": "2024-01-01",
        "end_date": "2024-03-01",
        "dose_mg_per_day": 5,
        "regimen": "10 mg alternate days",
    },
    "visits": {"visit_date": "2024-01-01", "clasi_scalp_ery": 2, "anc": 1.8, "sledai": 4},
    "adverse_events": {"onset_date": "2024-01-10", "term": "headache", "grade": 2},
    "flares": {"flare_date": "2024-01-20", "severity": "mild"},
    "concomitant_medications": {
        "drug": "Aspirin",
        "start_date": "2024-01-01",
        "dose": 100,
        "dose_unit": "mg/day",
        "indication": "thromboprophylaxis",
    },
}


@pytest.mark.parametrize("table", sorted(_VALUES))
def test_added_record_equals_the_record_read_back(session: Session, table: RecordTable) -> None:
    two_centres(session)
    added = add_record(
        session, actor=BCN, table=table, patient_id="P1", values=_VALUES[table], today=TODAY
    )
    session.expunge_all()  # read from the database, not from objects in memory
    read = get_record(session, actor=BCN, table=table, record_id=added.id)
    assert added == read
    assert added.version == 1
    if table == "visits":
        assert added.data["locked"] is False  # the database default, returned by the insert
    entry = audit.history(session, actor=BCN, patient_id="P1")[-1]
    assert (entry.action, entry.entity, entry.entity_id) == ("insert", table, added.id)
    assert entry.after == audit.canonical(added.data)


def test_two_adds_get_consecutive_ids_and_a_given_locked_is_kept(session: Session) -> None:
    two_centres(session)
    first = add_record(
        session,
        actor=BCN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-01-01", "locked": True},
        today=TODAY,
    )
    second = add_record(
        session,
        actor=BCN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-02-01"},
        today=TODAY,
    )
    assert second.id == first.id + 1
    assert first.data["locked"] is True
    assert second.data["locked"] is False


def test_unknown_patient_is_reported_before_invalid_values(session: Session) -> None:
    two_centres(session)
    with pytest.raises(NotFoundError, match="no patient 'P2' in your centres"):
        add_record(  # P2 is at LYO: not found for BCN, whatever the values
            session, actor=BCN, table="flares", patient_id="P2", values={"severity": "x"}
        )
    with pytest.raises(InputError, match="severity"):
        add_record(session, actor=BCN, table="flares", patient_id="P1", values={"severity": "x"})
