"""Registry test fixtures: the same tests run on SQLite and on a real PostgreSQL server.

Each backend is migrated once per session with the shipped Alembic history (not
``create_all``); each test then runs inside a transaction with a savepoint that is rolled back.
Without a PostgreSQL server the PostgreSQL half is skipped with the reason, except in CI
(``CI=true``), where it fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._postgres import empty_postgres

from clears.registry import migrate
from clears.registry._engine import make_engine

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL server (skip locally, fail in CI, when there is none)."""
    with empty_postgres("the registry tests") as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest revision, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'clears.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[sa.Engine]:
    """One engine per backend."""
    created = make_engine(db_url)
    yield created
    created.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (outer transaction + savepoint)."""
    connection = engine.connect()
    outer = connection.begin()
    opened = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield opened
    finally:
        opened.close()
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest revision, built once per test process.

    Nothing writes to it: every test gets a copy (:func:`fresh_sqlite`). It has no audit key
    file yet; each copy creates its own at its first write, as a new registry does.
    """
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def fresh_sqlite(migrated_sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a new, migrated SQLite file for tests that need real commits (a copy of the
    session's migrated template, so the migrations run once, not once per test)."""
    target = tmp_path / "fresh.db"
    shutil.copyfile(migrated_sqlite_template, target)
    return f"sqlite:///{target}"
