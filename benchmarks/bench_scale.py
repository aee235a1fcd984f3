"""Benchmark one patient's pages at registry scale: 1,000 against 100,000 simulated patients.

Goal (issue "the registry at network scale"): in a registry of 100,000 simulated patients, on
SQLite and on PostgreSQL, the patient page, the visit form (new and edit), a visit save,
decision support (``/api/patients/{id}/advice``) and the record API read for one patient each
answer with p95 under 150 ms, and within 1.5 times the same measure in a 1,000-patient
registry (the ratio is the figure that matters; the milliseconds depend on the machine).

Usage::

    .venv/bin/python benchmarks/bench_scale.py --keep /tmp/clears-scale [--pg] [--requests 40]

Each registry is built once (``clears.simulate.simulate`` with preset aitmehdi2021, then
:func:`clears.registry.importer.import_cohort`; 100,000 patients take several minutes) and,
with ``--keep DIR``, kept in DIR for the next run (``DIR/scale-<n>.db``; with ``--pg`` a
PostgreSQL cluster in ``DIR/pg`` started as the registry tests start theirs,
``tests/registry/_postgres.py``, one database per size). A kept registry is upgraded to the
newest revision before it is measured. Without ``--keep`` everything lives in a temporary
folder. ``$CLEARS_TEST_POSTGRES_URL`` names a server to use instead of a local cluster.

The app runs under uvicorn in a subprocess, as ``clears serve`` runs it, with one addition:
a SQLAlchemy ``before_cursor_execute`` listener counts the statements the server sends, read
through an extra ``/_bench/statements`` route, so that every measure also reports its SQL
statements per request (requests are sent one after another, so the difference between two
readings is one request's). Both sizes are served at once, each by its own server and
signed-in httpx client, and take turns request by request (the order alternating), so the load
of a shared machine falls on both alike. Each measure sends ``--requests`` requests per size,
each for one of ``--patients`` patients drawn with a fixed seed, after two warm-up rounds; the
report gives p50 and p95 in milliseconds, the ratio 100,000 / 1,000 of each p95, the server's
CPU time per request (mean; read with psutil, which the load of other processes does not
inflate) and the statement count. Saves add one visit to a drawn patient per
request (dated in 2025 or 2026, before the real today); a kept registry grows by that much.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np
import sqlalchemy as sa

from _common import (
    PASSWORD,
    account,
    cpu_seconds,
    free_port,
    postgres_database,
    sign_in,
    wait_until_up,
)
from clears.registry import Actor, make_engine, migrate
from clears.registry._models import ENTITY_TABLES, patients_table
from clears.registry.importer import import_cohort
from clears.simulate import simulate

ACTOR = Actor.everywhere("bench")
#: The import's "today": simulated follow-up runs into the coming years.
TODAY = dt.date(2030, 1, 1)
SIZES = (1_000, 100_000)
visits_table = ENTITY_TABLES["visits"]
#: A prepared request; sending it is what is timed.
Send = Callable[[], httpx.Response]

#: The server: the app as ``clears serve`` builds it, plus a statement counter.
SERVER = """
import sys
import uvicorn
from sqlalchemy import event
from clears.registry import open_registry
from clears.web.app import create_app
from clears.web.settings import Settings

url, port = sys.argv[1], int(sys.argv[2])
settings = Settings(db_url=url, environment="development",
                    secret_key="b" * 48, login_attempts=100)
engine = open_registry(url)
count = [0]

@event.listens_for(engine, "before_cursor_execute")
def _count(*args, **kwargs):
    count[0] += 1

app = create_app(settings, engine=engine)
app.add_api_route("/_bench/statements", lambda: {"statements": count[0]})
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def _patients(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("patients"):
                return 0
            found = connection.execute(sa.select(sa.func.count()).select_from(patients_table))
            return int(found.scalar_one())
    finally:
        engine.dispose()


def build(url: str, n: int, seed: int) -> float:
    """Make ``url`` a registry of ``n`` simulated patients (reused when it holds them);
    return the seconds spent building (0 when reused)."""
    migrate_started = time.perf_counter()
    if _patients(url) == n:
        migrate.upgrade(url)  # a kept registry gets the newest revision
        return 0.0
    if _patients(url):
        raise SystemExit(f"{url} holds another registry; remove it or choose another --keep")
    started = time.perf_counter()
    migrate.upgrade(url)
    cohort = simulate("aitmehdi2021", n, np.random.default_rng(seed))
    print(f"  simulated {n} patients in {time.perf_counter() - started:.0f} s", flush=True)
    import_cohort(cohort, actor=ACTOR, url=url, today=TODAY)
    return time.perf_counter() - migrate_started


@contextlib.contextmanager
def _postgres(keep: Path | None) -> Iterator[Callable[[str], str]]:
    """Yield a function naming the URL of a database on a PostgreSQL server (created when
    missing): ``$CLEARS_TEST_POSTGRES_URL``, else the tests' throwaway cluster, else (with
    ``--keep``) a cluster kept in ``DIR/pg``."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests
    from tests.registry import _postgres as pg

    given = os.environ.get(pg.ENV_URL)
    if given or keep is None:
        with pg.postgres_server() as (server, reason):
            if server is None:
                raise SystemExit(f"no PostgreSQL server: {reason}")
            yield lambda name: postgres_database(server, name, keep=True)
        return
    bin_dir = pg._bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (run the registry tests once to install it)")
    folder = keep / "pg"
    data = folder / "data"
    if not data.exists():
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        subprocess.run(pg._as_postgres(initdb), capture_output=True, check=True)
    port = free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(bin_dir / "pg_ctl")
    log = folder / "server.log"
    start = [pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
    subprocess.run(pg._as_postgres(start), capture_output=True, check=True)
    try:
        server = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        yield lambda name: postgres_database(server, name, keep=True)
    finally:
        stop = [pg_ctl, "-D", str(data), "-m", "fast", "stop"]
        subprocess.run(pg._as_postgres(stop), capture_output=True, check=False)


def _drawn(url: str, count: int, seed: int) -> list[tuple[str, int]]:
    """``count`` patients with at least one visit, drawn with ``seed``: (id, a visit id)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(patients_table.c.patient_id, sa.func.min(visits_table.c.id))
                .join(visits_table, visits_table.c.patient_key == patients_table.c.id)
                .group_by(patients_table.c.patient_id)
                .order_by(patients_table.c.patient_id)
            ).all()
    finally:
        engine.dispose()
    chosen = random.Random(seed).sample(range(len(rows)), min(count, len(rows)))
    return [(str(rows[i][0]), int(rows[i][1])) for i in chosen]


@contextlib.contextmanager
def _server(url: str) -> Iterator[tuple[str, int]]:
    """Serve ``url``; yield the base URL and the server's process id."""
    account(url, "bench", PASSWORD, ["*"])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, url, str(port)],
        env={**os.environ, "CLEARS_ENVIRONMENT": "development"},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _statements(client: httpx.Client) -> int:
    return int(client.get("/_bench/statements").json()["statements"])


def _visit_form(client: httpx.Client, pid: str) -> dict[str, str]:
    page = client.get(f"/patients/{pid}/visits/new")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    if token is None:
        raise SystemExit(f"no form token on the visit form of {pid}")
    return {"form_token": token.group(1)}


@dataclasses.dataclass(frozen=True)
class Target:
    """One registry under test: its signed-in client, CSRF token, drawn patients and the
    server's process id."""

    client: httpx.Client
    csrf: str
    patients: list[tuple[str, int]]
    pid: int


def _routes(target: Target, days: random.Random) -> dict[str, Callable[[str, int], Send]]:
    """Each measure prepares a request for (patient, one of their visits); sending it is
    what is timed (the form read before a save is not)."""
    client = target.client

    def get(path: str) -> Send:
        return lambda: client.get(path)

    def save(pid: str) -> Send:
        form = _visit_form(client, pid)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=days.randrange(600))
        activity = str(days.randrange(40))
        form |= {"csrf_token": target.csrf, "visit_date": day.isoformat(), "clasi_a": activity}
        return lambda: client.post(f"/patients/{pid}/visits/new", data=form)

    return {
        "patient page": lambda pid, _v: get(f"/patients/{pid}"),
        "visit form (new)": lambda pid, _v: get(f"/patients/{pid}/visits/new"),
        "visit form (edit)": lambda pid, v: get(f"/patients/{pid}/records/visits/{v}/edit"),
        "visit save": lambda pid, _v: save(pid),
        "advice": lambda pid, _v: get(f"/api/patients/{pid}/advice"),
        "record API read": lambda pid, _v: get(f"/api/patients/{pid}/records/visits"),
    }


def _measures(targets: dict[int, Target], requests: int) -> dict[int, dict[str, dict[str, float]]]:
    """p50, p95 (ms) and statements per request of each measure, for each size.

    The sizes take turns request by request (the order alternating), so that the load of a
    shared machine falls on both alike and their ratio stays meaningful.
    """
    # Unseeded: a kept registry already holds the visits earlier runs saved, and a visit
    # equal to a stored one is refused as a copy (409).
    days = random.Random()
    routes = {n: _routes(target, days) for n, target in targets.items()}
    sizes = list(targets)
    results: dict[int, dict[str, dict[str, float]]] = {n: {} for n in sizes}
    for name in routes[sizes[0]]:
        times: dict[int, list[float]] = {n: [] for n in sizes}
        counts: dict[int, list[int]] = {n: [] for n in sizes}
        cpus: dict[int, list[float]] = {n: [] for n in sizes}
        for i in range(-2, requests):  # two warm-up rounds: caches, first query compilations
            for n in sizes if i % 2 else sizes[::-1]:
                target = targets[n]
                pid, visit = target.patients[i % len(target.patients)]
                send = routes[n][name](pid, visit)
                before = _statements(target.client)
                cpu = cpu_seconds(target.pid) or 0.0
                started = time.perf_counter()
                answer = send()
                elapsed = time.perf_counter() - started
                if answer.status_code not in (200, 303):
                    raise SystemExit(f"{name} for {pid}: {answer.status_code} {answer.text[:300]}")
                if i >= 0:
                    times[n].append(elapsed)
                    cpus[n].append((cpu_seconds(target.pid) or 0.0) - cpu)
                    counts[n].append(_statements(target.client) - before)
        for n in sizes:
            cuts = statistics.quantiles(times[n], n=100)
            results[n][name] = {
                "p50_ms": round(cuts[49] * 1000, 1),
                "p95_ms": round(cuts[94] * 1000, 1),
                "statements": max(counts[n]),
                "cpu_ms": round(statistics.fmean(cpus[n]) * 1000, 1),  # ticks: the mean
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the registries here once and reuse them")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL as well as SQLite")
    parser.add_argument("--no-sqlite", action="store_true", help="with --pg: PostgreSQL only")
    parser.add_argument("--requests", type=int, default=40, help="requests per measure")
    parser.add_argument("--patients", type=int, default=20, help="patients drawn per size")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(
        "--sizes", type=int, nargs=2, default=SIZES, metavar=("SMALL", "LARGE"), help="patients"
    )
    parser.add_argument("--build-only", action="store_true", help="build the registries, stop")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        backends: dict[str, Callable[[int], str]] = {
            "sqlite": lambda n: f"sqlite:///{folder / f'scale-{n}.db'}"
        }
        if args.no_sqlite:
            backends.clear()
        if args.pg:
            named = stack.enter_context(_postgres(args.keep))
            backends["postgresql"] = lambda n: named(f"scale_{n}")
        report: dict[str, dict[int, dict[str, dict[str, float]]]] = {}
        for backend, url_of in backends.items():
            urls = {n: url_of(n) for n in args.sizes}
            for n, url in urls.items():
                print(f"{backend}, {n} patients:", flush=True)
                seconds = build(url, n, args.seed)
                if seconds:
                    print(f"  built in {seconds:.0f} s", flush=True)
            if args.build_only:
                continue
            with contextlib.ExitStack() as servers:
                targets = {}
                for n, url in urls.items():
                    base, pid = servers.enter_context(_server(url))
                    client = servers.enter_context(httpx.Client(base_url=base, timeout=60))
                    targets[n] = Target(
                        client,
                        sign_in(client, "bench", PASSWORD),
                        _drawn(url, args.patients, args.seed),
                        pid,
                    )
                report[backend] = _measures(targets, args.requests)
        if args.build_only:
            return 0
    return _print(report, args.sizes)


def _print(report: dict[str, dict[int, dict[str, dict[str, float]]]], sizes: list[int]) -> int:
    small, large = sizes
    ok = True
    for backend, by_size in report.items():
        print(f"\n{backend}: p50 / p95 ms, ratio of p95, server CPU ms (mean), SQL statements")
        print(
            f"{'measure':<20}{small:>8} p50{small:>8} p95{large:>9} p50{large:>9} p95"
            f"{'ratio':>8}{'cpu ms':>12}{'stmts':>8}"
        )
        for name, at_small in by_size[small].items():
            at_large = by_size[large][name]
            ratio = at_large["p95_ms"] / at_small["p95_ms"]
            flags = at_large["p95_ms"] >= 150 or ratio > 1.5
            ok = ok and not flags
            counts = f"{at_small['statements']:.0f}/{at_large['statements']:.0f}"
            cpu = f"{at_small['cpu_ms']:.0f}/{at_large['cpu_ms']:.0f}"
            print(
                f"{name:<20}{at_small['p50_ms']:>12}{at_small['p95_ms']:>12}"
                f"{at_large['p50_ms']:>13}{at_large['p95_ms']:>13}{ratio:>8.2f}{cpu:>12}"
                f"{counts:>8}" + ("  (goal missed)" if flags else "")
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
