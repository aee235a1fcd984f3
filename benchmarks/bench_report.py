"""Time and peak memory of the study report.

Two runs: a 10,000-patient simulated cohort (goal: under 60 s) and the 40-patient demo end
to end, simulation included (goal: under 10 s). Without the simulator, the 10,000-patient
cohort is the bundled example cohort copied under new patient ids.

Run: .venv/bin/python benchmarks/bench_report.py [--n 10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from clears.cli.demo import demo_cohort
from clears.cohort import TABLES, Cohort, read
from clears.report import build_report, write_html

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cohort"


def _copies(n: int) -> Cohort:
    base = read(EXAMPLE)
    reps = -(-n // base.n_patients)
    tables = {}
    for name in TABLES:
        frame = base.table(name)
        parts = [frame.assign(patient_id=frame["patient_id"] + f"-{k}") for k in range(reps)]
        tables[name] = pd.concat(parts, ignore_index=True)
    return dataclasses.replace(base, **tables, source=f"example x {reps}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        cohort, described = demo_cohort(40, 2021)
        write_html(build_report(cohort), Path(folder) / "demo.html")
        print(f"demo ({described}): {time.perf_counter() - start:.1f} s (goal < 10 s)")
        try:
            cohort, described = demo_cohort(args.n, 1)
            if cohort.n_patients < args.n:
                raise ImportError
        except ImportError:
            cohort, described = _copies(args.n), f"{args.n} copied example patients"
        start = time.perf_counter()
        write_html(build_report(cohort), Path(folder) / "big.html")
        took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report of {described}: {took:.1f} s (goal < 60 s); peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
