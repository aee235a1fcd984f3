"""Benchmark the sessions kept in the registry: a request's session lookup, small and large.

Every request reads its session from the database (``clears.registry.SessionStore.get``: a
primary-key lookup joined to the account, in a read-only transaction). This measures

1. ``get`` on a registry holding 10 sessions and one holding ``--sessions`` (default
   100,000, half of them expired): the ratio of the p95s shows whether a lookup grows with
   the table (it should stay near 1: no scan);
2. a signed-in ``GET /api/me`` against ``GET /healthz`` (no session) through the app: the
   share of a request the lookup costs.

Usage::

    .venv/bin/python benchmarks/bench_sessions.py [--sessions 100000] [--repeat 400]
        [--postgres postgresql://user@host/db]

SQLite in a temporary folder; with ``--postgres`` the same in that (emptied) database.
Prints p50 and p95 in ms and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from _common import PASSWORD
from clears.registry import (
    ALL_CENTRES,
    Actor,
    SessionStore,
    add_account,
    make_engine,
    migrate,
    transaction,
)

ADMIN = Actor.everywhere("bench")


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _registry(url: str, sessions: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        add_account(
            session,
            actor=ADMIN,
            username="bench",
            role="monitor",
            centres=[ALL_CENTRES],
            password=PASSWORD,
        )
    now = dt.datetime.now(dt.UTC)
    table = sa.table(
        "user_sessions",
        sa.column("token_hash"),
        sa.column("user_key"),
        sa.column("created_at"),
        sa.column("last_seen_at"),
        sa.column("expires_at"),
    )
    rows = [
        {
            "token_hash": hashlib.sha256(f"filler-{n}".encode()).hexdigest(),
            "user_key": 1,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + dt.timedelta(hours=1 if n % 2 else -1),
        }
        for n in range(sessions)
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5_000):
            connection.execute(sa.insert(table), rows[start : start + 5_000])
    engine.dispose()


def _lookup(url: str, repeat: int) -> tuple[float, float]:
    engine = make_engine(url)
    store = SessionStore(engine, idle_seconds=1800)
    token = store.create("bench")
    try:
        return _timed(lambda: store.get(token), repeat)
    finally:
        engine.dispose()


def _requests(url: str, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    import re

    from fastapi.testclient import TestClient

    from clears.web.app import create_app
    from clears.web.settings import Settings

    settings = Settings(environment="test", secret_key="s" * 48, db_url=url)  # type: ignore[arg-type]
    app = create_app(settings)
    try:
        with TestClient(app, base_url="https://testserver") as client:
            page = client.get("/login")
            found = re.search(r'name="login_token" value="([^"]+)"', page.text)
            assert found
            data = {"username": "bench", "password": PASSWORD, "login_token": found.group(1)}
            assert client.post("/login", data=data, follow_redirects=False).status_code == 303
            bare = _timed(lambda: client.get("/healthz"), repeat)
            signed = _timed(lambda: client.get("/api/me"), repeat)
            return bare, signed
    finally:
        app.state.clears.registry.engine.dispose()


def _report(name: str, small: str, large: str, sessions: int, repeat: int) -> None:
    few = _lookup(small, repeat)
    many = _lookup(large, repeat)
    print(f"{name}: SessionStore.get, p50 / p95 ms")
    print(f"  10 sessions:        {few[0]:.2f} / {few[1]:.2f}")
    print(f"  {sessions:,} sessions: {many[0]:.2f} / {many[1]:.2f}")
    print(f"  ratio of p50s (large / small): {many[0] / few[0]:.2f}")
    print(f"  ratio of p95s (large / small): {many[1] / few[1]:.2f}")
    bare, signed = _requests(large, repeat)
    print(f"{name}: requests through the app, p50 / p95 ms")
    print(f"  GET /healthz (no session): {bare[0]:.2f} / {bare[1]:.2f}")
    print(f"  GET /api/me (session):     {signed[0]:.2f} / {signed[1]:.2f}")
    print(f"  ratio of p50s (/api/me / /healthz): {signed[0] / bare[0]:.2f}")


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=400)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small = f"sqlite:///{Path(folder) / 'small.db'}"
        large = f"sqlite:///{Path(folder) / 'large.db'}"
        _registry(small, 10)
        _registry(large, args.sessions)
        _report("SQLite", small, large, args.sessions, args.repeat)
    if args.postgres:
        engine = make_engine(args.postgres)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        _registry(args.postgres, args.sessions)
        few = _lookup(args.postgres, args.repeat)
        print(
            f"PostgreSQL ({args.sessions:,} sessions): get p50 / p95 ms {few[0]:.2f} / {few[1]:.2f}"
        )


if __name__ == "__main__":
    main()
