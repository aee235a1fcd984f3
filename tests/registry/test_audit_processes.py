"""Several OS processes saving at once still extend one unbroken audit chain.

Four child processes (separate interpreters, each with its own engine and connection pool,
as ``clears serve --workers N`` runs) each save 25 visits through the registry services
(:func:`clears.registry.add_record`), all released at the same moment. Each child prints a
visit's id only after its transaction committed, so the printed ids are the acknowledged
saves. Afterwards :func:`clears.registry.audit.verify` must find the chain intact, exactly one
new entry per save (a visit insert is one change), and every acknowledged visit stored and
named by an entry. The processes serialise on the ``audit_head`` row: ``SELECT ... FOR UPDATE``
on PostgreSQL, the database write lock (``BEGIN IMMEDIATE``) on SQLite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN, TODAY
from tests.registry._own_db import own_database

from clears.registry import audit, create_centre, create_patient, make_engine, transaction
from clears.registry._models import ENTITY_TABLES, AuditHead, audit_table

pytestmark = pytest.mark.slow  # four child interpreters per backend

PROCESSES = 4
SAVES = 25

#: What each child runs: wait for the start file, then save its visits one transaction each,
#: printing one JSON line per committed save (or per refusal).
_CHILD = """
import datetime as dt, json, sys, time
from pathlib import Path
from clears.registry import Actor, add_record, make_engine, transaction

url, patient, saves, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
actor = Actor("dr_bcn", frozenset({"BCN"}))
engine = make_engine(url)
while not go.exists():
    time.sleep(0.005)
for n in range(saves):
    values = {"visit_date": (dt.date(2020, 1, 1) + dt.timedelta(days=n)).isoformat(),
              "clasi_scalp_ery": n % 4}
    try:
        with transaction(engine) as session:
            record = add_record(session, actor=actor, table="visits", patient_id=patient,
                                values=values, today=dt.date(2024, 6, 1))
            record_id = record.id
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    else:
        print(json.dumps({"id": record_id}), flush=True)
engine.dispose()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own holding centre BCN and one patient per process."""
    with own_database(request, f"sqlite:///{tmp_path / 'processes.db'}") as own:
        engine = make_engine(own)
        with transaction(engine) as session:
            create_centre(session, actor=ADMIN, code="BCN")
            for n in range(PROCESSES):
                create_patient(
                    session, actor=ADMIN, patient_id=f"P{n + 1:02d}", centre="BCN", today=TODAY
                )
        engine.dispose()
        yield own


def _head(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        last = connection.execute(sa.select(AuditHead.last_id)).scalar_one()
    engine.dispose()
    return int(last)


def _run_children(url: str, go: Path) -> list[dict[str, object]]:
    """Start the children, release them at once, and collect every line they printed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, url, f"P{n + 1:02d}", str(SAVES), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    time.sleep(3)  # let every child import clears and open its engine before the start
    go.touch()
    outcomes: list[dict[str, object]] = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-2000:]
        outcomes += [json.loads(line) for line in out.splitlines() if line.strip()]
    return outcomes


def test_processes_saving_at_once_extend_one_intact_chain(url: str, tmp_path: Path) -> None:
    before = _head(url)
    outcomes = _run_children(url, tmp_path / "go")

    refused = [o["error"] for o in outcomes if "error" in o]
    acknowledged = {int(str(o["id"])) for o in outcomes if "id" in o}
    assert refused == []
    assert len(acknowledged) == PROCESSES * SAVES

    engine = make_engine(url)
    visits = ENTITY_TABLES["visits"]
    with transaction(engine) as session:
        report = audit.verify(session)
        stored = set(session.execute(sa.select(visits.c.id)).scalars())
        new = session.execute(
            sa.select(audit_table.c.entity, audit_table.c.action, audit_table.c.entity_id)
            .where(audit_table.c.id > before)
            .order_by(audit_table.c.id)
        ).all()
    engine.dispose()

    assert report.ok, report.to_text()
    assert report.entries == before + PROCESSES * SAVES
    assert len(new) == PROCESSES * SAVES
    assert acknowledged <= stored
    assert {row.entity_id for row in new if row.entity == "visits"} == acknowledged
