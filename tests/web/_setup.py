"""Builders shared by the web tests: a registry database, accounts of every role, sign-in.

All data are synthetic. The database schema is created from the registry models
(``create_all``, allowed in tests) with the audit head row the first migration inserts.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry._models import Base, audit_head_table
from clears.registry.accounts import ImportedAccount, import_accounts, list_accounts
from clears.registry.patients import centre_codes, create_centre, create_patient
from clears.registry.records import add_record
from clears.web.app import create_app
from clears.web.settings import Settings

SECRET = "s" * 48
PASSWORD = "correct horse battery staple"
ADMIN = Actor.everywhere("setup")


def empty_database(url: str) -> sa.Engine:
    """Create the registry schema at ``url`` with the audit head row, stamped at the newest
    revision (as ``clears db init`` leaves it, so that the app opens it); return its engine."""
    from alembic import command

    from clears.registry.migrate import alembic_config

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(audit_head_table).values(id=1, last_id=0, last_hash="0" * 64))
    command.stamp(alembic_config(url), "head")
    return engine


def make_database(path: Path) -> str:
    """A new SQLite registry with centres BCN and LYO and one patient each (P1, P2), each
    with a treatment period, a visit, an adverse event and a flare."""
    url = f"sqlite:///{path}"
    empty_database(url).dispose()
    seed(url)
    return url


def seed(url: str) -> None:
    """Fill the empty registry at ``url`` (any backend) as :func:`make_database` does."""
    engine = make_engine(url)
    with transaction(engine) as session:
        for centre, pid in (("BCN", "P1"), ("LYO", "P2")):
            create_centre(session, actor=ADMIN, code=centre)
            create_patient(
                session,
                actor=ADMIN,
                patient_id=pid,
                centre=centre,
                values={"sex": "female", "birth_year": 1975},
            )
            add_record(
                session,
                actor=ADMIN,
                table="treatments",
                patient_id=pid,
                values={"drug": "lenalidomide", "start_date": "2024-01-01", "dose_mg_per_day": 10},
            )
            add_record(
                session,
                actor=ADMIN,
                table="visits",
                patient_id=pid,
                values={"visit_date": "2024-01-01", "clasi_a": 12, "clasi_d": 3, "anc": 1.8},
            )
            add_record(
                session,
                actor=ADMIN,
                table="adverse_events",
                patient_id=pid,
                values={"onset_date": "2024-01-10", "term": "headache", "grade": 1},
            )
            add_record(
                session,
                actor=ADMIN,
                table="flares",
                patient_id=pid,
                values={"flare_date": "2024-01-20", "severity": "mild"},
            )
    engine.dispose()


def add_follow_up(url: str) -> None:
    """Add visits at weeks 4 and 13 (CLASI-A 12 -> 6 -> 2) for P1 and P2, so that responses
    can be evaluated and the study report built."""
    engine = make_engine(url)
    with transaction(engine) as session:
        for pid in ("P1", "P2"):
            for day, activity in (("2024-01-29", 6), ("2024-04-01", 2)):
                add_record(
                    session,
                    actor=ADMIN,
                    table="visits",
                    patient_id=pid,
                    values={"visit_date": day, "clasi_a": activity, "clasi_d": 3},
                )
    engine.dispose()


def directory(password_hash: str) -> list[ImportedAccount]:
    """One user per role at BCN, an investigator at LYO and a network administrator."""
    return [
        ImportedAccount("inv_bcn", "investigator", frozenset({"BCN"}), password_hash),
        ImportedAccount("entry_bcn", "data_entry", frozenset({"BCN"}), password_hash),
        ImportedAccount("monitor_bcn", "monitor", frozenset({"BCN"}), password_hash),
        ImportedAccount("inv_lyo", "investigator", frozenset({"LYO"}), password_hash),
        ImportedAccount("admin", "administrator", frozenset({"*"}), password_hash),
    ]


def add_users(url: str, password_hash: str) -> None:
    """Put the accounts of :func:`directory` into the registry at ``url`` (those not there
    yet, and whose centres it has), as ``clears users import`` would."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            present = {a.username for a in list_accounts(session, actor=ADMIN)}
            known = {*centre_codes(session, actor=ADMIN), "*"}
            missing = [
                a
                for a in directory(password_hash)
                if a.username not in present and a.centres <= known
            ]
            if missing:
                import_accounts(session, actor=ADMIN, accounts=missing, source="test setup")
    finally:
        engine.dispose()


def settings(url: str, **changes: object) -> Settings:
    """Test settings (Secure cookies, a real-length secret)."""
    return Settings(environment="test", secret_key=SECRET, db_url=url, **changes)  # type: ignore[arg-type]


def app_for(url: str, password_hash: str, **changes: object) -> FastAPI:
    """A fresh app over the database at ``url``, whose accounts are :func:`directory`'s."""
    add_users(url, password_hash)
    return create_app(settings(url, **changes))


def login_token(client: TestClient) -> str:
    """Open the sign-in page and return its double-submit token."""
    page = client.get("/login")
    found = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in and return the session's CSRF token."""
    response = client.post(
        "/login",
        data={"username": username, "password": password, "login_token": login_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    token: str = client.get("/api/me").json()["csrf_token"]
    return token


def hash_once() -> str:
    """An Argon2id hash of :data:`PASSWORD` with the smallest cost Argon2 allows.

    Verification runs with the parameters stored in the hash, so every sign-in of a test
    user then costs well under a millisecond instead of the production cost (64 MiB, three
    passes; RFC 9106, section 4, low-memory profile) that :func:`hash_password` uses for
    real accounts. Passwords set through the app are still hashed at production cost.
    """
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


def run_jobs(url: str) -> int:
    """Run the queued jobs of the registry at ``url``, as the worker process would; return
    how many ran."""
    from clears.registry import JobWorker
    from clears.web._job_runners import RUNNERS

    engine = make_engine(url)
    try:
        return JobWorker(engine, RUNNERS).loop(once=True)
    finally:
        engine.dispose()


def api_job(client: TestClient, url: str, kind: str, **parameters: object) -> Response:
    """A job submitted over the JSON API (``POST /api/jobs``), run once as the worker process
    would, and its result fetched (``GET /api/jobs/{id}/result``)."""
    csrf = client.get("/api/me").json()["csrf_token"]
    submitted = client.post(
        "/api/jobs", headers={"X-CSRF-Token": csrf}, json={"kind": kind, "parameters": parameters}
    )
    assert submitted.status_code == 202, submitted.text
    run_jobs(url)
    return client.get(f"{submitted.headers['location']}/result")
