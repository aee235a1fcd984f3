"""Time and peak memory of the study report.

Two runs: the 40-patient demo end to end (simulation, SQLite registry import and export,
report; goal: under 10 s) and the report of a 10,000-patient simulated cohort (goal: under
60 s).

Run: .venv/bin/python benchmarks/bench_report.py [--n 10000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from clears.cli.demo import demo_cohort, run_demo
from clears.report import build_report, write_html


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
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
