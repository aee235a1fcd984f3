"""Data-quality rules over simulated cohorts: wall time and peak memory, as ratios to 1,000.

This measures :func:`clears.quality.evaluate` on in-memory cohorts of 1,000 and 10,000
patients (``--sizes`` for others), and, with ``--db-sizes``, the whole ``clears dq run --db``
command a data manager waits for (the registry read of the columns the rules use, the rules,
the report) as a child process on SQLite registries of those sizes (goal: 100,000 patients
under 60 s). Registries are built as ``bench_scale.py`` builds them and, with ``--keep DIR``,
kept there (``DIR/scale-<n>.db``, shared with that benchmark).

    .venv/bin/python benchmarks/bench_dq.py [--sizes 1000 10000]
    .venv/bin/python benchmarks/bench_dq.py --sizes --db-sizes 1000 100000 --keep /tmp/clears-scale
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np
import psutil

from _common import best_of
from bench_scale import build
from clears.quality import bundled_rules, evaluate
from clears.simulate import simulate


def _in_memory(sizes: list[int]) -> None:
    rules = bundled_rules()
    base: tuple[float, float] | None = None
    for n in sizes:
        cohort = simulate("aitmehdi2021", n, np.random.default_rng(1))
        seconds = best_of(3, partial(evaluate, cohort, rules))
        tracemalloc.start()
        evaluate(cohort, rules)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        base = base or (seconds, peak)
        print(
            f"evaluate n={n}: {seconds:.3f} s ({seconds / base[0]:.1f}x), "
            f"peak {peak:.1f} MiB ({peak / base[1]:.1f}x)"
        )


def _command(url: str, out: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one ``clears dq run --db url`` (exit 0 or 1)."""
    started = time.perf_counter()
    command = [str(Path(sys.executable).with_name("clears")), "dq", "run", "--db", url, "-f", "csv"]
    process = psutil.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.05)
    if process.returncode not in (0, 1):
        raise SystemExit(f"clears dq run failed with exit status {process.returncode}")
    return time.perf_counter() - started, peak / 2**20


def _registries(sizes: list[int], folder: Path) -> None:
    base: tuple[float, float] | None = None
    for n in sizes:
        url = f"sqlite:///{folder / f'scale-{n}.db'}"
        built = build(url, n, seed=n)
        if built:
            print(f"  built the {n}-patient registry in {built:.0f} s", flush=True)
        runs = [_command(url, folder / f"dq-{n}.csv") for _ in range(2)]
        seconds, peak = min(r[0] for r in runs), max(r[1] for r in runs)
        base = base or (seconds, peak)
        print(
            f"clears dq run --db, n={n}: {seconds:.1f} s ({seconds / base[0]:.1f}x), "
            f"peak RSS {peak:.0f} MiB ({peak / base[1]:.1f}x)"
        )


def main() -> None:
    """Print seconds and peak MiB per size, and their ratios to the first size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--db-sizes", type=int, nargs="*", default=[])
    parser.add_argument("--keep", type=Path, help="Keep the registries in this folder.")
    args = parser.parse_args()
    if args.sizes:
        _in_memory(args.sizes)
    if args.db_sizes:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            _registries(args.db_sizes, args.keep)
        else:
            with tempfile.TemporaryDirectory() as folder:
                _registries(args.db_sizes, Path(folder))


if __name__ == "__main__":
    main()
