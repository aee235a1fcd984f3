"""Web test fixtures: one registry file built per session and copied for every test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import add_follow_up, app_for, hash_once, make_database, served

from clears.registry.audit_key import KEY_FILE_SUFFIX


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The Argon2 hash every test user shares (hashed once: Argon2 is slow on purpose)."""
    return hash_once()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded registry, built once."""
    path = tmp_path_factory.mktemp("web") / "template.db"
    make_database(path)
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    """A private copy of the seeded registry for one test (real commits, no leaks)."""
    target = tmp_path / "clears.db"
    shutil.copy(template_db, target)
    # the audit key file beside the database goes with it (else writes are refused)
    shutil.copy(f"{template_db}{KEY_FILE_SUFFIX}", f"{target}{KEY_FILE_SUFFIX}")
    return f"sqlite:///{target}"


@pytest.fixture
def make_client(db_url: str, password_hash: str) -> Iterator[Callable[..., TestClient]]:
    """Build clients over the test's database (one app; several users may sign in)."""
    app = app_for(db_url, password_hash)
    clients: list[TestClient] = []

    def build() -> TestClient:
        client = TestClient(app, base_url="https://testserver")
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
    app.state.clears.registry.engine.dispose()


@pytest.fixture
def server(db_url: str, password_hash: str) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread, with one job worker
    process as ``clears serve`` starts it (the seed with follow-up visits, so that the
    study report can be built); for the browser tests."""
    from clears.cli.serve import job_workers

    add_follow_up(db_url)
    with served(app_for(db_url, password_hash)) as url, job_workers(db_url, 1):
        yield url
