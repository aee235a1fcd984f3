"""``clears db restore`` on PostgreSQL: pg_restore into an empty database, or with --force."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN, TODAY, two_centres

from clears.registry import audit, migrate
from clears.registry._engine import make_engine, transaction
from clears.registry._hold import RegistryHeldError, hold
from clears.registry.backups import BackupError, backup, restore
from clears.registry.patients import create_patient, list_patients


def _database(server: str, name: str) -> str:
    engine = make_engine(server)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A registry (P1, P2) and an empty database on the test server."""
    source = _database(postgres_url, "clears_restore_source")
    target = _database(postgres_url, "clears_restore_target")
    migrate.upgrade(source)
    engine = make_engine(source)
    with transaction(engine) as session:
        two_centres(session)
    engine.dispose()
    yield source, target
    engine = make_engine(postgres_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for name in ("clears_restore_source", "clears_restore_target"):
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    engine.dispose()


def _patients(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            assert audit.verify(session).ok
            return list_patients(session, actor=ADMIN)
    finally:
        engine.dispose()


def test_restore_into_an_empty_database_then_force_over_a_registry(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    dump = backup(source, out=tmp_path / "registry.dump")
    done = restore(dump, target)
    assert done.kept is None
    assert _patients(target) == ["P1", "P2"]
    engine = make_engine(target)
    with transaction(engine) as session:
        create_patient(session, actor=ADMIN, patient_id="P3", centre="BCN", today=TODAY)
    engine.dispose()
    with pytest.raises(BackupError, match=r"already holds \d+ table\(s\); nothing was changed"):
        restore(dump, target)
    assert _patients(target) == ["P1", "P2", "P3"]
    forced = restore(dump, target, force=True)
    assert _patients(target) == ["P1", "P2"]
    assert forced.kept is not None
    assert forced.kept.read_bytes().startswith(b"PGDMP")  # the replaced contents, dumped


def test_restore_is_refused_while_a_server_holds_the_database(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    dump = backup(source, out=tmp_path / "registry.dump")
    with hold(target, exclusive=False), pytest.raises(RegistryHeldError) as caught:
        restore(dump, target)
    assert "is in use by session " in str(caught.value)
    engine = make_engine(target)
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


def test_an_archive_without_the_registry_is_refused(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    _, target = databases
    engine = make_engine(target)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (x integer)")
    engine.dispose()
    other = tmp_path / "other.dump"
    from clears.registry.backups import _run_pg

    done = _run_pg("pg_dump", sa.make_url(target), ["--format=custom", f"--file={other}"])
    assert done.returncode == 0, done.stderr
    with pytest.raises(BackupError, match="is not a clears registry"):
        restore(other, target, force=True)
    text = tmp_path / "notes.dump"
    text.write_text("not an archive\n")
    with pytest.raises(BackupError, match=r"is a file that is neither .*, not a pg_dump archive"):
        restore(text, target, force=True)
