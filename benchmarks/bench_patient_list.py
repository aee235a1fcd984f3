"""Benchmark the patient list: one page of a 100,000-patient registry, searched and filtered.

Goal (the network-scale issue): the patient list page and its search answer in p95 < 100 ms
on a 100,000-patient registry, SQLite and PostgreSQL, and cost about what they cost on a
1,000-patient registry (keyset pages and indexes, src/clears/registry/_patient_list.py).

Usage::

    .venv/bin/python benchmarks/bench_patient_list.py [--patients 100000] [--small 1000]
        [--repeat 40] [--postgres postgresql://user@host/db]

Each registry is migrated with the shipped history, then filled by plain INSERTs (not
``clears.simulate`` + ``import_cohort``, which would take minutes at 100,000 patients and
add nothing the list reads): 10 centres; per patient one or two treatment periods (three in
four on treatment today), four visits (one in ten with partly filled CLASI items), four audit
entries, and a worklist summary for half of them (one in five of those with an alert, one in
three overdue), with each patient's stored last visit date (``patients.last_visit_key``).
With ``--postgres`` the same is done in that (emptied) database.

Timed, ``--repeat`` times each, through :func:`clears.registry.patient_list_page` in a read
transaction as the web app runs it: the first page (a network-wide actor, and a one-centre
actor), a page 40,000 rows deep, an id search (a narrow prefix and a broad one), each
filter, and the other two sorts; plus the whole ``GET /patients`` page (template included)
on SQLite. The table gives p50 and p95 in ms and the ratio of the large registry's p95 to
the small one's. Exit 1 when a search or first-page p95 is 100 ms or more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from clears.instruments import clasi
from clears.registry import (
    Actor,
    ImportedAccount,
    PatientQuery,
    hash_password,
    import_accounts,
    make_engine,
    migrate,
    patient_list_page,
    transaction,
)
from clears.registry._models import (
    ENTITY_TABLES,
    audit_table,
    centres_table,
    patients_table,
    worklist_summaries_table,
)

TODAY = dt.date.today()
PROTOCOL = "cortes2012 1"
CENTRES = [f"C{n:02d}" for n in range(10)]
NETWORK = Actor.everywhere("bench")
ONE_CENTRE = Actor("bench_c03", frozenset({"C03"}))
_CHUNK = 5_000


def fill(engine: sa.Engine, n: int) -> None:
    """Insert ``n`` synthetic patients with their records (see the module docstring)."""
    columns = clasi.DEFINITION.columns
    partial = {c: (1 if n < 10 else None) for n, c in enumerate(columns)}
    unfilled = dict.fromkeys(columns)
    with engine.begin() as conn:
        conn.execute(sa.insert(centres_table), [{"code": c} for c in CENTRES])
        keys = dict(conn.execute(sa.select(centres_table.c.code, centres_table.c.id)).all())
        entry = int(conn.execute(sa.select(sa.func.max(audit_table.c.id))).scalar() or 0)
        for start in range(0, n, _CHUNK):
            ids = range(start, min(n, start + _CHUNK))
            conn.execute(
                sa.insert(patients_table),
                [
                    {
                        "id": i + 1,
                        "patient_id": f"P{i:06d}",
                        "centre_key": keys[CENTRES[i % 10]],
                        # the stored sort key: the latest of the visits below
                        "last_visit_key": TODAY - dt.timedelta(days=i % 29),
                    }
                    for i in ids
                ],
            )
            treatments, visits, entries, summaries = [], [], [], []
            for i in ids:
                begin = TODAY - dt.timedelta(days=400 + i % 300)
                ended = i % 4 == 0
                treatments.append(
                    {
                        "patient_key": i + 1,
                        "drug": "lenalidomide",
                        "start_date": begin,
                        "end_date": begin + dt.timedelta(days=200) if ended else None,
                        "dose_mg_per_day": 10.0,
                    }
                )
                for v in range(4):
                    day = TODAY - dt.timedelta(days=30 * v + i % 29)
                    items = partial if (i % 10 == 0 and v == 0) else unfilled
                    visits.append({"patient_key": i + 1, "visit_date": day, **items})
                last = 0
                for _ in range(4):
                    entry += 1
                    last = entry
                    entries.append(
                        {
                            "id": entry,
                            "at": "2026-01-01T00:00:00+00:00",
                            "actor": "bench",
                            "action": "insert",
                            "entity": "visits",
                            "patient_id": f"P{i:06d}",
                            "prev_hash": "0" * 64,
                            "hash": f"{entry:064x}",
                        }
                    )
                if i % 2 == 0:
                    summaries.append(
                        {
                            "patient_key": i + 1,
                            "patient_id": f"P{i:06d}",
                            "centre_key": keys[CENTRES[i % 10]],
                            "protocol": PROTOCOL,
                            "as_of": TODAY,
                            "last_entry_id": last,
                            "alerts": int(i % 5 == 0),
                            "overdue": int(i % 3 == 0),
                        }
                    )
            conn.execute(sa.insert(ENTITY_TABLES["treatments"]), treatments)
            conn.execute(sa.insert(ENTITY_TABLES["visits"]), visits)
            conn.execute(sa.insert(audit_table), entries)
            conn.execute(sa.insert(worklist_summaries_table), summaries)
        conn.execute(sa.update(audit_table.metadata.tables["audit_head"]).values(last_id=entry))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _deep_cursor(engine: sa.Engine, depth: int) -> str | None:
    """The cursor after ``depth`` rows of the id sort, reached by walking 200-row pages."""
    cursor = None
    with transaction(engine) as session:
        for _ in range(depth // 200):
            query = PatientQuery(limit=200, cursor=cursor, as_of=TODAY, protocol=PROTOCOL)
            cursor = patient_list_page(session, actor=NETWORK, query=query).next_cursor
    return cursor


def scenarios(engine: sa.Engine, depth: int) -> dict[str, tuple[Actor, PatientQuery]]:
    """What is timed: a name, the actor and the query."""

    def q(**kw: object) -> PatientQuery:
        return PatientQuery(as_of=TODAY, protocol=PROTOCOL, **kw)  # type: ignore[arg-type]

    return {
        "first page": (NETWORK, q()),
        "first page, one centre": (ONE_CENTRE, q()),
        "deep page (half the registry, at most 40,000 rows in)": (
            NETWORK,
            q(cursor=_deep_cursor(engine, depth)),
        ),
        "search P0001 (narrow)": (NETWORK, q(search="p0001")),
        "search P0 (broad)": (NETWORK, q(search="P0")),
        "filter on_treatment": (NETWORK, q(filters=frozenset({"on_treatment"}))),
        "filter incomplete": (NETWORK, q(filters=frozenset({"incomplete"}))),
        "filter alerts (+ unscreened count)": (NETWORK, q(filters=frozenset({"alerts"}))),
        "filter overdue, one centre": (ONE_CENTRE, q(filters=frozenset({"overdue"}))),
        "filter unscreened": (NETWORK, q(filters=frozenset({"unscreened"}))),
        "sort centre": (NETWORK, q(sort="centre")),
        "sort last_visit": (NETWORK, q(sort="last_visit")),
        "sort last_visit, one centre": (ONE_CENTRE, q(sort="last_visit")),
        "filter alerts, one centre": (ONE_CENTRE, q(filters=frozenset({"alerts"}))),
    }


def _times(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm the caches and the pool
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(engine: sa.Engine, repeat: int, depth: int) -> dict[str, list[float]]:
    found = {}
    for name, (actor, query) in scenarios(engine, depth).items():

        def run(actor: Actor = actor, query: PatientQuery = query) -> object:
            with transaction(engine) as session:
                return patient_list_page(session, actor=actor, query=query)

        found[name] = _times(run, repeat)
    return found


def measure_page(url: str, repeat: int) -> dict[str, list[float]]:
    """``GET /patients`` and a search through the whole app (sign-in, template)."""
    from fastapi.testclient import TestClient

    from clears.web.app import create_app
    from clears.web.settings import Settings

    settings = Settings(environment="test", secret_key="s" * 48, db_url=url)
    app = create_app(settings)
    found = {}
    with TestClient(app, base_url="https://testserver") as client:
        import re

        page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text)
        assert token is not None
        data = {"username": "net", "password": "x" * 12, "login_token": token.group(1)}
        client.post("/login", data=data, follow_redirects=False)
        for name, params in (("GET /patients", {}), ("GET /patients?q=p0001", {"q": "p0001"})):

            def get(params: dict[str, str] = params) -> object:
                return client.get("/patients", params=params)

            found[name] = _times(get, repeat)
    app.state.clears.registry.engine.dispose()
    return found


def _registry(url: str, n: int) -> sa.Engine:
    migrate.upgrade(url)
    engine = make_engine(url)
    # the account measure_page signs in with, audited before the plain INSERTs of fill
    with transaction(engine) as session:
        account = ImportedAccount("net", "administrator", frozenset({"*"}), hash_password("x" * 12))
        import_accounts(session, actor=NETWORK, accounts=[account], source="bench")
    start = time.perf_counter()
    fill(engine, n)
    print(f"  filled {n:,} patients in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return engine


def _report(title: str, small: dict[str, list[float]], large: dict[str, list[float]]) -> bool:
    print(f"\n{title}\n")
    print("| scenario | small p50 | small p95 | large p50 | large p95 | p95 ratio |")
    print("|---|---|---|---|---|---|")
    ok = True
    for (name, s), big in zip(small.items(), large.values(), strict=True):
        ratio = _p95(big) / _p95(s)
        print(
            f"| {name} | {statistics.median(s):.1f} | {_p95(s):.1f} | "
            f"{statistics.median(big):.1f} | {_p95(big):.1f} | {ratio:.2f} |"
        )
        if ("first page" in name or "search" in name or name.startswith("GET")) and _p95(
            big
        ) >= 100:
            ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--postgres", help="a PostgreSQL URL to empty and fill (optional)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args(argv)
    depth = min(40_000, args.patients // 2)
    ok = True
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            runs = {}
            for label, n in (("small", args.small), ("large", args.patients)):
                url = f"sqlite:///{Path(folder) / f'{label}.db'}"
                engine = _registry(url, n)
                timed = measure(engine, args.repeat, min(depth, n // 2))
                runs[label] = timed | measure_page(url, args.repeat)
                engine.dispose()
        title = f"SQLite: {args.small:,} vs {args.patients:,} patients (ms)"
        ok &= _report(title, runs["small"], runs["large"])
    if args.postgres:
        runs = {}
        for label, n in (("small", args.small), ("large", args.patients)):
            engine = make_engine(args.postgres)
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            engine.dispose()
            engine = _registry(args.postgres, n)
            runs[label] = measure(engine, args.repeat, min(depth, n // 2))
            engine.dispose()
        title = f"PostgreSQL: {args.small:,} vs {args.patients:,} patients (ms)"
        ok &= _report(title, runs["small"], runs["large"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
