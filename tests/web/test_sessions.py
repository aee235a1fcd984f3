"""Two apps on one registry (two server processes): sessions, sign-out, disabled users, new
roles and the sign-in limit are shared through the database, on SQLite and PostgreSQL.

Also the temporary-password flow: a user whose password was reset is sent to
``/account/password`` until they choose their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests import _system
from tests.registry._postgres import postgres_server
from tests.web._setup import ADMIN, PASSWORD, app_for, login_token, make_database, sign_in

from clears.registry import migrate
from clears.registry._engine import make_engine, transaction
from clears.registry.accounts import reset_password, set_disabled, set_role
from clears.registry.patients import create_centre, create_patient


@pytest.fixture(scope="module")
def postgres_registry() -> Iterator[str]:
    """A PostgreSQL registry with centres BCN and LYO and a patient each (P1, P2)."""
    with postgres_server() as (url, reason):
        if url is None:
            _system.unavailable(f"no PostgreSQL server: {reason}")
        migrate.upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            for centre, pid in (("BCN", "P1"), ("LYO", "P2")):
                create_centre(session, actor=ADMIN, code=centre)
                create_patient(session, actor=ADMIN, patient_id=pid, centre=centre)
        engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path: Path, password_hash: str
) -> Iterator[tuple[str, FastAPI, FastAPI]]:
    """The URL of a registry and two apps built over it."""
    if request.param == "sqlite":
        url = make_database(tmp_path / "shared.db")
    else:
        url = request.getfixturevalue("postgres_registry")
    apps = (app_for(url, password_hash, login_attempts=3), app_for(url, password_hash))
    yield url, *apps
    for app in apps:
        app.state.clears.registry.engine.dispose()


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def _change(url: str, work: object) -> None:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            work(session)  # type: ignore[operator]
    finally:
        engine.dispose()


def _restore(url: str, username: str, role: str) -> None:
    """Leave the shared PostgreSQL registry's accounts as the next test expects them."""

    def work(session: object) -> None:
        set_disabled(session, actor=ADMIN, username=username, disabled=False)  # type: ignore[arg-type]
        set_role(session, actor=ADMIN, username=username, role=role)  # type: ignore[arg-type]

    _change(url, work)


@pytest.mark.slow
def test_a_session_from_one_app_works_in_the_other_and_signing_out_ends_both(
    shared: tuple[str, FastAPI, FastAPI],
) -> None:
    _, first, second = shared
    with _client(first) as one, _client(second) as two:
        csrf = sign_in(one, "inv_bcn")
        two.cookies.set("clears_session", one.cookies.get("clears_session") or "")
        assert two.get("/api/me").json()["username"] == "inv_bcn"
        assert two.get("/patients").status_code == 200
        assert two.post("/logout", data={"csrf_token": csrf}).status_code == 200
        assert one.get("/api/me").status_code == 401
        assert two.get("/api/me").status_code == 401


@pytest.mark.slow  # over a second in --durations
def test_disabling_a_user_refuses_them_in_every_app_at_once(
    shared: tuple[str, FastAPI, FastAPI],
) -> None:
    url, first, second = shared
    with _client(first) as one, _client(second) as two, _client(second) as other:
        sign_in(one, "entry_bcn")
        sign_in(two, "entry_bcn")
        sign_in(other, "inv_bcn")
        _change(
            url,
            lambda s: set_disabled(s, actor=ADMIN, username="entry_bcn", disabled=True),
        )
        try:
            assert one.get("/api/me").status_code == 401
            assert two.get("/api/me").status_code == 401
            assert other.get("/api/me").status_code == 200  # others go on
            form = {"username": "entry_bcn", "password": PASSWORD, "login_token": login_token(one)}
            assert one.post("/login", data=form).status_code == 401
        finally:
            _restore(url, "entry_bcn", "data_entry")


@pytest.mark.slow
def test_a_new_role_applies_at_the_next_request_everywhere(
    shared: tuple[str, FastAPI, FastAPI],
) -> None:
    url, first, second = shared
    with _client(first) as one, _client(second) as two:
        sign_in(one, "inv_bcn")
        two.cookies.set("clears_session", one.cookies.get("clears_session") or "")
        _change(url, lambda s: set_role(s, actor=ADMIN, username="inv_bcn", role="monitor"))
        try:
            assert two.get("/api/me").json()["role"] == "monitor"
            csrf = two.get("/api/me").json()["csrf_token"]
            enrol = two.post(
                "/api/patients",
                json={"patient_id": "P9", "centre": "BCN"},
                headers={"X-CSRF-Token": csrf},
            )
            assert enrol.status_code == 403
        finally:
            _restore(url, "inv_bcn", "investigator")


@pytest.mark.slow  # over a second in --durations
def test_the_sign_in_limit_counts_failures_made_through_either_app(
    shared: tuple[str, FastAPI, FastAPI],
) -> None:
    _, first, second = shared  # the first app allows 3 failures per window
    with _client(first) as one, _client(second) as two:
        for client in (one, two, two):
            wrong = {
                "username": "inv_lyo",
                "password": "wrong!",
                "login_token": login_token(client),
            }
            assert client.post("/login", data=wrong).status_code == 401
        right = {"username": "inv_lyo", "password": PASSWORD, "login_token": login_token(one)}
        assert one.post("/login", data=right).status_code == 429


@pytest.mark.slow  # over a second in --durations
def test_a_temporary_password_must_be_changed_before_anything_else(
    db_url: str, password_hash: str
) -> None:
    app = app_for(db_url, password_hash)
    holder: list[str] = []
    _change(db_url, lambda s: holder.append(reset_password(s, actor=ADMIN, username="inv_bcn")))
    (temporary,) = holder
    try:
        with _client(app) as client:
            form = {
                "username": "inv_bcn",
                "password": temporary,
                "login_token": login_token(client),
            }
            signed = client.post("/login", data=form, follow_redirects=False)
            assert signed.headers["location"] == "/account/password"
            moved = client.get("/patients", follow_redirects=False)
            assert moved.headers["location"] == "/account/password"
            assert client.get("/api/patients").status_code == 403
            page = client.get("/account/password")
            assert "temporary password" in page.text
            csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            new = "my own long password"
            mismatch = {"csrf_token": csrf, "current_password": temporary,
                        "new_password": new, "repeat_password": new + "x"}  # fmt: skip
            refused = client.post("/account/password", data=mismatch)
            assert refused.status_code == 422
            assert "repeat password: differs from the new password" in refused.text
            assert new not in refused.text  # nothing typed is echoed
            reused = {**mismatch, "new_password": temporary, "repeat_password": temporary}
            assert "is your current password" in client.post("/account/password", data=reused).text
            no_csrf = {**mismatch, "csrf_token": "", "repeat_password": new}
            assert client.post("/account/password", data=no_csrf).status_code == 403
            done = client.post(
                "/account/password",
                data={**mismatch, "repeat_password": new},
                follow_redirects=False,
            )
            assert done.headers["location"] == "/patients"
            assert client.get("/patients").status_code == 200
            assert client.get("/api/me").json()["username"] == "inv_bcn"
        with _client(app) as fresh:
            old = {"username": "inv_bcn", "password": temporary, "login_token": login_token(fresh)}
            assert fresh.post("/login", data=old).status_code == 401
            sign_in(fresh, "inv_bcn", "my own long password")
    finally:
        app.state.clears.registry.engine.dispose()
