"""CPU time of ``import_cohort`` into SQLite, and the share spent appending audit entries.

The cohort is ``bench_registry.simulated`` (as in ``bench_audit.py``), imported in this
process into a fresh SQLite file. Times are the process's CPU time (user + system), not wall
time: on a machine shared with other work the wall time of the same import varied threefold
between runs, its CPU time far less. To compare two versions of the code, run this once per
version with ``PYTHONPATH`` pointing at each ``src`` folder, alternately, and compare the
ratios.

Usage::

    .venv/bin/python benchmarks/bench_import_cpu.py --n 10000 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_registry import simulated
from clears.registry import Actor, audit, importer, migrate


def measure(folder: Path, n: int, visits: int) -> dict[str, float | int]:
    """Import ``n`` patients; CPU seconds of the import and of its audit appends."""
    url = f"sqlite:///{folder / f'cpu{n}.db'}"
    migrate.upgrade(url)
    cohort = simulated(n, visits, False, np.random.default_rng(n))
    spent = [0.0]
    original = importer.audit.append

    def timed(session: Any, *, actor: Actor, changes: Sequence[audit.Change]) -> list[int]:
        t = time.process_time()
        try:
            return original(session, actor=actor, changes=changes)
        finally:
            spent[0] += time.process_time() - t

    importer.audit.append = timed  # type: ignore[assignment]
    try:
        t0, w0 = time.process_time(), time.perf_counter()
        importer.import_cohort(cohort, actor=Actor.everywhere("bench"), url=url,
                               today=dt.date(2030, 1, 1))  # fmt: skip
        cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    finally:
        importer.audit.append = original
    return {
        "n": n,
        "import_cpu_s": round(cpu, 1),
        "audit_cpu_s": round(spent[0], 1),
        "audit_share": round(spent[0] / cpu, 2),
        "wall_s": round(wall, 1),
    }


def main() -> None:
    """Run the benchmark and print one JSON line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--visits", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.n:
            print(json.dumps(measure(Path(folder), n, args.visits)), flush=True)


if __name__ == "__main__":
    main()
