"""Time and peak memory of the study report.

Without ``--db``, two runs: the 40-patient demo end to end (simulation, SQLite registry
import and export, report; goal: under 10 s) and the report of a 10,000-patient simulated
cohort (goal: under 60 s).

With ``--db URL``, the report of that registry as ``clears report --db`` makes it, stage by
stage: the export of the columns the report reads (:data:`clears.report.REPORT_COLUMNS`),
the build and the HTML, each in wall and CPU seconds, and the peak RSS (goal at 100,000
patients: under 60 s and 4 GB; ``benchmarks/README.md``, "The report at 100,000 patients").
Run the whole command under ``/usr/bin/time -v`` for the figure that counts start-up too.

Run: .venv/bin/python benchmarks/bench_report.py [--n 10000] [--db sqlite:///registry.db]
"""

from __future__ import annotations

import argparse
import getpass
import resource
import tempfile
import time
from pathlib import Path

from clears.cli.demo import demo_cohort, run_demo
from clears.report import build_report, write_html


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> str:
    wall, cpu = _clock()
    return f"{wall - start[0]:.1f} s wall, {cpu - start[1]:.1f} s CPU"


def registry(url: str, out: Path) -> None:
    """The report of the registry at ``url``, timed per stage."""
    from clears.registry import Actor, open_registry, transaction
    from clears.registry.exporter import export_cohort
    from clears.report import REPORT_COLUMNS

    whole = start = _clock()
    engine = open_registry(url)
    try:
        with transaction(engine, write=False) as session:
            actor = Actor.everywhere(getpass.getuser())
            cohort = export_cohort(actor=actor, session=session, columns=REPORT_COLUMNS)
    finally:
        engine.dispose()
    print(f"export ({len(cohort.patients)} patients, {len(cohort.visits)} visits): {_since(start)}")
    start = _clock()
    built = build_report(cohort)
    print(f"build: {_since(start)}")
    start = _clock()
    write_html(built, out)
    print(f"html: {_since(start)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report of {url}: {_since(whole)} (goal < 60 s); peak RSS {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--db", help="time the report of this registry instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.db:
            registry(args.db, Path(folder) / "registry.html")
            return
        start, cpu = time.perf_counter(), time.process_time()
        run = run_demo(Path(folder) / "demo", n=40, seed=2021)
        print(
            f"demo ({run.described}, registry {run.url}): "
            f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU "
            "(goal < 10 s)"
        )
        cohort, described = demo_cohort(args.n, 1)
        start = time.perf_counter()
        write_html(build_report(cohort), Path(folder) / "big.html")
        took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report of {described}: {took:.1f} s (goal < 60 s); peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
