"""Benchmark the registry: import and export of a simulated cohort, one patient's timeline.

Goals (issue 7): a 100,000-patient cohort imported into SQLite and exported again in under
60 s each way with peak memory under 2 GB; one patient's full timeline in under 10 ms.

Usage::

    .venv/bin/python benchmarks/bench_registry.py --n 100000 [--visits 6] [--items]

The cohort is synthetic (numpy Generator with a fixed seed): two lenalidomide periods and
``--visits`` visits per patient with CLASI totals and labs; ``--items`` adds item-level CLASI.

Memory is measured as a user meets it: the cohort is written once as a CSV folder, then
``clears import DIR --db URL`` and ``clears export --db URL --out DIR`` each run in a fresh
subprocess, whose own peak resident set size comes from ``os.wait4`` (the kernel's rusage of
that one child, so one command's peak never hides another's). The in-process figures
(import and export of the cohort held in memory, and the timeline) follow; their peak RSS is
the benchmark process's, which also holds the generated cohort and the exported copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from clears._exceptions import Problem
from clears.cohort import Cohort, conform, write
from clears.cohort._coerce import display_value
from clears.cohort._cross_checks import _overlapping_periods
from clears.cohort._periods import _describe
from clears.instruments import clasi
from clears.registry import Actor, make_engine, migrate, transaction
from clears.registry.exporter import export_cohort
from clears.registry.importer import import_cohort
from clears.registry.patients import timeline


def simulated(n: int, visits: int, items: bool, rng: np.random.Generator) -> Cohort:
    """A valid synthetic cohort of ``n`` patients."""
    ids = np.array([f"S{i:07d}" for i in range(n)], dtype=object)
    start = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    patients = pd.DataFrame(
        {
            "patient_id": ids,
            "centre": rng.choice(["BCN", "LYO", "PAR", "NYC"], n),
            "sex": rng.choice(["female", "male"], n, p=[0.8, 0.2]),
            "birth_year": rng.integers(1940, 2000, n),
            "sle": rng.random(n) < 0.3,
        }
    )
    switch = start + pd.Timedelta(days=84)
    treatments = pd.DataFrame(
        {
            "patient_id": np.repeat(ids, 2),
            "drug": "lenalidomide",
            "start_date": np.column_stack([start, switch]).ravel(),
            "dose_mg_per_day": np.tile([10.0, 5.0], n),
            "end_date": np.column_stack([switch, switch + pd.Timedelta(days=180)]).ravel(),
        }
    )
    days = np.arange(visits) * 28
    visit_dates = np.repeat(start.to_numpy(), visits) + np.tile(days, n).astype("timedelta64[D]")
    m = n * visits
    visit_frame: dict[str, object] = {
        "patient_id": np.repeat(ids, visits),
        "visit_date": visit_dates,
        "hb": np.round(rng.normal(13, 1, m), 1),
        "anc": np.round(rng.uniform(1.5, 6, m), 2),
        "platelets": np.round(rng.uniform(150, 400, m)),
    }
    if items:
        for field in clasi.DEFINITION.fields:
            visit_frame[field.column] = rng.choice(np.array(field.item.codes[:2]), m)
    else:
        visit_frame["clasi_a"] = rng.integers(0, 30, m).astype(float)
    empty_ae = pd.DataFrame(columns=["patient_id", "onset_date", "term", "grade"])
    empty_flares = pd.DataFrame(columns=["patient_id", "flare_date", "severity"])
    return Cohort(
        patients, treatments, pd.DataFrame(visit_frame), empty_ae, empty_flares, source="simulated"
    )


def per_group_overlaps(treatments: pd.DataFrame, file: str) -> list[Problem]:
    """The overlap check as it was before vectorising: one pandas sort per (patient, drug)."""
    periods = pd.DataFrame(
        {
            "patient_id": treatments["patient_id"].astype(object),
            "drug": treatments["drug"].astype(object),
            "start": treatments["start_date"],
            "end": treatments["end_date"],
            "row": np.arange(1, len(treatments) + 1),
        }
    ).dropna(subset=["patient_id", "drug", "start"])
    periods = periods[~(periods["end"] < periods["start"])]
    problems = []
    for (_, drug), group in periods.groupby(["patient_id", "drug"], sort=False):
        if len(group) < 2:
            continue
        ordered = group.sort_values(["start", "end"], na_position="last")
        starts = ordered["start"].to_numpy()
        ends = ordered["end"].fillna(pd.Timestamp.max).to_numpy()
        for i in range(len(ordered)):
            others = np.arange(len(ordered)) != i
            hits = np.flatnonzero(
                others & ((starts == starts[i]) | ((starts[i] < ends) & (starts < ends[i])))
            )
            if hits.size:
                j = int(hits[0])
                other = _describe(str(drug), ordered["start"].iloc[j], ordered["end"].iloc[j])
                problems.append(
                    Problem(
                        "start_date",
                        display_value(ordered["start"].iloc[i]),
                        f"this {drug} period overlaps the {other}",
                        "one dose period per patient and drug at a time; a new period may "
                        "start on the day the previous one ends",
                        file,
                        int(ordered["row"].iloc[i]),
                    )
                )
    return problems


def overlap_ratio(cohort: Cohort) -> tuple[float, float]:
    """Seconds of the per-group and the vectorised overlap check on the same treatments.

    One period in 50 is shifted to overlap its neighbour so that messages are built too;
    both must report the same problems.
    """
    typed = conform(cohort, today=dt.date(2030, 1, 1)).treatments
    shifted = typed.copy()
    every = shifted.index[1::50]
    shifted.loc[every, "start_date"] = shifted.loc[every, "start_date"] - pd.Timedelta(days=3)
    t0 = time.perf_counter()
    old = per_group_overlaps(shifted, "treatments")
    t1 = time.perf_counter()
    new = _overlapping_periods(shifted, "treatments")
    t2 = time.perf_counter()
    assert old == new, "vectorised and per-group overlap checks disagree"
    return t1 - t0, t2 - t1


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clears() -> str:
    """The ``clears`` command of this environment (next to the interpreter, else on PATH)."""
    beside = Path(sys.executable).with_name("clears")
    found = str(beside) if beside.exists() else shutil.which("clears")
    if found is None:
        raise SystemExit("the clears command is not installed in this environment")
    return found


def run_measured(args: list[str]) -> tuple[float, float]:
    """Run one command in a fresh process; return its wall time (s) and its own peak RSS (MB).

    ``os.wait4`` returns the resource usage of exactly this child (Linux reports
    ``ru_maxrss`` in KiB), so earlier children do not count.
    """
    t0 = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{errors.decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024


def cli_figures(cohort: Cohort, folder: Path) -> dict[str, tuple[float, float]]:
    """Time and peak RSS of ``clears import`` and ``clears export`` on ``cohort`` as CSV."""
    source = write(cohort, folder / "cohort")
    url = f"sqlite:///{folder / 'cli.db'}"
    migrate.upgrade(url)
    clears = _clears()
    imported = run_measured([clears, "import", str(source), "--db", url, "--today", "2030-01-01"])
    exported = run_measured([clears, "export", "--db", url, "--out", str(folder / "out")])
    return {"import": imported, "export": exported}


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=6)
    parser.add_argument("--items", action="store_true")
    parser.add_argument(
        "--overlap-n", type=int, default=10_000, help="patients for the overlap-check ratio"
    )
    args = parser.parse_args()
    small = simulated(args.overlap_n, 2, False, np.random.default_rng(7))
    before, after = overlap_ratio(small)
    print(
        f"overlap check, {args.overlap_n} patients: per group {before:.2f} s, "
        f"vectorised {after:.3f} s, ratio {before / after:.0f}x (same problems)"
    )
    cohort = simulated(args.n, args.visits, args.items, np.random.default_rng(20240601))
    actor = Actor.everywhere("bench")
    with tempfile.TemporaryDirectory() as folder:
        cli = cli_figures(cohort, Path(folder))
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        t0 = time.perf_counter()
        import_cohort(cohort, actor=actor, url=url, today=dt.date(2030, 1, 1))
        t1 = time.perf_counter()
        exported = export_cohort(actor=actor, url=url)
        t2 = time.perf_counter()
        engine = make_engine(url)
        samples = []
        with transaction(engine) as session:
            for pid in cohort.patients["patient_id"].sample(50, random_state=1):
                t = time.perf_counter()
                timeline(session, actor=actor, patient_id=str(pid))
                samples.append(time.perf_counter() - t)
        engine.dispose()
    print(f"patients {args.n}, visits {len(cohort.visits)}, items {args.items}")
    for command, (seconds, peak) in cli.items():
        print(
            f"clears {command:6s} (fresh process) {seconds:8.1f} s   peak RSS {peak:6.0f} MB"
            "   (goal < 60 s, < 2048 MB)"
        )
    print(f"in process: import  {t1 - t0:8.1f} s   (goal < 60 s)")
    print(f"in process: export  {t2 - t1:8.1f} s   (goal < 60 s; {exported.n_patients} patients)")
    print(f"timeline median {1000 * float(np.median(samples)):.2f} ms (goal < 10 ms)")
    print(f"peak RSS of the benchmark process {_peak_mb():.0f} MB (cohort, import and export)")


if __name__ == "__main__":
    main()
