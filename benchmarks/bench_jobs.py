"""Other users' requests while a study report is built: in a worker process vs in the server.

A simulated cohort is imported into a SQLite registry and the web app is served by uvicorn
(in a thread of this process, as ``clears serve`` runs it). A client requests ``/healthz``
(a thread-pool route, like every database route) one request after another and records the
latency in three phases:

1. idle;
2. while the report is built as a background job by a worker process (``clears jobs work``,
   as ``clears serve`` starts it);
3. while the same report is built in a thread of the server process (what the report page
   did before jobs: inside a request).

It prints each phase's median and 95th percentile and their ratios to idle, and the job's
wall time (submit to done, on a worker already running) against the report built
directly by the same code. Ratios are what to read (docs/registry.md, "Background jobs").

Run: .venv/bin/python benchmarks/bench_jobs.py [--n 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn

from _common import free_port
from clears.cli.demo import demo_cohort
from clears.registry import Actor, jobs, make_engine, migrate, transaction
from clears.registry.importer import import_cohort
from clears.web._job_runners import run_report
from clears.web.app import create_app
from clears.web.settings import Settings

ADMIN = Actor.everywhere("bench")


def _serve(url: str) -> tuple[uvicorn.Server, str]:
    settings = Settings(environment="test", secret_key="b" * 48, db_url=url)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _latencies(base: str, busy: Callable[[], bool], at_least: int = 50) -> list[float]:
    """Milliseconds of sequential ``/healthz`` requests while ``busy()`` (at least
    ``at_least`` of them)."""
    out: list[float] = []
    with httpx.Client(base_url=base) as client:
        while busy() or len(out) < at_least:
            start = time.perf_counter()
            client.get("/healthz").raise_for_status()
            out.append((time.perf_counter() - start) * 1000)
            time.sleep(0.01)
    return out


def _summary(name: str, values: list[float], idle: list[float] | None) -> str:
    p50 = statistics.median(values)
    p95 = statistics.quantiles(values, n=20)[-1]
    ratio = ""
    if idle is not None:
        base50, base95 = statistics.median(idle), statistics.quantiles(idle, n=20)[-1]
        ratio = f"  ×{p50 / base50:5.1f} ×{p95 / base95:6.1f}"
    return f"| {name:<34} | {len(values):>5} | {p50:7.1f} | {p95:8.1f} |{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2_000, help="simulated patients")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'clears.db'}"
        migrate.init(url)
        cohort, described = demo_cohort(args.n, 1)
        import_cohort(cohort, actor=ADMIN, url=url, today=dt.date(2030, 1, 1))
        engine = make_engine(url)
        server, base = _serve(url)
        try:
            idle = _latencies(base, lambda: False, at_least=200)

            # A worker already running, as clears serve keeps one: its first line says so.
            worker = subprocess.Popen(
                [sys.executable, "-m", "clears.cli.main", "jobs", "work"],
                env=os.environ | {"CLEARS_DB_URL": url},
                stderr=subprocess.PIPE,
                text=True,
            )
            assert worker.stderr is not None
            worker.stderr.readline()
            with transaction(engine) as session:
                job_id = jobs.submit(session, actor=ADMIN, kind="report").id
            start = time.perf_counter()

            def running() -> bool:
                with transaction(engine, write=False) as session:
                    return jobs.get(session, actor=ADMIN, job_id=job_id).active

            in_worker = _latencies(base, running)
            job_seconds = time.perf_counter() - start
            # The same report again on the now warm worker (its lazy imports done).
            with transaction(engine) as session:
                warm_id = jobs.submit(session, actor=ADMIN, kind="report").id
            while True:
                with transaction(engine, write=False) as session:
                    warm = jobs.get(session, actor=ADMIN, job_id=warm_id)
                if not warm.active:
                    break
                time.sleep(0.2)
            worker.terminate()
            worker.communicate(timeout=60)
            with transaction(engine) as session:
                job = jobs.get(session, actor=ADMIN, job_id=job_id)
            assert job.status == "done", job.error

            with transaction(engine) as session:
                jobs.submit(session, actor=ADMIN, kind="report")
                again = jobs.claim_next(session)
            assert again is not None
            done = threading.Event()
            took: list[float] = []

            def build() -> None:
                begun = time.perf_counter()
                run_report(engine, again, lambda _f, _p: None)
                took.append(time.perf_counter() - begun)
                done.set()

            threading.Thread(target=build, daemon=True).start()
            in_thread = _latencies(base, lambda: not done.is_set())
        finally:
            server.should_exit = True
            engine.dispose()
    print(f"report of {described}; /healthz latency in ms (ratios to idle: p50, p95)")
    print("| phase                              |     n |     p50 |      p95 |")
    print("|---|---|---|---|")
    print(_summary("idle", idle, None))
    print(_summary("report job in a worker process", in_worker, idle))
    print(_summary("report built in a server thread", in_thread, idle))
    assert job.started_at is not None
    assert job.finished_at is not None
    assert warm.started_at is not None
    assert warm.finished_at is not None
    waited = (job.started_at - job.created_at).total_seconds()
    ran = (job.finished_at - job.started_at).total_seconds()
    ran_warm = (warm.finished_at - warm.started_at).total_seconds()
    print(
        f"job, submit to done (a running worker): {job_seconds:.1f} s = {waited:.1f} s in the "
        f"queue + {ran:.1f} s running (the next one: {ran_warm:.1f} s); the report built "
        f"directly: {took[0]:.1f} s (running ×{ran / took[0]:.2f}, next ×{ran_warm / took[0]:.2f})"
    )


if __name__ == "__main__":
    main()
