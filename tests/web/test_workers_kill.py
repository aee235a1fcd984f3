"""A server process killed (SIGKILL) under load: nothing acknowledged lost, nothing half-written.

The real command, ``clears serve --workers 2``, runs on PostgreSQL with an audit key. Eight
clients record visits over the JSON API at once, each for its own patient, half signed in
with a session (cookie and CSRF token), half with a write-scoped API token; each reconnects
every few requests, so the kernel spreads their connections over both processes. Once both
processes have answered, one of them gets ``kill -9`` mid-load.

What a client sees, and the retry this test holds the server to: a request in flight on the
killed process's connection gets no HTTP answer at all: the connection is closed or reset
(``httpx.RemoteProtocolError``, ``httpx.ReadError`` or ``httpx.WriteError``; in the runs so
far, RemoteProtocolError "Server disconnected without sending a response" for the one to four
requests in flight). It cannot tell whether the visit was stored (the process may have died
after its commit, before its answer), so it sends the same request again, with the same
``Idempotency-Key``, on a new connection; a live process
answers 201 with the visit stored the first time, or stores it now if the killed process's
transaction never committed (PostgreSQL rolls back the transaction of a connection whose
client died). Every client sends an ``Idempotency-Key`` with every visit for that reason.

The test then proves that

* the other process kept serving: visits were acknowledged by it after the kill;
* uvicorn's supervisor (``uvicorn.supervisors.Multiprocess``, which checks its processes
  every half second) starts a new server process in the killed one's place, and the new
  one serves: two server processes again, neither of them the killed one;
* every acknowledged visit is in the database exactly once (one row per visit date, the id
  each 201 named), and nothing else is: no visit without its one audit entry, no audit
  entry of a visit that is not there, no idempotency claim left pending;
* ``clears audit verify`` passes on the whole chain (keyed entries checked with the key).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import sqlalchemy as sa
from tests._cli import clears
from tests.web._backends import postgres_web_registry  # noqa: F401 - a fixture
from tests.web._setup import ADMIN, PASSWORD, add_users
from tests.web._workers import server_processes, serving, set_cookies

from clears.cli.serve import WORKER_PID_HEADER
from clears.registry import create_token, make_engine, transaction
from clears.registry._models import ENTITY_TABLES, audit_table, form_tokens_table
from clears.registry.patients import create_patient

pytestmark = pytest.mark.slow

#: Concurrent clients (even: a session; odd: an API token).
CLIENTS = 8
#: Requests a client sends on one connection before opening a new one.
PER_CONNECTION = 3
#: Attempts of one visit (the first and its retries) before the client gives up.
ATTEMPTS = 6
#: An audit key for the server processes (at least 32 characters); synthetic.
AUDIT_KEY = "audit key of the kill test, not a secret " * 2
#: Visits acknowledged before the kill, and by live processes after it, at least.
BEFORE, AFTER = 40, 40
#: Seconds the whole load may take at most.
LIMIT = 120.0
FIRST_DAY = dt.date(2000, 1, 1)


def _patient(number: int) -> str:
    return f"KILL-{number:02d}"


@pytest.fixture
def registry(postgres_web_registry: str, password_hash: str) -> tuple[str, str]:  # noqa: F811
    """The PostgreSQL registry with one patient per client at BCN and a write-scoped API
    token of ``inv_bcn``: its URL and the token's secret."""
    add_users(postgres_web_registry, password_hash)
    engine = make_engine(postgres_web_registry)
    try:
        with transaction(engine) as session:
            for number in range(CLIENTS):
                create_patient(session, actor=ADMIN, patient_id=_patient(number), centre="BCN")
            secret, _ = create_token(
                session,
                actor=ADMIN,
                username="inv_bcn",
                label="kill test",
                scope="write",
                days=1,
            )
    finally:
        engine.dispose()
    return postgres_web_registry, secret


@dataclass
class _Client:
    """What one client sent and was told."""

    number: int
    acknowledged: dict[str, tuple[int, str, float]] = field(default_factory=dict)
    dropped: list[tuple[str, str, float]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)


def _session_headers(base: str) -> dict[str, str]:
    """Sign ``inv_bcn`` in through the form: the Cookie and X-CSRF-Token headers."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        found = re.search(r'name="login_token" value="([^"]+)"', page.text)
        assert found is not None
        cookies = set_cookies(page)
        signed = client.post(
            "/login",
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
            data={"username": "inv_bcn", "password": PASSWORD, "login_token": found.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        cookie = {"Cookie": f"clears_session={set_cookies(signed)['clears_session']}"}
        me = client.get("/api/me", headers=cookie)
        assert me.status_code == 200, me.text
        return cookie | {"X-CSRF-Token": me.json()["csrf_token"]}


def _load(base: str, headers: dict[str, str], record: _Client, stop: threading.Event) -> None:
    """Record visits for the client's patient until ``stop``, retrying a dropped request
    with the same Idempotency-Key on a new connection."""
    url = f"/api/patients/{_patient(record.number)}/records/visits"
    limits = httpx.Limits(max_connections=1)
    client = httpx.Client(base_url=base, timeout=30, limits=limits)
    try:
        for n in range(10_000):
            if stop.is_set():
                return
            if n % PER_CONNECTION == 0:
                client.close()
                client = httpx.Client(base_url=base, timeout=30, limits=limits)
            key = f"kill-test-{record.number:02d}-{n:05d}"
            day = (FIRST_DAY + dt.timedelta(days=n)).isoformat()
            body = {"values": {"visit_date": day, "clasi_scalp_ery": n % 4, "anc": 2.5}}
            record.sent.append(key)
            for _ in range(ATTEMPTS):
                try:
                    answer = client.post(url, headers=headers | {"Idempotency-Key": key}, json=body)
                except httpx.TransportError as error:
                    record.dropped.append((key, type(error).__name__, time.monotonic()))
                    client.close()
                    client = httpx.Client(base_url=base, timeout=30, limits=limits)
                    time.sleep(0.1)
                    continue
                if answer.status_code == 201:
                    pid = answer.headers[WORKER_PID_HEADER]
                    record.acknowledged[key] = (answer.json()["id"], pid, time.monotonic())
                else:
                    record.refused.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                break
            else:
                record.given_up.append(key)
    finally:
        client.close()


def _answers(records: list[_Client], since: float = 0.0) -> Counter[str]:
    """How many visits each server process acknowledged (after ``since``)."""
    return Counter(
        pid for r in records for _, pid, at in list(r.acknowledged.values()) if at > since
    )


@contextlib.contextmanager
def _clients(base: str, secret: str) -> Iterator[list[_Client]]:
    """The clients recording visits while the block runs; stopped, and their last requests
    answered, when it ends."""
    records = [_Client(number) for number in range(CLIENTS)]
    headers = [
        _session_headers(base) if n % 2 == 0 else {"Authorization": f"Bearer {secret}"}
        for n in range(CLIENTS)
    ]
    stop = threading.Event()
    threads = [
        threading.Thread(target=_load, args=(base, h, r, stop), daemon=True)
        for h, r in zip(headers, records, strict=True)
    ]
    for thread in threads:
        thread.start()
    try:
        yield records
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a client did not stop"


def _until(condition: Callable[[], object], what: str, deadline: float) -> None:
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def test_a_killed_server_process_loses_nothing_acknowledged_and_is_replaced(
    registry: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, secret = registry
    environment = {"CLEARS_AUDIT_KEY": AUDIT_KEY}
    with serving(url, workers=2, job_workers=0, environment=environment) as (base, command):
        started = server_processes(command)
        assert len(started) == 2, started
        with _clients(base, secret) as records:
            deadline = time.monotonic() + LIMIT

            def both_busy() -> bool:
                answers = _answers(records)
                return set(answers) == {str(p) for p in started} and (
                    sum(answers.values()) >= BEFORE
                )

            _until(both_busy, "both server processes acknowledged visits", deadline)
            victim, survivor = sorted(started)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)

            def replaced() -> set[int]:
                now = server_processes(command)
                return now - started if len(now) == 2 and victim not in now else set()

            _until(replaced, "uvicorn started a process in the killed one's place", deadline)
            (new,) = replaced()

            def served_after() -> bool:
                answers = _answers(records, since=killed_at)
                return (
                    answers[str(survivor)] >= 1
                    and answers[str(new)] >= 1
                    and sum(answers.values()) >= AFTER
                )

            _until(served_after, "the other process and the new one acknowledged", deadline)
        # Still two server processes, the new one among them, after the load.
        assert server_processes(command) == {survivor, new}

    dropped = [d for r in records for d in r.dropped]
    assert {kind for _, kind, _ in dropped} <= {"RemoteProtocolError", "ReadError", "WriteError"}, (
        dropped
    )
    assert all(at >= killed_at for _, _, at in dropped), "a request was dropped before the kill"
    assert [r.refused for r in records] == [[]] * CLIENTS
    assert [r.given_up for r in records] == [[]] * CLIENTS
    # Every visit sent was acknowledged (after a retry, if its connection died).
    for record in records:
        assert set(record.sent) == set(record.acknowledged), record.number
    _check_database(url, records)
    monkeypatch.setenv("CLEARS_AUDIT_KEY", AUDIT_KEY)
    assert clears(monkeypatch, "audit", "verify", "--db", url) == 0


def _check_database(url: str, records: list[_Client]) -> None:
    """Each acknowledged visit stored once, with its one audit entry; nothing else."""
    visits, patients = ENTITY_TABLES["visits"], ENTITY_TABLES["patients"]
    ours = [_patient(r.number) for r in records]
    engine = make_engine(url)
    try:
        with transaction(engine, write=False) as session:
            stored = session.execute(
                sa.select(visits.c.id, patients.c.patient_id, visits.c.visit_date)
                .join(patients, patients.c.id == visits.c.patient_key)
                .where(patients.c.patient_id.in_(ours))
            ).all()
            inserted = session.execute(
                sa.select(audit_table.c.entity_id).where(
                    audit_table.c.entity == "visits",
                    audit_table.c.action == "insert",
                    audit_table.c.patient_id.in_(ours),
                )
            ).scalars()
            pending = session.execute(
                sa.select(sa.func.count()).where(form_tokens_table.c.result == "(pending)")
            ).scalar_one()
    finally:
        engine.dispose()
    # One row per visit date of a patient: no acknowledged visit stored twice.
    dates = Counter((pid, date) for _, pid, date in stored)
    assert [k for k, n in dates.items() if n > 1] == []
    acknowledged = {v[0] for r in records for v in r.acknowledged.values()}
    assert len(acknowledged) == sum(len(r.acknowledged) for r in records)
    assert {row.id for row in stored} == acknowledged
    # No visit without its audit entry, and no entry of a visit that is not there.
    entries = Counter(inserted)
    assert set(entries) == acknowledged
    assert set(entries.values()) == {1}
    assert pending == 0
