"""Concurrent writes through the app, and the server settings chosen for them.

Writers of one process queue on the registry's in-process lock (see
``tests/registry/test_writer_lock.py``); here many clients record visits at once through
the JSON API and every acknowledged visit must be stored, once, with an intact audit chain.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import anyio.to_thread
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web._setup import app_for, settings, sign_in

from clears.registry import audit
from clears.registry._engine import make_engine, transaction, writer_lock
from clears.registry._models import Base
from clears.web.app import THREADS, create_app

pytestmark = pytest.mark.slow  # concurrent requests against a live server

Client = Callable[[], TestClient]


def test_concurrent_visits_are_all_stored_once_with_an_intact_chain(
    make_client: Client, db_url: str
) -> None:
    writers, per_writer = 6, 5
    clients = [make_client() for _ in range(writers)]
    tokens = [sign_in(client, "entry_bcn") for client in clients]
    acknowledged: list[int] = []
    failures: list[str] = []
    guard = threading.Lock()

    def record(number: int) -> None:
        for n in range(per_writer):
            day = dt.date(2023, 1, 1) + dt.timedelta(days=number * per_writer + n)
            response = clients[number].post(
                "/api/patients/P1/records/visits",
                headers={"X-CSRF-Token": tokens[number]},
                json={"values": {"visit_date": day.isoformat(), "clasi_scalp_ery": n % 4}},
            )
            with guard:
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                else:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=record, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert len(acknowledged) == len(set(acknowledged)) == writers * per_writer
    engine = make_engine(db_url)
    visits = Base.metadata.tables["visits"]
    with transaction(engine) as session:
        stored = set(session.execute(sa.select(visits.c.id)).scalars())
        report = audit.verify(session)
    assert set(acknowledged) <= stored
    assert report.ok
    assert not writer_lock(engine).locked()  # nobody left holding the write lock
    engine.dispose()


async def _pool_size() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


def test_the_server_runs_blocking_routes_on_a_small_thread_pool(
    db_url: str, password_hash: str
) -> None:
    app = app_for(db_url, password_hash)
    with TestClient(app, base_url="https://testserver") as client:  # runs the lifespan
        assert client.portal is not None
        assert client.portal.call(_pool_size) == THREADS == 8
        assert client.get("/healthz").status_code == 200
    app.state.clears.registry.engine.dispose()


def test_thread_pool_size_is_checked(db_url: str, password_hash: str) -> None:
    with pytest.raises(ValueError, match="threads must be at least 1, not 0"):
        create_app(settings(db_url), threads=0)


async def _loop_thread() -> int:
    return threading.get_ident()


def test_form_saves_write_off_the_event_loop(db_url: str, password_hash: str) -> None:
    app = app_for(db_url, password_hash)
    engine = app.state.clears.registry.engine
    writers: list[int] = []

    @sa.event.listens_for(engine, "begin")
    def _began(_connection: sa.Connection) -> None:
        writers.append(threading.get_ident())

    with TestClient(app, base_url="https://testserver") as client:
        assert client.portal is not None
        loop = client.portal.call(_loop_thread)
        csrf = sign_in(client, "inv_bcn")
        writers.clear()
        posts = {
            "/patients/new": {"patient_id": "P8", "centre": "BCN"},
            "/patients/P1/visits/new": {"visit_date": "2024-02-01", "clasi_scalp_ery": "2"},
            "/patients/P1/records/flares/new": {"flare_date": "2024-02-02", "severity": "mild"},
            "/patients/P1/records/adverse_events/1/edit": {
                "onset_date": "2024-01-10",
                "term": "headache",
                "grade": "2",
                "version": "1",
            },
        }
        for url, form in posts.items():
            saved = client.post(url, data={**form, "csrf_token": csrf}, follow_redirects=False)
            assert saved.status_code == 303, (url, saved.text[:300])
        # A rejected save is rendered from the thread pool too, with the problem shown.
        rejected = client.post(
            "/patients/P1/visits/new",
            data={"visit_date": "2024-02-03", "clasi_scalp_ery": "7", "csrf_token": csrf},
        )
        assert rejected.status_code == 422
        assert 'href="#field-clasi_scalp_ery"' in rejected.text
    assert len(writers) >= len(posts) + 1  # every save opened at least one transaction
    assert loop not in writers  # none of them on the event loop's thread
    engine.dispose()
