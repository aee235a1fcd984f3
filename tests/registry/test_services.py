"""Service layer: validation as cohort rows, centre scoping, optimistic concurrency, reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.registry._actor import Actor
from clears.registry._records import Record
from clears.registry.patients import (
    create_patient,
    get_patient,
    list_patients,
    timeline,
    update_patient,
)
from clears.registry.records import (
    RecordTable,
    add_record,
    delete_record,
    lock_visit,
    update_record,
)


def _add(
    session: Session,
    table: RecordTable,
    values: dict[str, Any],
    *,
    actor: Actor = BCN,
    patient_id: str = "P1",
) -> Record:
    """Add a record on TODAY (BCN's patient P1 unless told)."""
    return add_record(
        session, actor=actor, table=table, patient_id=patient_id, values=values, today=TODAY
    )


def _update_visit(
    session: Session,
    visit: Record,
    version: int,
    changes: dict[str, Any],
    *,
    actor: Actor = BCN,
    reason: str | None = None,
) -> Record:
    """Change a visit read at ``version`` on TODAY."""
    return update_record(
        session,
        actor=actor,
        table="visits",
        record_id=visit.id,
        version=version,
        changes=changes,
        reason=reason,
        today=TODAY,
    )


def test_queries_see_only_the_actors_centres(session: Session) -> None:
    two_centres(session)
    assert list_patients(session, actor=BCN) == ["P1"]
    assert list_patients(session, actor=LYO) == ["P2"]
    assert list_patients(session, actor=ADMIN) == ["P1", "P2"]
    with pytest.raises(NotFoundError, match="no patient 'P2' in your centres"):
        get_patient(session, actor=BCN, patient_id="P2")
    with pytest.raises(NotFoundError):
        _add(session, "flares", {"flare_date": "2024-01-01", "severity": "mild"}, patient_id="P2")
    visit = _add(session, "visits", {"visit_date": "2024-01-01"}, actor=LYO, patient_id="P2")
    with pytest.raises(NotFoundError, match="no visits record"):
        _update_visit(session, visit, 1, {"hb": 12}, reason="x")


def test_patient_in_a_foreign_centre_or_twice_is_refused(session: Session) -> None:
    two_centres(session)
    with pytest.raises(InputError, match="centre: is not one of your centres"):
        create_patient(session, actor=BCN, patient_id="P9", centre="LYO", today=TODAY)
    with pytest.raises(ConflictError, match="'P1' is already registered"):
        create_patient(session, actor=ADMIN, patient_id="P1", centre="LYO", today=TODAY)
    with pytest.raises(InputError, match="is not a registered centre"):
        create_patient(session, actor=ADMIN, patient_id="P9", centre="NOPE", today=TODAY)


def test_values_are_validated_like_cohort_rows(session: Session) -> None:
    two_centres(session)
    with pytest.raises(InputError) as caught:
        _add(session, "visits", {"visit_date": "2024-02-30", "clasi_scalp_ery": 4, "colour": "red"})
    fields = {p.field for p in caught.value.problems}
    # every problem at once: unknown field, impossible date, item code outside its levels
    assert fields == {"colour", "visit_date", "clasi_scalp_ery"}
    item = next(p for p in caught.value.problems if p.field == "clasi_scalp_ery")
    assert item.allowed is not None
    assert "3 (" in item.allowed  # the allowed levels come from the CLASI definition
    # dose ceiling: lenalidomide at most 25 mg/day (cohort schema DOSE_MAXIMUM)
    period = {"drug": "lenalidomide", "start_date": "2024-01-01"}
    with pytest.raises(InputError, match="dose_mg_per_day"):
        _add(session, "treatments", {**period, "dose_mg_per_day": 25.5})
    ok = _add(session, "treatments", {**period, "dose_mg_per_day": 25})
    assert ok.data["dose_mg_per_day"] == 25.0
    assert ok.data["start_date"] == dt.date(2024, 1, 1)


def test_a_stale_update_is_refused_showing_both_values(session: Session) -> None:
    two_centres(session)
    first = get_patient(session, actor=BCN, patient_id="P1")
    assert first.version == 1
    second = update_patient(
        session, actor=BCN, patient_id="P1", version=1, changes={"birth_year": 1980}, today=TODAY
    )
    assert second.version == 2
    with pytest.raises(ConflictError) as caught:
        update_patient(
            session,
            actor=BCN,
            patient_id="P1",
            version=1,
            changes={"birth_year": 1979},
            today=TODAY,
        )
    message = str(caught.value)
    assert "your version 1, current version 2" in message
    assert "birth_year: yours 1979, current 1980" in message
    assert get_patient(session, actor=BCN, patient_id="P1").data["birth_year"] == 1980


@pytest.mark.slow
def test_past_visits_need_a_reason_and_locked_ones_are_refused(session: Session) -> None:
    two_centres(session)
    today_visit = _add(session, "visits", {"visit_date": TODAY})
    # same day, not locked: no reason needed
    changed = _update_visit(session, today_visit, 1, {"hb": 12.5})
    locked = lock_visit(
        session, actor=BCN, record_id=today_visit.id, version=changed.version, today=TODAY
    )
    # a locked visit is refused, even with a reason (an administrator unlocks it)
    expected = f"visit {today_visit.id} is locked; an administrator must unlock it"
    for reason in (None, "lab corrected"):
        with pytest.raises(InputError, match=expected):
            _update_visit(session, today_visit, locked.version, {"hb": 12.0}, reason=reason)
    earlier_visit = _add(session, "visits", {"visit_date": TODAY - dt.timedelta(days=2)})
    with pytest.raises(InputError, match="reason: is required to change a past"):
        _update_visit(session, earlier_visit, 1, {"hb": 12.0})
    past = _add(session, "visits", {"visit_date": TODAY - dt.timedelta(days=1)})
    with pytest.raises(InputError, match="reason"):
        delete_record(
            session,
            actor=BCN,
            table="visits",
            record_id=past.id,
            version=1,
            reason="  ",
            today=TODAY,
        )
    delete_record(
        session,
        actor=BCN,
        table="visits",
        record_id=past.id,
        version=1,
        reason="entered twice",
        today=TODAY,
    )


@pytest.mark.slow
def test_clasi_total_is_derived_from_complete_items(session: Session) -> None:
    from clears.instruments import clasi

    two_centres(session)
    items = dict.fromkeys(clasi.DEFINITION.columns, 0)
    items["clasi_scalp_ery"] = 2  # erythema 2 on the scalp: CLASI-A = 2 (Albrecht 2005)
    visit = _add(session, "visits", {"visit_date": "2024-01-01", **items})
    assert visit.data["clasi_a"] == 2
    assert visit.data["clasi_d"] == 0
    with pytest.raises(InputError, match="disagrees with the total"):
        _add(session, "visits", {"visit_date": "2024-01-02", "clasi_a": 3, **items})


@pytest.mark.slow
def test_timeline_holds_every_record_in_date_order(session: Session) -> None:
    two_centres(session)
    for day in ("2024-03-01", "2024-01-01", "2024-02-01"):
        _add(session, "visits", {"visit_date": day})
    _add(session, "adverse_events", {"onset_date": "2024-02-02", "term": "Fatigue", "grade": 1})
    result = timeline(session, actor=BCN, patient_id="P1")
    dates = [r.data["visit_date"].isoformat() for r in result["visits"]]
    assert dates == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert [r.data["term"] for r in result["adverse_events"]] == ["Fatigue"]
    assert result["patients"][0].data["sex"] == "female"
    with pytest.raises(NotFoundError):
        timeline(session, actor=LYO, patient_id="P1")
