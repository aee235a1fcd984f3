"""A registry database of a test's own, with real commits, on SQLite or PostgreSQL."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from clears.registry import migrate
from clears.registry._engine import make_engine


@functools.cache
def _migrated(revision: str) -> Path:
    """A SQLite file migrated to ``revision``, made once per test process (removed at its
    end): copying it costs a millisecond, running the migrations a few hundred."""
    folder = Path(tempfile.mkdtemp(prefix="clears-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "migrated.db"
    migrate.upgrade(f"sqlite:///{path}", revision=revision)
    return path


@contextmanager
def own_database(
    request: pytest.FixtureRequest, sqlite_url: str, *, revision: str = "head"
) -> Iterator[str]:
    """Yield the URL of a database migrated to ``revision``: ``sqlite_url`` when the test's
    parameter is ``"sqlite"`` (a new file is a copy of one migrated once per process), else a
    new database on the PostgreSQL test server, dropped afterwards."""
    if request.param == "sqlite":
        target = Path(sqlite_url.removeprefix("sqlite:///"))
        if target.exists():  # a file the test made: migrate it as it is
            migrate.upgrade(sqlite_url, revision=revision)
        else:  # a new file: a copy of one migrated once
            shutil.copyfile(_migrated(revision), target)
        yield sqlite_url
        return
    server = make_engine(request.getfixturevalue("postgres_url"))
    name = f"own_{uuid.uuid4().hex[:12]}"
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    url = server.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url, revision=revision)
        yield url
    finally:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        server.dispose()
