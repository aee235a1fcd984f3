"""Benchmark the patient-id checks: the case-insensitive lookups against an exact lookup.

A new patient is checked against every registered id ignoring letter case
(``clears.registry._patient_ids.registered_like``: ``lower(patient_id)``, which no index
serves), and a lookup that finds no exact id falls back to the same comparison. Both are
reported as a ratio to the exact, indexed lookup, on a SQLite registry of ``--n`` patients.

Usage::

    .venv/bin/python benchmarks/bench_ids.py --n 100000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from clears.registry import migrate
from clears.registry._engine import make_engine, transaction
from clears.registry._models import centres_table, patients_table
from clears.registry._patient_ids import find_patient_id, registered_like


def _seconds(call: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    """Print the time of each lookup and its ratio to the exact lookup."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="registered patients")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ids.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            key = connection.execute(
                sa.insert(centres_table).values(code="BCN").returning(centres_table.c.id)
            ).scalar_one()
            connection.execute(
                sa.insert(patients_table),
                [
                    {"patient_id": f"P{i:06d}", "centre_key": key, "version": 1}
                    for i in range(args.n)
                ],
            )
        middle = f"P{args.n // 2:06d}"
        column = patients_table.c.patient_id
        with transaction(engine) as session:
            timings = {
                "exact lookup (index)": _seconds(
                    lambda: session.execute(sa.select(column).where(column == middle)).all(),
                    args.repeat,
                ),
                "new id checked ignoring case": _seconds(
                    lambda: registered_like(session, [middle.lower()]), args.repeat
                ),
                "lookup of an unknown id": _seconds(
                    lambda: find_patient_id(session, "Z0"), args.repeat
                ),
            }
        engine.dispose()
    exact = timings["exact lookup (index)"]
    print(f"{args.n} patients (SQLite)")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds * 1000:.2f} ms ({seconds / exact:.0f}x the exact lookup)")


if __name__ == "__main__":
    main()
