"""Load test of the web app: concurrent clients recording visits over the JSON API.

The app runs in a second process (``clears serve``) on loopback over a fresh registry
(SQLite, or with ``--pg`` PostgreSQL: ``$CLEARS_TEST_POSTGRES_URL`` or the tests' throwaway
cluster); this process drives ``--clients`` concurrent clients (asyncio + httpx), each signed
in, each recording visits for its own synthetic patient for ``--duration`` seconds (and at
most ``--max-requests`` visits per client). It reports throughput and p50/p95/p99 latency,
then checks that every acknowledged visit is in the database and that the audit chain
verifies. It also reports the CPU time the server's processes (the command, its
server workers and job worker) spent per acknowledged visit during the timed window (read
with psutil), which shows whether the server is CPU-bound.

Server settings under test (what ``clears serve`` runs): ``--workers`` uvicorn processes
(default 1; more than one needs ``--pg``: sessions and the sign-in limiter are in the
database, so any process serves any client), one job worker, uvicorn's default HTTP and
event-loop implementations, access log on (``log_level="info"``), the blocking routes on a
thread pool of ``clears.web.app.THREADS`` threads per process, request dependencies on the
event loop. On SQLite the registry is in WAL mode with ``synchronous=NORMAL`` and an
in-process writer lock before ``BEGIN IMMEDIATE``; on PostgreSQL writers queue on the audit
head row (``SELECT ... FOR UPDATE``). Each client keeps one connection; the kernel spreads
the connections over the worker processes.

Closed loop: each client sends its next visit when the previous one is answered, after
``--think-time`` seconds (default 0). With no think time the run measures the server at
saturation: the mean latency is then ``clients / throughput`` (Little's law), so a p95 under
100 ms with 50 clients would need about 500 visits/s. With a think time the clients behave
like people entering visits (a clinician does not save a visit the instant the last one is
saved), and the latency is that of a server below saturation. Both figures are reported by
the documentation; neither hides the other.

Usage::

    .venv/bin/python benchmarks/bench_web.py --clients 50 --duration 60
    .venv/bin/python benchmarks/bench_web.py --clients 50 --duration 60 --think-time 1
    .venv/bin/python benchmarks/bench_web.py --pg --workers 2 --clients 50 --duration 30
    .venv/bin/python benchmarks/bench_web.py --pg --compare-workers 1 2 --duration 30

``--compare-workers 1 2`` runs the same load once per server-process count, one after the
other, each on a fresh registry and a fresh server, and prints each run with the ratios of
its throughput and p95 to the first run's. Each run records the machine's load average
(``os.getloadavg()``) before and after it: other work on the machine takes cores from the
server, and a comparison is only fair when both runs saw about the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import sqlalchemy as sa

from _common import (
    PASSWORD,
    account,
    free_port,
    postgres_database,
    sign_in_async,
    tree_cpu_seconds,
    wait_until_up,
)
from clears.registry import Actor, audit, make_engine, migrate, transaction
from clears.registry._models import ENTITY_TABLES
from clears.registry.patients import create_centre


def _database(url: str) -> str:
    migrate.init(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        create_centre(session, actor=Actor.everywhere("bench"), code="BCN")
    engine.dispose()
    return url


@contextlib.contextmanager
def _registry(pg: bool) -> Iterator[str]:
    """Yield the URL of a fresh registry holding centre BCN: a SQLite file in a temporary
    folder, or (``pg``) a new database on a PostgreSQL server, dropped afterwards."""
    if not pg:
        with tempfile.TemporaryDirectory() as folder:
            yield _database(f"sqlite:///{Path(folder) / 'bench.db'}")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests
    from tests.registry._postgres import postgres_server

    with postgres_server() as (server, reason):
        if server is None:
            raise SystemExit(f"no PostgreSQL server: {reason}")
        url = postgres_database(server, "bench_web")
        try:
            yield _database(url)
        finally:
            engine = make_engine(server)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql('DROP DATABASE IF EXISTS "bench_web" WITH (FORCE)')
            engine.dispose()


async def _setup(client: httpx.AsyncClient, number: int) -> tuple[str, dict[str, str]]:
    headers = {"X-CSRF-Token": await sign_in_async(client, "bench", PASSWORD)}
    pid = f"BENCH-{number:03d}"
    created = await client.post(
        "/api/patients", headers=headers, json={"patient_id": pid, "centre": "BCN"}
    )
    assert created.status_code == 201, created.text
    return pid, headers


async def _client(
    client: httpx.AsyncClient,
    pid: str,
    headers: dict[str, str],
    stop_at: float,
    max_requests: int,
    latencies: list[float],
    acknowledged: dict[str, set[int]],
    errors: list[str],
    think_time: float,
) -> None:
    acknowledged[pid] = set()
    pauses = random.Random(pid)
    day = dt.date(1990, 1, 1)
    for n in range(max_requests):
        if time.perf_counter() >= stop_at:
            break
        values = {
            "visit_date": (day + dt.timedelta(days=n)).isoformat(),
            "clasi_scalp_ery": n % 4,
            "anc": 2.5,
        }
        start = time.perf_counter()
        response = await client.post(
            f"/api/patients/{pid}/records/visits", headers=headers, json={"values": values}
        )
        elapsed = time.perf_counter() - start
        if response.status_code == 201:
            latencies.append(elapsed)
            acknowledged[pid].add(response.json()["id"])
        else:
            errors.append(f"{response.status_code} {response.text[:200]}")
        if think_time > 0:
            # Exponential pauses (mean think_time, seeded per client): people do not save
            # in lock step, and fixed pauses would keep all clients in synchronised bursts.
            await asyncio.sleep(pauses.expovariate(1.0 / think_time))


def _per_visit(before: float | None, after: float | None, visits: int) -> float | None:
    """CPU milliseconds per acknowledged visit between two readings (``None`` if unknown)."""
    if before is None or after is None or not visits:
        return None
    return round((after - before) * 1000 / visits, 2)


def _database_server_pid(url: str) -> int | None:
    """The pid of the PostgreSQL server (the postmaster, parent of every backend) holding
    ``url``, the parent of a backend; ``None`` if it is not on this machine."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            try:  # while the backend runs (it ends with its connection)
                return int(psutil.Process(backend).ppid())
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                return None
    finally:
        engine.dispose()


async def _run(
    base: str,
    clients: int,
    duration: float,
    max_requests: int,
    server_pid: int,
    think_time: float,
    database_pid: int | None = None,
) -> dict[str, object]:
    latencies: list[float] = []
    acknowledged: dict[str, set[int]] = {}
    errors: list[str] = []
    limits = httpx.Limits(max_connections=1)
    sessions = [httpx.AsyncClient(base_url=base, timeout=30, limits=limits) for _ in range(clients)]
    try:
        # Sign-in (Argon2) and enrolment are set-up, outside the timed window.
        ready = await asyncio.gather(*(_setup(c, i) for i, c in enumerate(sessions)))
        cpu_before = tree_cpu_seconds(server_pid)
        database_before = None if database_pid is None else tree_cpu_seconds(database_pid)
        client_before = time.process_time()
        started = time.perf_counter()
        stop_at = started + duration
        await asyncio.gather(
            *(
                _client(
                    c,
                    pid,
                    headers,
                    stop_at,
                    max_requests,
                    latencies,
                    acknowledged,
                    errors,
                    think_time,
                )
                for c, (pid, headers) in zip(sessions, ready, strict=True)
            )
        )
        wall = time.perf_counter() - started
        cpu_after = tree_cpu_seconds(server_pid)
        database_after = None if database_pid is None else tree_cpu_seconds(database_pid)
        client_after = time.process_time()
    finally:
        for c in sessions:
            await c.aclose()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "think_time_s": think_time,
        "duration_s": round(wall, 1),
        "acknowledged_visits": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "throughput_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
        "server_cpu_ms_per_visit": _per_visit(cpu_before, cpu_after, len(latencies)),
        "database_cpu_ms_per_visit": _per_visit(database_before, database_after, len(latencies)),
        "client_cpu_ms_per_visit": _per_visit(client_before, client_after, len(latencies)),
        "_acknowledged": acknowledged,
    }


def _verify(url: str, acknowledged: dict[str, set[int]]) -> dict[str, object]:
    engine = make_engine(url)
    visits = ENTITY_TABLES["visits"]
    with transaction(engine) as session:
        stored = set(session.execute(sa.select(visits.c.id)).scalars())
        report = audit.verify(session)
    engine.dispose()
    wanted = set().union(*acknowledged.values()) if acknowledged else set()
    return {
        "acknowledged_in_database": len(wanted & stored),
        "acknowledged_missing": len(wanted - stored),
        "audit": report.to_text(),
    }


def _measure(args: argparse.Namespace, workers: int) -> dict[str, object]:
    """One run: a fresh registry, ``clears serve --workers workers``, the clients, the checks;
    with the load average of the machine before and after (other work on it slows the run)."""
    load_before = os.getloadavg()
    with _registry(args.pg) as url:
        account(url, "bench", PASSWORD, ["BCN"])
        port = free_port()
        env = {**os.environ, "CLEARS_ENVIRONMENT": "development", "CLEARS_LOGIN_ATTEMPTS": "100"}
        command = [sys.executable, "-c", "from clears.cli.main import run; run()", "serve"]
        command += ["--db", url, "--port", str(port), "--workers", str(workers)]
        server = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if not os.environ.get("BENCH_VERBOSE") else None,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, server, timeout=60)
            result = asyncio.run(
                _run(
                    base,
                    args.clients,
                    args.duration,
                    args.max_requests,
                    server.pid,
                    args.think_time,
                    _database_server_pid(url) if args.pg else None,
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
        acknowledged = result.pop("_acknowledged")
        assert isinstance(acknowledged, dict)
        backend = "postgresql" if args.pg else "sqlite"
        result = {"backend": backend, "workers": workers} | result
        result |= _verify(url, acknowledged)
    result["load_average_before"] = [round(x, 2) for x in load_before]
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _ok(result: dict[str, object]) -> bool:
    return result["acknowledged_missing"] == 0 and "intact" in str(result["audit"])


def _ratio(top: object, bottom: object) -> float | None:
    if isinstance(top, int | float) and isinstance(bottom, int | float) and bottom:
        return round(top / bottom, 2)
    return None


def _cpu_bound(run: dict[str, object]) -> float | None:
    """The visits per second this machine's cores could give at most, were they busy with
    nothing but this run's server, database and clients (their CPU per visit summed)."""
    parts = [run.get(f"{who}_cpu_ms_per_visit") for who in ("server", "database", "client")]
    cores = os.cpu_count()
    if not cores or not all(isinstance(p, int | float) and p > 0 for p in parts):
        return None
    return round(cores * 1000 / sum(p for p in parts if isinstance(p, int | float)), 1)


def _compared(runs: list[dict[str, object]]) -> dict[str, object]:
    """Each run's figures, and each run's throughput and p95 as ratios to the first run's."""
    first = runs[0]
    return {
        "runs": runs,
        "ratios_to_first": [
            {
                "workers": run["workers"],
                "throughput": _ratio(run["throughput_per_s"], first["throughput_per_s"]),
                "p95": _ratio(run["p95_ms"], first["p95_ms"]),
            }
            for run in runs
        ],
        "cpu_count": os.cpu_count(),
        "cpu_bound_visits_per_s": [_cpu_bound(run) for run in runs],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument(
        "--think-time",
        type=float,
        default=0.0,
        help="seconds a client waits after an answer before its next visit (0: saturation)",
    )
    parser.add_argument("--pg", action="store_true", help="the registry on PostgreSQL")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (more than 1 needs --pg)"
    )
    parser.add_argument(
        "--compare-workers",
        type=int,
        nargs="+",
        metavar="N",
        help="one run per server-process count, in this order, each on a fresh registry; "
        "prints every run and the ratios to the first (replaces --workers)",
    )
    args = parser.parse_args()
    if args.think_time < 0:
        parser.error("--think-time must be 0 or more seconds")
    counts = args.compare_workers or [args.workers]
    for count in counts:
        if count < 1 or (count > 1 and not args.pg):
            parser.error(f"--workers {count}: 1, or more than 1 with --pg")
    runs = [_measure(args, count) for count in counts]
    print(json.dumps(runs[0] if len(runs) == 1 else _compared(runs), indent=2))
    return 0 if all(_ok(run) for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
