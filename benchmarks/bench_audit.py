"""Benchmark ``clears audit verify`` (keyed chain and row reconciliation) on large registries.

Goal (data-integrity issue): verify a 100,000-patient registry with memory that does not
grow with the registry (the walk reads entries in chunks, the reconciliation patients in
chunks) and time about linear in its size.

Usage::

    .venv/bin/python benchmarks/bench_audit.py --n 100000 [--small 10000] [--visits 6]

Two SQLite registries of the synthetic cohort of ``bench_registry.py`` (``--small`` and
``--n`` patients) are imported, timing the share of the import spent appending audit
entries (every imported row has its own entry). ``clears audit verify`` then runs on each
in a fresh process (wall time and the child's own peak RSS, as in ``bench_registry.py``),
and in process the chain walk alone is timed against the whole verify, for the ratio the
reconciliation adds. Figures are printed as ratios: large/small time (linear would be
n/small), large/small peak memory (bounded would be near 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_registry import _clears, run_measured, simulated
from clears.registry import Actor, audit, importer, make_engine, migrate, transaction


def build(folder: Path, n: int, visits: int) -> tuple[str, float, float]:
    """A registry of ``n`` patients; its URL, import seconds and seconds spent auditing."""
    url = f"sqlite:///{folder / f'audit{n}.db'}"
    migrate.upgrade(url)
    cohort = simulated(n, visits, False, np.random.default_rng(n))
    spent = [0.0]
    original = importer.audit.append

    def timed(session: Any, *, actor: Actor, changes: Sequence[audit.Change]) -> list[int]:
        t = time.perf_counter()
        try:
            return original(session, actor=actor, changes=changes)
        finally:
            spent[0] += time.perf_counter() - t

    importer.audit.append = timed  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        importer.import_cohort(cohort, actor=Actor.everywhere("bench"), url=url,
                               today=dt.date(2030, 1, 1))  # fmt: skip
        seconds = time.perf_counter() - t0
    finally:
        importer.audit.append = original
    return url, seconds, spent[0]


def in_process(url: str) -> tuple[float, float, int, int]:
    """Seconds of the chain walk alone and of the whole verify; entries and rows checked."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            key = audit.resolve_audit_key(engine.url)
            t0 = time.perf_counter()
            walk = audit._walk(session, key, None, 10_000)
            t1 = time.perf_counter()
            report = audit.verify(session)
            t2 = time.perf_counter()
    finally:
        engine.dispose()
    assert report.ok, report.to_text()
    assert not walk.problems
    return t1 - t0, t2 - t1, report.entries, report.rows


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=6)
    args = parser.parse_args()
    clears = _clears()
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in (args.small, args.n):
            url, imported, auditing = build(Path(folder), n, args.visits)
            cli = run_measured([clears, "audit", "verify", "--db", url])
            figures[n] = (imported, auditing, cli, *in_process(url))
    for n, (imported, auditing, (seconds, peak), walk, whole, entries, rows) in figures.items():
        print(
            f"{n:7d} patients: {entries} entries, {rows} rows; import {imported:.1f} s "
            f"({100 * auditing / imported:.0f}% appending audit entries); "
            f"clears audit verify {seconds:.1f} s, peak RSS {peak:.0f} MB; in process "
            f"chain walk {walk:.1f} s, whole verify {whole:.1f} s "
            f"(reconciliation x{whole / walk:.1f} the walk)"
        )
    small, large = figures[args.small], figures[args.n]
    print(
        f"large/small: patients x{args.n / args.small:.0f}, verify time "
        f"x{large[2][0] / small[2][0]:.1f} (linear: x{args.n / args.small:.0f}), "
        f"peak RSS x{large[2][1] / small[2][1]:.2f} (bounded: near x1)"
    )


if __name__ == "__main__":
    main()
