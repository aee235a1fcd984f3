"""Benchmark the record status dashboard and the centre missing-data report.

Goal (the data-management issue): nothing a user waits for grows with the registry. The
dashboard page (:func:`clears.registry.status_grid`, one patient-list page of a centre and
its visits' statuses) should cost about the same on a registry of ``--patients`` as on one
of ``--small``; the centre missing-data report (:func:`clears.registry.centre_missing`) is
one aggregate query per table in the database, and is expected to grow with the centre's
records (the ratio says by how much; docs/data-management.md, "Missing data").

Usage::

    .venv/bin/python benchmarks/bench_status.py [--patients 100000] [--small 1000]
        [--repeat 20]

Each registry (SQLite, migrated with the shipped history) is filled by plain INSERTs: 10
centres, per patient four visits (one in five without ANC, one in ten with no CLASI items)
and a form status for half of the visits. Timed ``--repeat`` times each in a read
transaction: the dashboard's first page and a page reached by walking 20 pages, and the
missing-data report of one centre. The table gives p50 and p95 in ms and the ratio of the
large registry's p95 to the small one's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from clears.instruments import clasi, sledai
from clears.registry import (
    Actor,
    centre_missing,
    make_engine,
    migrate,
    status_grid,
    transaction,
)
from clears.registry._models import (
    ENTITY_TABLES,
    centres_table,
    form_statuses_table,
    patients_table,
)

CENTRES = [f"C{n:02d}" for n in range(10)]
CENTRE = "C03"
ACTOR = Actor("bench_c03", frozenset({CENTRE}))
_CHUNK = 5_000
_DAY = dt.date(2026, 1, 1)


def fill(engine: sa.Engine, n: int) -> None:
    """Insert ``n`` synthetic patients with their visits and statuses."""
    items = dict.fromkeys((*clasi.DEFINITION.columns, *sledai.DEFINITION.columns), 0)
    blank = dict.fromkeys(items)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(centres_table), [{"code": c} for c in CENTRES])
        keys = dict(conn.execute(sa.select(centres_table.c.code, centres_table.c.id)).all())
        visit_id = 0
        for start in range(0, n, _CHUNK):
            ids = range(start, min(n, start + _CHUNK))
            conn.execute(
                sa.insert(patients_table),
                [
                    {
                        "id": i + 1,
                        "patient_id": f"P{i:06d}",
                        "centre_key": keys[CENTRES[i % 10]],
                        "sex": "female",
                    }
                    for i in ids
                ],
            )
            visits, statuses = [], []
            for i in ids:
                for v in range(4):
                    visit_id += 1
                    visits.append(
                        {
                            "id": visit_id,
                            "patient_key": i + 1,
                            "visit_date": _DAY - dt.timedelta(days=30 * v + i % 29),
                            **(blank if (i + v) % 10 == 0 else items),
                            "anc": None if (i + v) % 5 == 0 else 2.0,
                            "wbc": 5.0,
                            "platelets": 200.0,
                            "hb": 12.0,
                        }
                    )
                    if visit_id % 2 == 0:
                        statuses.append(
                            {
                                "entity": "visits",
                                "record_id": visit_id,
                                "patient_key": i + 1,
                                "centre_key": keys[CENTRES[i % 10]],
                                "status": ("incomplete", "complete", "verified")[visit_id % 3],
                                "record_version": 1,
                                "set_by": "bench",
                                "set_at": now,
                                "missing": 0,
                            }
                        )
            conn.execute(sa.insert(ENTITY_TABLES["visits"]), visits)
            conn.execute(sa.insert(form_statuses_table), statuses)


def _time(engine: sa.Engine, call: Callable[[sa.orm.Session], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        with transaction(engine, write=False) as session:
            began = time.perf_counter()
            call(session)
            times.append((time.perf_counter() - began) * 1000)
    return times


def _deep_cursor(engine: sa.Engine, pages: int) -> str | None:
    cursor = None
    with transaction(engine, write=False) as session:
        for _ in range(pages):
            cursor = status_grid(session, actor=ACTOR, centre=CENTRE, cursor=cursor).next_cursor
    return cursor


def measure(engine: sa.Engine, repeat: int) -> dict[str, list[float]]:
    """The timings of each measured call on one registry."""
    deep = _deep_cursor(engine, 20)
    return {
        "dashboard, first page": _time(
            engine, lambda s: status_grid(s, actor=ACTOR, centre=CENTRE), repeat
        ),
        "dashboard, page 21": _time(
            engine, lambda s: status_grid(s, actor=ACTOR, centre=CENTRE, cursor=deep), repeat
        ),
        "missing data, one centre": _time(
            engine, lambda s: centre_missing(s, actor=ACTOR, centre=CENTRE), repeat
        ),
    }


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    """Fill both registries, time each call, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    results: dict[int, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in (args.small, args.patients):
            url = f"sqlite:///{Path(folder) / f'status_{n}.db'}"
            migrate.upgrade(url)
            engine = make_engine(url)
            began = time.perf_counter()
            fill(engine, n)
            print(f"filled {n:,} patients in {time.perf_counter() - began:.1f} s")
            results[n] = measure(engine, args.repeat)
            engine.dispose()
    small, large = results[args.small], results[args.patients]
    print(
        f"\n| call | p50 {args.small:,} | p95 {args.small:,} | p50 {args.patients:,} "
        f"| p95 {args.patients:,} | p95 ratio |"
    )
    print("|---|---|---|---|---|---|")
    for name in small:
        s95, l95 = _p95(small[name]), _p95(large[name])
        print(
            f"| {name} | {statistics.median(small[name]):.1f} | {s95:.1f} "
            f"| {statistics.median(large[name]):.1f} | {l95:.1f} | {l95 / s95:.2f} |"
        )


if __name__ == "__main__":
    main()
