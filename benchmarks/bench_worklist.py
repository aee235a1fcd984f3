"""Benchmark the safety worklist: the whole-cohort screen and the web page's per-patient cache.

Goal (issue 12): nothing a user waits for grows with the registry. Screening costs about
20 ms a patient, so the page cannot screen the registry per request; it keeps each
patient's row keyed by their last audit entry and the day (src/clears/web/_worklist.py).

Usage::

    .venv/bin/python benchmarks/bench_worklist.py --n 5000 [--changed 10] [--seed 1]

It simulates ``--n`` patients (``clears simulate``, preset aitmehdi2021), imports them into a
fresh SQLite registry, and times, in one run:

* ``library``: :func:`clears.protocol.worklist` over the cohort in memory (the baseline: what
  ``clears advise --all --alerts`` does), with the per-patient cost and the 100,000-patient
  estimate (linear: patients are screened one by one);
* ``cold``: the page's first view of the day (every patient stale, screened in full);
* ``warm``: the next view (nothing changed: one grouped audit query, no screening);
* ``changed``: a view after ``--changed`` patients got a new visit (those are re-screened;
  the registry export that feeds them is still whole-cohort, see docs/web.md).

Ratios are against ``library`` in the same run. The check fails (exit 1) when the warm view
is not at least 20 times faster than the library screen, or when a cached view disagrees
with the library's worklist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from clears.protocol import worklist
from clears.registry import Actor, make_engine, migrate, transaction
from clears.registry.importer import import_cohort
from clears.registry.records import add_record
from clears.simulate import simulate
from clears.web._worklist import WorklistCache
from clears.web.deps import Registry

ACTOR = Actor.everywhere("bench")


def _timed(label: str, run: object, rows: list[tuple[str, float]]) -> object:
    start = time.perf_counter()
    result = run() if callable(run) else None
    rows.append((label, time.perf_counter() - start))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="simulated patients")
    parser.add_argument("--changed", type=int, default=10, help="patients changed after")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    cohort = simulate("aitmehdi2021", n=args.n, rng=np.random.default_rng(args.seed))
    day = cohort.visits["visit_date"].max().date() + dt.timedelta(days=1)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        import_cohort(cohort, actor=ACTOR, url=url, today=dt.date(2030, 1, 1))
        registry = Registry(make_engine(url))
        cache = WorklistCache("cortes2012")
        library = _timed("library", lambda: worklist(cohort, as_of=day), rows)
        cold = _timed("cold", lambda: cache.view(registry, actor=ACTOR, as_of=day, wait=3600), rows)
        warm = _timed("warm", lambda: cache.view(registry, actor=ACTOR, as_of=day, wait=3600), rows)
        ids = list(cohort.patients["patient_id"].astype(str))[: args.changed]
        with transaction(registry.engine) as session:
            for pid in ids:
                add_record(
                    session,
                    actor=ACTOR,
                    table="visits",
                    patient_id=pid,
                    values={"visit_date": day.isoformat(), "anc": 0.8},
                )
        _timed("changed", lambda: cache.view(registry, actor=ACTOR, as_of=day, wait=3600), rows)
        registry.engine.dispose()

    base = rows[0][1]
    print(f"safety worklist, {args.n} simulated patients, as of {day.isoformat()}")
    print(f"{'step':<10}{'seconds':>10}{'× library':>12}")
    for label, seconds in rows:
        print(f"{label:<10}{seconds:>10.3f}{seconds / base:>12.4f}")
    per_patient = base / args.n
    print(
        f"library: {per_patient * 1000:.1f} ms a patient; 100,000 patients ≈ "
        f"{per_patient * 100_000 / 60:.0f} min"
    )
    ok = True
    listed = [r.to_dict() for r in library.rows]  # type: ignore[attr-defined]
    for name, view in (("cold", cold), ("warm", warm)):
        if [r.to_dict() for r in view.rows] != listed:  # type: ignore[attr-defined]
            print(f"FAIL: the {name} view differs from the library's worklist")
            ok = False
    warm_seconds = rows[2][1]
    if warm_seconds * 20 > base:
        print(f"FAIL: the warm view is only {base / warm_seconds:.1f}× faster than the library")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
