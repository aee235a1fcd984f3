"""Benchmark: vectorised CLASI scoring against the single-record loop and a bare NumPy sum.

Run on demand::

    .venv/bin/python benchmarks/bench_clasi.py [--n 1000000] [--loop-n 20000] [--seed 2005]

Random valid item-level records (synthetic) are scored by:

- ``score_frame``: a pandas frame of the 56 flat columns, with vectorised validation;
- ``score_array``: the NumPy path over an ``int8`` item array, with and without the code check;
- the single-record path (``score`` over typed inputs), timed on a subsample and scaled per
  record;
- a bare ``items.sum(axis=1)`` over the same array: the memory-bound floor.

Goals: vectorised >= 50x faster than the loop; ``score_array`` within 5x of the bare sum.
All timings come from one run (best of ``--repeat``), so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from _common import best_of
from clears.instruments import clasi
from clears.instruments.clasi import ClasiInput


def random_items(n: int, rng: np.random.Generator) -> np.ndarray:
    """Valid random codes, one column per field of ``clasi.DEFINITION``, as ``int8``."""
    columns = []
    for fld in clasi.DEFINITION.fields:
        codes = np.array(fld.item.codes, dtype=np.int8)
        columns.append(codes[rng.integers(0, len(codes), size=n)])
    return np.ascontiguousarray(np.stack(columns, axis=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records to score")
    parser.add_argument("--loop-n", type=int, default=20_000, help="records for the loop")
    parser.add_argument("--repeat", type=int, default=3, help="runs per vectorised timing")
    parser.add_argument("--seed", type=int, default=2005)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    items = random_items(args.n, rng)
    frame = pd.DataFrame(items, columns=list(clasi.DEFINITION.columns))
    loop_n = min(args.loop_n, args.n)
    inputs = [
        ClasiInput.from_columns(dict(zip(frame.columns, row, strict=True)))
        for row in items[:loop_n].tolist()
    ]

    # Sanity: the paths agree on the loop subsample before anything is timed.
    activity, damage = clasi.score_array(items)
    singles = [clasi.score(record) for record in inputs]
    assert activity[:loop_n].tolist() == [s.activity for s in singles]
    assert damage[:loop_n].tolist() == [s.damage for s in singles]

    start = time.perf_counter()
    for record in inputs:
        clasi.score(record)
    loop_per_record = (time.perf_counter() - start) / loop_n

    timings = {
        "bare numpy sum (floor)": best_of(args.repeat, lambda: items.sum(axis=1)),
        "score_array, unchecked": best_of(
            args.repeat, lambda: clasi.score_array(items, check=False)
        ),
        "score_array, checked": best_of(args.repeat, lambda: clasi.score_array(items)),
        "score_frame (validated)": best_of(args.repeat, lambda: clasi.score_frame(frame)),
    }
    floor = timings["bare numpy sum (floor)"]
    loop_total = loop_per_record * args.n

    print(f"CLASI scoring of {args.n:,} records (loop timed on {loop_n:,}, scaled)")
    print(
        f"{'method':<28}{'seconds':>10}{'us/record':>11}{'x faster than loop':>20}"
        f"{'x bare sum':>12}"
    )
    print(
        f"{'single-record loop':<28}{loop_total:>10.2f}{loop_per_record * 1e6:>11.2f}"
        f"{1.0:>20.1f}{loop_total / floor:>12.1f}"
    )
    for name, seconds in timings.items():
        print(
            f"{name:<28}{seconds:>10.3f}{seconds / args.n * 1e6:>11.3f}"
            f"{loop_total / seconds:>20.0f}{seconds / floor:>12.1f}"
        )


if __name__ == "__main__":
    main()
