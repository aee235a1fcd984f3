"""Web test fixtures: one registry file built per session and copied for every test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.datastructures import State
from tests.web._setup import (
    add_follow_up,
    add_users,
    app_for,
    hash_once,
    make_database,
    served,
    settings,
)

from clears.registry.audit_key import KEY_FILE_SUFFIX
from clears.web.app import app_state, create_app


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


@pytest.fixture(scope="session")
def shared_app(template_db: Path) -> FastAPI:
    """One app with the test settings, built once: FastAPI works out each route's
    dependencies at the first request an app answers (about 0.1 s), so a new app per test
    would pay that every time. Each test gives it a state of its own (:func:`make_client`),
    as a server gives each request the same app; nothing of a test stays in the app, whose
    state (``app.state``) is replaced for every test."""
    app = create_app(settings(f"sqlite:///{template_db}"))
    app.state.clears.registry.engine.dispose()
    return app


@pytest.fixture
def make_client(
    db_url: str, password_hash: str, shared_app: FastAPI
) -> Iterator[Callable[..., TestClient]]:
    """Build clients over the test's database (one app; several users may sign in): the
    session's app with a new state over ``db_url`` (registry, sessions, sign-in limits),
    the accounts of :func:`tests.web._setup.directory`."""
    add_users(db_url, password_hash)
    # The whole app state is the test's own (the registry's and any cache a route keeps).
    shared_app.state = State({"clears": app_state(settings(db_url))})
    clients: list[TestClient] = []

    def build() -> TestClient:
        client = TestClient(shared_app, base_url="https://testserver")
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
    shared_app.state.clears.registry.engine.dispose()


@pytest.fixture
def server(db_url: str, password_hash: str) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread, with one job worker
    process as ``clears serve`` starts it (the seed with follow-up visits, so that the
    study report can be built); for the browser tests."""
    from clears.cli.serve import job_workers

    add_follow_up(db_url)
    with served(app_for(db_url, password_hash)) as url, job_workers(db_url, 1):
        yield url
