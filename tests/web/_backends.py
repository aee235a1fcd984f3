"""The seeded web registry on both backends: a SQLite file, and a real PostgreSQL server
(skipped locally without one, a failure in CI), for tests that must hold on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.registry._postgres import empty_postgres
from tests.web._setup import make_database, seed

from clears.registry import migrate


@pytest.fixture(scope="module")
def postgres_web_registry() -> Iterator[str]:
    """A PostgreSQL registry at the newest revision, seeded as :func:`make_database` does."""
    with empty_postgres("the web tests on both backends") as url:
        migrate.upgrade(url)
        seed(url)
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seeded registry on each backend, once per module."""
    if request.param == "sqlite":
        return make_database(Path(tmp_path_factory.mktemp("backend")) / "clears.db")
    url: str = request.getfixturevalue("postgres_web_registry")
    return url
