"""Benchmark one save through the registry services as the patient's record grows.

Goal (data-integrity issue): every save is checked with the patient's other records by
:func:`clears.cohort.validate` (duplicates, overlapping periods, CTCAE grades per term), so
its cost grows with the size of one patient's record, never with the registry. A patient
followed monthly for ten years has about 120 visits.

Usage::

    .venv/bin/python benchmarks/bench_saves.py [--visits 120] [--repeat 20]

Printed as ratios: a save to a patient with ``--visits`` visits against a save to a patient
with one visit; the whole save against the per-row validation alone; and the save against
the same save without the check with the patient's records (what it cost before).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from clears.registry import _records, migrate
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry._records import validate
from clears.registry.patients import create_centre, create_patient
from clears.registry.records import add_record

ADMIN = Actor.everywhere("bench")
TODAY = dt.date(2030, 1, 1)


def _median_save(url: str, patient: str, start: dt.date, repeat: int) -> float:
    engine = make_engine(url)
    times = []
    for k in range(repeat):
        values = {"visit_date": (start + dt.timedelta(days=k)).isoformat(), "hb": 12.5}
        began = time.perf_counter()
        with transaction(engine) as session:
            add_record(
                session, actor=ADMIN, table="visits", patient_id=patient, values=values, today=TODAY
            )
        times.append(time.perf_counter() - began)
    engine.dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("CLEARS_AUDIT_KEY", "a benchmark audit key of more than 32 characters")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'saves.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        with transaction(engine) as session:
            create_centre(session, actor=ADMIN, code="BCN")
            for pid in ("SMALL", "LARGE"):
                create_patient(session, actor=ADMIN, patient_id=pid, centre="BCN", today=TODAY)
            for k in range(args.visits):
                day = (dt.date(2015, 1, 1) + dt.timedelta(days=30 * k)).isoformat()
                add_record(
                    session,
                    actor=ADMIN,
                    table="visits",
                    patient_id="LARGE",
                    values={"visit_date": day, "clasi_a": k % 20, "anc": 2.0},
                    today=TODAY,
                )
            add_record(
                session,
                actor=ADMIN,
                table="visits",
                patient_id="SMALL",
                values={"visit_date": "2015-01-01"},
                today=TODAY,
            )
        engine.dispose()
        _median_save(url, "SMALL", dt.date(2024, 1, 1), 3)  # warm up imports and caches
        small = _median_save(url, "SMALL", dt.date(2025, 1, 1), args.repeat)
        large = _median_save(url, "LARGE", dt.date(2026, 1, 1), args.repeat)
        checked = _records.check_in_context
        _records.check_in_context = lambda *_a, **_k: None  # type: ignore[assignment]
        try:
            unchecked = _median_save(url, "LARGE", dt.date(2027, 1, 1), args.repeat)
        finally:
            _records.check_in_context = checked
    began = time.perf_counter()
    for _ in range(args.repeat):
        validate("visits", {"visit_date": "2025-01-01", "hb": 12.5, "patient_id": "P"}, today=TODAY)
    row_only = (time.perf_counter() - began) / args.repeat
    print(f"save, {args.visits} visits / 1 visit: {large / small:.2f}")
    print(f"save with 1 visit / per-row validation alone: {small / row_only:.1f}")
    print(f"save with {args.visits} visits / per-row validation alone: {large / row_only:.1f}")
    print(
        f"save with {args.visits} visits / the same save without the check: {large / unchecked:.2f}"
    )


if __name__ == "__main__":
    main()
