"""Benchmark: peak memory of ``clears cohort validate`` on a large cohort vs a small one.

Run: ``.venv/bin/python benchmarks/bench_validate.py [--mb 200] [--baseline-mb 20]``

Simulates a 1,000-patient cohort (synthetic, ``clears simulate``), then writes cohorts of
about ``--baseline-mb`` and ``--mb`` megabytes by replicating it: replica *k* renames every
patient ``<id>-r<k>`` so ids stay unique and every row stays valid. Each cohort is validated
by ``clears cohort validate`` in a fresh child process; its peak resident memory is read with
``resource.getrusage(RUSAGE_CHILDREN)`` in a wrapper process whose only child it is. The
output gives the size, the wall time, the peak and the peak per megabyte of CSV, and the
ratio of the large cohort's peak to the small one's (both measured in this run).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

TABLES = ("patients", "treatments", "visits", "adverse_events", "flares", "concomitant_medications")
TODAY = "2100-01-01"

_PEAK = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.stderr.write(done.stdout[-400:] + done.stderr[-400:])"
)


def _seed(folder: Path, patients: int) -> Path:
    """A simulated cohort of ``patients`` patients in ``folder``."""
    command = [sys.executable, "-m", "clears.cli.main", "simulate", "--n", str(patients)]
    subprocess.run([*command, "--seed", "1", "--out", str(folder)], check=True, capture_output=True)
    return folder


def _size_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.glob("*.csv")) / 1e6


def _replicate(seed: Path, out: Path, target_mb: float) -> Path:
    """Write ``seed`` replicated until the CSV files hold about ``target_mb`` megabytes."""
    copies = max(1, round(target_mb / _size_mb(seed)))
    out.mkdir(parents=True)
    for table in TABLES:
        source = seed / f"{table}.csv"
        if not source.exists():
            continue
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        ids = frame["patient_id"]
        with (out / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            for k in range(copies):
                part = frame.assign(patient_id=ids + f"-r{k}")
                part.to_csv(handle, index=False, header=k == 0, lineterminator="\n")
    return out


def _measure(folder: Path) -> tuple[int, float, float]:
    """Exit code, seconds and peak RSS (MiB) of ``clears cohort validate folder``."""
    command = [sys.executable, "-m", "clears.cli.main", "cohort", "validate", str(folder)]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *command, "--today", TODAY],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    code, peak_kib = (int(v) for v in done.stdout.split())
    if code != 0:
        sys.stderr.write(done.stderr)
    return code, seconds, peak_kib / 1024


def main() -> None:
    """Build both cohorts, measure each in a fresh process and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the large cohort")
    parser.add_argument("--baseline-mb", type=float, default=20.0, help="size of the small one")
    parser.add_argument("--seed-patients", type=int, default=1000, help="patients replicated")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_validate_"))
    try:
        seed = _seed(work / "seed", args.seed_patients)
        rows = []
        for label, target in (("baseline", args.baseline_mb), ("large", args.mb)):
            folder = _replicate(seed, work / label, target)
            code, seconds, peak = _measure(folder)
            size = _size_mb(folder)
            rows.append((label, size, code, seconds, peak))
        print(f"{'cohort':<10}{'CSV MB':>9}{'exit':>6}{'seconds':>10}{'peak MiB':>10}{'MiB/MB':>8}")
        for label, size, code, seconds, peak in rows:
            print(
                f"{label:<10}{size:>9.1f}{code:>6}{seconds:>10.1f}{peak:>10.0f}{peak / size:>8.2f}"
            )
        base, large = rows
        print(
            f"peak ratio large/baseline: {large[4] / base[4]:.2f} "
            f"for {large[1] / base[1]:.1f}x the data; goal: large peak < 1024 MiB "
            f"({'met' if large[4] < 1024 else 'NOT met'})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
