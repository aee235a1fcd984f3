"""Edits made on an older version: merged field by field, conflicts shown, never lost.

The base an edit started from is rebuilt from the audit trail; the expected values below
follow from the merge rule (a field only one person changed takes that change), not from
what clears returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, TODAY, two_centres

from clears._exceptions import ConflictError, FieldConflict
from clears.registry._records import Record
from clears.registry.records import add_record, get_record, update_record

_EVENT = {"onset_date": "2024-05-01", "term": "headache", "grade": 1, "serious": False}


def _event(session: Session) -> Record:
    two_centres(session)
    return add_record(
        session, actor=BCN, table="adverse_events", patient_id="P1", values=_EVENT, today=TODAY
    )


def _edit(session: Session, record: Record, version: int, changes: dict[str, Any]) -> Record:
    return update_record(
        session,
        actor=BCN,
        table="adverse_events",
        record_id=record.id,
        version=version,
        changes=changes,
        today=TODAY,
    )


def test_edits_of_different_fields_on_the_same_version_are_both_kept(session: Session) -> None:
    event = _event(session)
    _edit(session, event, 1, {"grade": 2})  # Ana raises the grade
    merged = _edit(session, event, 1, {"end_date": "2024-05-09"})  # Ben, still on version 1
    assert merged.version == 3
    assert merged.data["grade"] == 2  # Ana's change is not erased
    assert merged.data["end_date"] == dt.date(2024, 5, 9)


def test_unchanged_fields_sent_back_keep_the_other_users_values(session: Session) -> None:
    event = _event(session)
    _edit(session, event, 1, {"grade": 2})
    # A form sends every field; the ones equal to version 1 were not changed by Ben.
    merged = _edit(session, event, 1, {**_EVENT, "end_date": "2024-05-09"})
    assert merged.data["grade"] == 2


def test_the_same_field_changed_differently_is_a_conflict_with_both_values(
    session: Session,
) -> None:
    event = _event(session)
    _edit(session, event, 1, {"grade": 2})
    with pytest.raises(ConflictError) as caught:
        _edit(session, event, 1, {"grade": 3, "end_date": "2024-05-09"})
    assert caught.value.conflicts == (FieldConflict("grade", 3, 2, 1),)
    assert caught.value.version == 2
    assert "grade: yours 3, current 2" in str(caught.value)
    stored = get_record(session, actor=BCN, table="adverse_events", record_id=event.id)
    assert stored.version == 2
    assert "end_date" not in stored.data
    # Saving again on the version shown applies the choice knowingly.
    chosen = _edit(session, event, 2, {"grade": 3, "end_date": "2024-05-09"})
    assert (chosen.version, chosen.data["grade"]) == (3, 3)


def test_both_changing_a_field_to_the_same_value_is_no_conflict(session: Session) -> None:
    event = _event(session)
    _edit(session, event, 1, {"grade": 2})
    assert _edit(session, event, 1, {"grade": "2"}).version == 2  # nothing left to change


def test_dates_conflict_as_dates_and_are_shown_as_typed(session: Session) -> None:
    event = _event(session)
    _edit(session, event, 1, {"end_date": "2024-05-30"})
    with pytest.raises(ConflictError) as caught:
        _edit(session, event, 1, {"end_date": "2024-05-31"})
    text = str(caught.value)
    assert "end_date: yours 2024-05-31, current 2024-05-30" in text
    assert "datetime" not in text


def test_a_version_the_audit_trail_cannot_rebuild_conflicts_on_every_difference(
    session: Session,
) -> None:
    event = _event(session)
    _edit(session, event, 1, {"grade": 2})
    with pytest.raises(ConflictError) as caught:
        _edit(session, event, 7, {"grade": 3, "term": "headache"})
    assert [c.field for c in caught.value.conflicts] == ["grade"]  # term equals the stored


def test_a_change_to_nothing_writes_no_version(session: Session) -> None:
    event = _event(session)
    assert _edit(session, event, 1, {"grade": 1}).version == 1
