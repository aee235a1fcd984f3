"""Saves racing each other, on SQLite and on a real PostgreSQL server, with real commits.

Each thread has its own connection and transaction, as two web workers would; a barrier
starts them together. Whatever the interleaving, one save wins and every other one gets a
clear, retryable conflict, never an unexpected error or a second copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN, BCN, TODAY, race

from clears._exceptions import ConflictError
from clears.registry import migrate
from clears.registry._engine import make_engine, transaction
from clears.registry._models import Base
from clears.registry._submissions import claim, settle
from clears.registry.patients import create_centre, create_patient
from clears.registry.records import add_record, update_record

THREADS = 6
EVENT = {"onset_date": "2024-05-01", "term": "headache", "grade": 1}
KEY = "a test audit key of more than thirty-two characters"


@pytest.fixture(params=["sqlite", "postgresql"])
def racing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fresh_sqlite: str
) -> Iterator[sa.Engine]:
    """A migrated database of its own (a new PostgreSQL database on the test server) with
    centre BCN and patient P1, committed."""
    monkeypatch.setenv("CLEARS_AUDIT_KEY", KEY)
    url, drop = fresh_sqlite, None
    if request.param == "postgresql":
        server = make_engine(request.getfixturevalue("postgres_url"))
        name = f"race_{uuid.uuid4().hex[:12]}"
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        url = server.url.set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        drop = (server, name)
    engine = make_engine(url)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
        create_patient(session, actor=ADMIN, patient_id="P1", centre="BCN", today=TODAY)
    yield engine
    engine.dispose()
    if drop is not None:
        server, name = drop
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        server.dispose()


def _race(engine: sa.Engine, save: Callable[[Any, int], object]) -> list[object]:
    return race(engine, save, THREADS)


def _rows(engine: sa.Engine, table: str) -> list[Any]:
    source = Base.metadata.tables[table]
    with engine.connect() as connection:
        return list(connection.execute(sa.select(source)).mappings())


@pytest.mark.slow
def test_identical_saves_at_once_store_one_row(racing: sa.Engine) -> None:
    def save(session: Any, _n: int) -> object:
        return add_record(
            session, actor=BCN, table="adverse_events", patient_id="P1", values=EVENT, today=TODAY
        )

    outcomes = _race(racing, save)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, ConflictError) for e in errors), errors
    assert all("already has this record" in str(e) for e in errors)
    assert len(_rows(racing, "adverse_events")) == 1


@pytest.mark.slow
def test_edits_of_one_field_at_once_end_in_one_success(racing: sa.Engine) -> None:
    with transaction(racing) as session:
        event = add_record(
            session, actor=BCN, table="adverse_events", patient_id="P1", values=EVENT, today=TODAY
        )

    def save(session: Any, n: int) -> object:
        return update_record(
            session,
            actor=BCN,
            table="adverse_events",
            record_id=event.id,
            version=1,
            changes={"grade": 2 + n % 4, "term": f"headache {n}"},
            today=TODAY,
        )

    outcomes = _race(racing, save)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1
    assert all(isinstance(e, ConflictError) for e in errors), errors
    (row,) = _rows(racing, "adverse_events")
    assert row["version"] == 2
    assert row["term"] == winners[0].data["term"]  # type: ignore[attr-defined]


def test_one_form_token_sent_at_once_saves_once(racing: sa.Engine) -> None:
    def save(session: Any, _n: int) -> object:
        earlier = claim(session, actor=BCN, token="t" * 43)
        if earlier is not None:
            return earlier
        add_record(
            session, actor=BCN, table="flares", patient_id="P1", today=TODAY,
            values={"flare_date": "2024-05-02", "severity": "mild"},
        )  # fmt: skip
        settle(session, token="t" * 43, result="/patients/P1")
        return "saved"

    outcomes = _race(racing, save)
    assert sorted(map(str, outcomes)) == ["/patients/P1"] * (THREADS - 1) + ["saved"]
    assert len(_rows(racing, "flares")) == 1
