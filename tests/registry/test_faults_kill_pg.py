"""SIGKILL of ``clears import`` against PostgreSQL: the server rolls the transaction back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._faultrun import REPO, run_to
from tests.registry._helpers import ADMIN

from clears.registry import audit, migrate
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import create_centre

EXAMPLE = REPO / "examples" / "cohort"

pytestmark = pytest.mark.slow


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A registry of its own on the test server, with centre BCN."""
    admin = make_engine(postgres_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("DROP DATABASE IF EXISTS clears_faults WITH (FORCE)")
        connection.exec_driver_sql("CREATE DATABASE clears_faults")
    url = sa.make_url(postgres_url).set(database="clears_faults")
    plain = url.render_as_string(hide_password=False)
    migrate.upgrade(plain)
    engine = make_engine(plain)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
    engine.dispose()
    yield plain
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("DROP DATABASE IF EXISTS clears_faults WITH (FORCE)")
    admin.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            return {
                t: int(connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one())
                for t in tables
            }
    finally:
        engine.dispose()


def _chain_ok(url: str) -> bool:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return audit.verify(session).ok
    finally:
        engine.dispose()


def test_import_killed_before_its_commit_leaves_postgresql_as_it_was(
    database: str, tmp_path: Path
) -> None:
    before = _counts(database)
    args = ["import", str(EXAMPLE), "--db", database]
    for point in ("insert:1", "insert:4", "commit:1"):
        ended = run_to(point, args, tmp_path)
        assert ended.killed, (point, ended.stderr)
        assert _counts(database) == before, point
        assert _chain_ok(database), point
    ended = run_to("committed:1", args, tmp_path)
    assert ended.killed
    after = _counts(database)
    # The example cohort: 6 patients, 16 visits (examples/cohort/*.csv).
    assert after["patients"] == before["patients"] + 6
    assert after["visits"] == before["visits"] + 16
    assert _chain_ok(database)
