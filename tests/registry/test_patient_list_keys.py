"""The stored last visit date equals the one the visits give, after every path that writes
visits (H-INT-93), on SQLite and PostgreSQL.

The expected value is computed here from the visit rows themselves, by its definition: the
latest ``visit_date`` of the patient, or 0001-01-01 when the patient has no visit. It is
compared with ``patients.last_visit_key`` after the record services add, change and delete a
visit, after an import (where it is set for all imported patients in one statement), after a
rename, and after migration 0010 filled it in a registry that already held visits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, TODAY, two_centres
from tests.registry._own_db import own_database

import clears.cohort
from clears.registry import migrate
from clears.registry._engine import make_engine
from clears.registry._models import ENTITY_TABLES, centres_table, patients_table
from clears.registry.importer import import_cohort
from clears.registry.patients import rename_patient
from clears.registry.records import add_record, delete_record, update_record

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
NO_VISIT = dt.date(1, 1, 1)
_v = ENTITY_TABLES["visits"]


def _from_visits(connection: sa.Connection | Session) -> dict[str, dt.date]:
    """Each patient's latest visit date read from the visit rows (0001-01-01 for none)."""
    ids = connection.execute(sa.select(patients_table.c.patient_id)).scalars()
    latest = dict.fromkeys(ids, NO_VISIT)
    rows = connection.execute(
        sa.select(patients_table.c.patient_id, _v.c.visit_date).join(
            _v, _v.c.patient_key == patients_table.c.id
        )
    )
    for pid, day in rows:
        latest[pid] = max(latest[pid], day)
    return {str(pid): day for pid, day in latest.items()}


def _stored(connection: sa.Connection | Session) -> dict[str, dt.date]:
    query = sa.select(patients_table.c.patient_id, patients_table.c.last_visit_key)
    return {str(pid): day for pid, day in connection.execute(query)}


def _visit(session: Session, patient_id: str, day: dt.date) -> tuple[int, int]:
    record = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id=patient_id,
        values={"visit_date": day},
        today=TODAY,
    )
    return record.id, record.version


@pytest.mark.slow
def test_the_record_services_keep_the_last_visit_date(session: Session) -> None:
    two_centres(session)  # P1, P2: no visits yet
    assert _stored(session) == _from_visits(session) == {"P1": NO_VISIT, "P2": NO_VISIT}
    early = TODAY - dt.timedelta(days=60)
    first, _ = _visit(session, "P1", early)
    assert _stored(session) == _from_visits(session)
    assert _stored(session)["P1"] == early
    later, version = _visit(session, "P1", TODAY - dt.timedelta(days=10))
    _visit(session, "P2", TODAY - dt.timedelta(days=30))
    assert _stored(session) == _from_visits(session)
    # the latest visit moved earlier than the first: the other one is the last now
    update_record(
        session,
        actor=ADMIN,
        table="visits",
        record_id=later,
        version=version,
        changes={"visit_date": early - dt.timedelta(days=5)},
        reason="date typed wrongly",
        today=TODAY,
    )
    assert _stored(session) == _from_visits(session)
    assert _stored(session)["P1"] == early
    delete_record(
        session,
        actor=ADMIN,
        table="visits",
        record_id=first,
        version=1,
        reason="entered for the wrong patient",
        today=TODAY,
    )
    assert _stored(session) == _from_visits(session)
    assert _stored(session)["P1"] == early - dt.timedelta(days=5)
    delete_record(
        session,
        actor=ADMIN,
        table="visits",
        record_id=later,
        version=version + 1,
        reason="entered for the wrong patient",
        today=TODAY,
    )
    assert _stored(session)["P1"] == NO_VISIT == _from_visits(session)["P1"]


def test_a_rename_keeps_the_last_visit_date(session: Session) -> None:
    two_centres(session)
    _visit(session, "P1", TODAY - dt.timedelta(days=3))
    rename_patient(session, actor=ADMIN, old="P1", new="P9", reason="typed wrongly")
    assert _stored(session) == _from_visits(session)
    assert _stored(session)["P9"] == TODAY - dt.timedelta(days=3)


@pytest.mark.slow
def test_an_import_sets_every_imported_patient_in_one_statement(session: Session) -> None:
    two_centres(session)
    _visit(session, "P1", TODAY - dt.timedelta(days=3))  # registered before, kept
    updates: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE PATIENTS"):
            updates.append(statement)

    bind = session.connection().engine
    sa.event.listen(bind, "before_cursor_execute", seen)
    try:
        import_cohort(EXAMPLE, actor=ADMIN, session=session, today=dt.date(2025, 1, 1))
    finally:
        sa.event.remove(bind, "before_cursor_execute", seen)
    stored, expected = _stored(session), _from_visits(session)
    assert stored == expected
    assert len(stored) == 2 + 6  # the example cohort's 6 patients
    assert len({day for pid, day in stored.items() if pid.startswith("P0")}) > 1
    assert len(updates) == 1  # set-based: not one statement per patient


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0009(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A registry at revision 0009 holding patients with and without visits (SQL inserts)."""
    with own_database(request, f"sqlite:///{tmp_path / 'old.db'}", revision="0009") as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            centre = connection.execute(
                sa.insert(centres_table).values(code="BCN").returning(centres_table.c.id)
            ).scalar_one()
            keys = [
                connection.execute(
                    sa.insert(patients_table)
                    .values(patient_id=f"P{n}", centre_key=centre, version=1)
                    .returning(patients_table.c.id)
                ).scalar_one()
                for n in range(4)
            ]
            days = [TODAY - dt.timedelta(days=d) for d in (40, 5, 70)]
            connection.execute(
                sa.insert(_v),
                [{"patient_key": keys[n % 3], "visit_date": day} for n, day in enumerate(days)]
                + [{"patient_key": keys[1], "visit_date": TODAY - dt.timedelta(days=90)}],
            )
        engine.dispose()
        yield url


@pytest.mark.slow
def test_migration_0010_fills_the_last_visit_date_from_the_visits(at_0009: str) -> None:
    migrate.upgrade(at_0009)
    engine = make_engine(at_0009)
    try:
        with engine.connect() as connection:
            stored = _stored(connection)
            assert stored == _from_visits(connection)
    finally:
        engine.dispose()
    assert stored == {
        "P0": TODAY - dt.timedelta(days=40),
        "P1": TODAY - dt.timedelta(days=5),
        "P2": TODAY - dt.timedelta(days=70),
        "P3": NO_VISIT,
    }
