"""Benchmark the simulator: a virtual cohort of ``--n`` patients, and how its cost grows.

Goal (the scale issue): 100,000 patients in under 60 s, since every scale benchmark of the
registry, the report and the web starts from a simulated cohort.

Usage::

    .venv/bin/python benchmarks/bench_simulate.py --n 100000 [--preset aitmehdi2021]
    .venv/bin/python benchmarks/bench_simulate.py --n 5000 --against /path/to/older/src

Each size runs in a fresh subprocess, whose wall time and peak resident set size (the
kernel's rusage of that one child, from ``os.wait4``) are reported. The baseline of the
same run is the smallest size (``--base``, default 1,000): the table shows the cost per
patient as a ratio to it, so linear growth reads 1.0. ``--against SRC`` runs the same sizes
on another source tree (e.g. a ``git worktree`` of an older commit) and prints the ratio of
the two wall times, measured in this run on this machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

_CHILD = """
import sys, numpy as np
from clears.simulate import simulate
cohort = simulate(sys.argv[1], int(sys.argv[2]), np.random.default_rng(20261201))
print(len(cohort.visits))
"""


def _run(preset: str, n: int, src: Path | None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and visit rows of one simulation in a fresh process."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, preset, str(n)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"the simulation of {n} patients failed (status {status})")
    return seconds, usage.ru_maxrss / 1024, int(out.strip() or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="largest cohort (patients)")
    parser.add_argument("--base", type=int, default=1_000, help="baseline cohort (patients)")
    parser.add_argument("--preset", default="aitmehdi2021")
    parser.add_argument("--against", type=Path, help="another source tree to compare with")
    args = parser.parse_args()
    sizes = sorted({args.base, args.n, *(s for s in (10_000,) if args.base < s < args.n)})
    print(f"simulate({args.preset!r}, n): wall time, peak RSS, cost per patient vs n={args.base}")
    print(f"{'n':>8} {'visits':>9} {'seconds':>9} {'MiB':>7} {'per patient':>12}", end="")
    print(f" {'older s':>9} {'speed-up':>9}" if args.against else "")
    base_rate = 0.0
    for n in sizes:
        seconds, mib, visits = _run(args.preset, n, None)
        rate = seconds / n
        base_rate = base_rate or rate
        line = f"{n:>8} {visits:>9} {seconds:>9.1f} {mib:>7.0f} {rate / base_rate:>11.2f}x"
        if args.against:
            older, _, _ = _run(args.preset, n, args.against)
            line += f" {older:>9.1f} {older / seconds:>8.1f}x"
        print(line)


if __name__ == "__main__":
    main()
