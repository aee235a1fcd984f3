"""A large ``clears import`` while the web app is in use: read and save latency, status codes.

A registry (SQLite file, or PostgreSQL with ``--pg``) holding ``--existing`` simulated
patients (preset ``cortes2012``) is served by ``clears serve`` in a second process. This
process drives ``--readers`` clients that read patient pages (HTML) and the patient API,
one after the other, with a short pause between reads, and one client that saves a visit
over the API every ``--save-every`` seconds. After ``--before`` seconds a third process runs
``clears import`` of a simulated cohort of ``--n`` patients (preset ``aitmehdi2021``, made
with ``clears simulate`` before the timed window). The clients go on until the import has
ended, and ``--after`` seconds more.

Reported per phase (before, during and after the import): p50/p95/max latency of reads and
of saves and the count of each status code; then the import's wall time and exit code, and
the patients in the registry at the end (all-or-nothing: ``existing + n`` after a
successful import). While the import runs, the readers also count the patients (``GET
/api/patients``) and the run fails when a count other than ``existing`` or ``existing + n``
is seen (a partial import visible).

Usage::

    .venv/bin/python benchmarks/bench_import_live.py --n 20000
    .venv/bin/python benchmarks/bench_import_live.py --n 20000 --pg
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from _common import PASSWORD, account, free_port, sign_in_async, wait_until_up
from clears.registry import Actor, make_engine, migrate, transaction
from clears.registry.importer import import_cohort

REPO = Path(__file__).resolve().parents[1]
CENTRES = ("BCN-VHEBRON", "PAR-COCHIN", "PAR-PSL", "PAR-STANTOINE", "PAR-TENON")
TODAY = "2030-01-01"


@dataclass
class Phase:
    """What the clients saw in one phase."""

    reads: list[float] = field(default_factory=list)
    saves: list[float] = field(default_factory=list)
    read_status: Counter[int] = field(default_factory=Counter)
    save_status: Counter[int] = field(default_factory=Counter)


@dataclass
class Run:
    """The whole run: phases, the patient counts seen during the import, the import."""

    phases: dict[str, Phase] = field(
        default_factory=lambda: {"before": Phase(), "during": Phase(), "after": Phase()}
    )
    phase: str = "before"
    counts: Counter[int] = field(default_factory=Counter)
    stop: bool = False


def _clears(*args: str) -> list[str]:
    return [sys.executable, "-c", "from clears.cli.main import run; run()", *args]


@contextmanager
def _postgres() -> Iterator[str]:
    sys.path.insert(0, str(REPO))
    from tests.registry._postgres import postgres_server

    with postgres_server() as (url, reason):
        if url is None:
            raise SystemExit(f"no PostgreSQL server: {reason}")
        yield url


def _registry(url: str, folder: Path, existing: int) -> list[str]:
    """Migrate ``url``, import ``existing`` patients; their ids."""
    migrate.upgrade(url)
    cohort = folder / "existing"
    subprocess.run(
        _clears("simulate", "--preset", "cortes2012", "--n", str(existing), "--out", str(cohort)),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    import_cohort(
        cohort, actor=Actor.everywhere("bench"), url=url, today=dt.date.fromisoformat(TODAY)
    )
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            ids = session.execute(sa.text("SELECT patient_id FROM patients")).scalars().all()
    finally:
        engine.dispose()
    return [str(pid) for pid in ids]


def _patients(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM patients")).scalar_one())
    finally:
        engine.dispose()


async def _reader(
    client: httpx.AsyncClient, run: Run, ids: list[str], seed: int, pause: float, known: set[int]
) -> None:
    pick = random.Random(seed)
    n = 0
    while not run.stop:
        pid = pick.choice(ids)
        path = (f"/patients/{pid}", f"/api/patients/{pid}", "/api/patients")[n % 3]
        n += 1
        phase = run.phases[run.phase]
        start = time.perf_counter()
        try:
            response = await client.get(path)
            status = response.status_code
        except httpx.TimeoutException:
            status = 0  # no answer within the client's timeout
        phase.reads.append(time.perf_counter() - start)
        phase.read_status[status] += 1
        if path == "/api/patients" and status == 200 and run.phase == "during":
            listed = response.json()
            total = len(listed) if isinstance(listed, list) else listed.get("total")
            if isinstance(total, int):
                run.counts[total] += 1
                if total not in known:
                    print(f"partial import visible: {total} patients", file=sys.stderr)
        await asyncio.sleep(pick.expovariate(1.0 / pause))


async def _saver(client: httpx.AsyncClient, run: Run, every: float) -> None:
    headers = {"X-CSRF-Token": await sign_in_async(client, "bench", PASSWORD)}
    created = await client.post(
        "/api/patients", headers=headers, json={"patient_id": "BENCH-SAVE", "centre": CENTRES[0]}
    )
    assert created.status_code == 201, created.text
    day = dt.date(1990, 1, 1)
    n = 0
    while not run.stop:
        phase = run.phases[run.phase]
        values = {"visit_date": (day + dt.timedelta(days=n)).isoformat(), "anc": 2.5}
        start = time.perf_counter()
        try:
            response = await client.post(
                "/api/patients/BENCH-SAVE/records/visits", headers=headers, json={"values": values}
            )
            status = response.status_code
        except httpx.TimeoutException:
            status = 0
        phase.saves.append(time.perf_counter() - start)
        phase.save_status[status] += 1
        if status == 201:
            n += 1
        await asyncio.sleep(every)


def _figures(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    many = len(values) > 1
    cuts = statistics.quantiles(values, n=100, method="inclusive") if many else values * 99
    return {
        "n": len(values),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


async def _drive(
    base: str, args: argparse.Namespace, ids: list[str], env: dict[str, str]
) -> dict[str, object]:
    run = Run()
    known = {len(ids) + 1, len(ids) + 1 + args.n}  # +1: the saver's own patient
    timeout = httpx.Timeout(60.0)
    readers = [httpx.AsyncClient(base_url=base, timeout=timeout) for _ in range(args.readers)]
    saver = httpx.AsyncClient(base_url=base, timeout=timeout)
    try:
        for client in readers:
            await sign_in_async(client, "bench", PASSWORD)
        tasks = [
            asyncio.create_task(_reader(c, run, ids, i, args.pause, known))
            for i, c in enumerate(readers)
        ]
        tasks.append(asyncio.create_task(_saver(saver, run, args.save_every)))
        await asyncio.sleep(args.before)
        run.phase = "during"
        started = time.perf_counter()
        child = await asyncio.create_subprocess_exec(
            *_clears("import", args.cohort, "--db", args.url, "--today", TODAY),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await child.communicate()
        seconds = time.perf_counter() - started
        run.phase = "after"
        await asyncio.sleep(args.after)
        run.stop = True
        await asyncio.gather(*tasks)
    finally:
        for client in [*readers, saver]:
            await client.aclose()
    return {
        "import_s": round(seconds, 1),
        "import_exit": child.returncode,
        "import_stderr": stderr.decode()[-500:] if child.returncode else "",
        "patient_counts_seen_during": dict(sorted(run.counts.items())),
        "partial_seen": sorted(set(run.counts) - known),
        "phases": {
            name: {
                "reads": _figures(phase.reads),
                "read_status": dict(sorted(phase.read_status.items())),
                "saves": _figures(phase.saves),
                "save_status": dict(sorted(phase.save_status.items())),
            }
            for name, phase in run.phases.items()
        },
    }


def _serve(url: str, folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    account(url, "bench", PASSWORD, ["*"])
    port = free_port()
    server = subprocess.Popen(
        [*_clears("serve", "--db", url, "--port", str(port))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, server)
    return server, base


def main() -> int:
    """Run the benchmark and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="patients imported")
    parser.add_argument("--existing", type=int, default=500, help="patients already there")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.2, help="mean seconds between reads")
    parser.add_argument("--save-every", type=float, default=1.0)
    parser.add_argument("--before", type=float, default=15.0)
    parser.add_argument("--after", type=float, default=10.0)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    env = {
        **os.environ,
        "CLEARS_ENVIRONMENT": "development",
        "CLEARS_LOGIN_ATTEMPTS": "100",
        "CLEARS_AUDIT_KEY": os.environ.get("CLEARS_AUDIT_KEY", "bench-" + "k" * 40),
    }
    os.environ["CLEARS_AUDIT_KEY"] = env["CLEARS_AUDIT_KEY"]
    with tempfile.TemporaryDirectory() as name, _postgres() if args.pg else nullcontext() as pg:
        folder = Path(name)
        args.url = pg if pg is not None else f"sqlite:///{folder / 'live.db'}"
        if pg is not None:
            engine = make_engine(pg)
            with engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        ids = _registry(args.url, folder, args.existing)
        args.cohort = str(folder / "cohort")
        subprocess.run(
            _clears("simulate", "--n", str(args.n), "--out", args.cohort),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server, base = _serve(args.url, folder, env)
        try:
            result = asyncio.run(_drive(base, args, ids, env))
        finally:
            server.terminate()
            server.wait(timeout=30)
        result = {
            "backend": "postgresql" if pg is not None else "sqlite",
            "n": args.n,
            "existing": len(ids),
            **result,
            "patients_at_end": _patients(args.url),
        }
    print(json.dumps(result, indent=2))
    return 0 if result["import_exit"] == 0 and not result["partial_seen"] else 1


if __name__ == "__main__":
    sys.exit(main())
