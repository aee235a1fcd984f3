"""Data-quality rules over simulated cohorts: wall time and peak memory, as ratios to 1,000.

This measures :func:`clears.quality.evaluate` on in-memory cohorts of 1,000 and 10,000
patients (``--sizes`` for others); the registry read of ``clears dq run --db`` is not
included yet.

    .venv/bin/python benchmarks/bench_dq.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import tracemalloc
from functools import partial

import numpy as np

from _common import best_of
from clears.quality import bundled_rules, evaluate
from clears.simulate import simulate


def main() -> None:
    """Print seconds and peak MiB per size, and their ratios to the first size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    rules = bundled_rules()
    base: tuple[float, float] | None = None
    for n in args.sizes:
        cohort = simulate("aitmehdi2021", n, np.random.default_rng(1))
        seconds = best_of(3, partial(evaluate, cohort, rules))
        tracemalloc.start()
        evaluate(cohort, rules)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        base = base or (seconds, peak)
        print(
            f"n={n}: {seconds:.3f} s ({seconds / base[0]:.1f}x), "
            f"peak {peak:.1f} MiB ({peak / base[1]:.1f}x)"
        )


if __name__ == "__main__":
    main()
