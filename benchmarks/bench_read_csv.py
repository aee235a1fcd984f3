"""Benchmark: the strict cohort CSV reader against pandas' C parser (the former reader).

Run on demand::

    .venv/bin/python benchmarks/bench_read_csv.py [--rows 200000] [--repeat 3]

A synthetic ``visits.csv`` of ``--rows`` rows and nine columns is read by:

- ``pandas.read_csv(dtype=str, na_filter=False)``: fast, but a short row reads as blanks;
- :func:`clears.cohort._csv.read_csv` on the same file (no quotes: the line-checked fast
  path) and on a copy whose text column is quoted (the record-by-record ``csv`` path).

Goals: the quote-free file within 3x of pandas; the quoted file within 10x. All timings come
from one run (best of ``--repeat``), so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from _common import best_of
from clears.cohort._csv import read_csv


def write(path: Path, rows: int, *, quoted: bool) -> None:
    """Write ``rows`` synthetic visit rows; the note column quoted (with a comma) or not."""
    note = '"seen, well"' if quoted else "seen"
    lines = ["patient_id,visit_date,clasi_a,clasi_d,anc,wbc,platelets,hb,note"]
    lines += [
        f"P{i % 5000:04d},2020-01-{1 + i % 28:02d},{i % 70},{i % 56},{(i % 50) / 10:.1f},"
        f"5.1,250,13.2,{note}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plain, quoted = Path(folder) / "plain.csv", Path(folder) / "quoted.csv"
        write(plain, args.rows, quoted=False)
        write(quoted, args.rows, quoted=True)

        def pandas_reader() -> pd.DataFrame:
            return pd.read_csv(plain, dtype=str, keep_default_na=False, na_filter=False)

        floor = best_of(args.repeat, pandas_reader)
        fast = best_of(args.repeat, lambda: read_csv(plain))
        strict = best_of(args.repeat, lambda: read_csv(quoted))
    print(f"{args.rows:,} rows x 9 columns")
    print(f"{'reader':<34} {'seconds':>8} {'x pandas':>9}")
    for label, seconds in (
        ("pandas.read_csv (former reader)", floor),
        ("read_csv, no quotes (fast path)", fast),
        ("read_csv, quoted (csv module)", strict),
    ):
        print(f"{label:<34} {seconds:8.3f} {seconds / floor:9.1f}")


if __name__ == "__main__":
    main()
