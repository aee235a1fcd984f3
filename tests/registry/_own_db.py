"""A registry database of a test's own, with real commits, on SQLite or PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from clears.registry import migrate
from clears.registry._engine import make_engine


@contextmanager
def own_database(
    request: pytest.FixtureRequest, sqlite_url: str, *, revision: str = "head"
) -> Iterator[str]:
    """Yield the URL of a database migrated to ``revision``: ``sqlite_url`` when the test's
    parameter is ``"sqlite"``, else a new database on the PostgreSQL test server, dropped
    afterwards."""
    if request.param == "sqlite":
        migrate.upgrade(sqlite_url, revision=revision)
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
