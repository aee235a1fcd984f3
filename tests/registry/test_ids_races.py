"""Enrolments and imports racing each other, on SQLite and PostgreSQL, with real commits (H-INT-34).

Threads (each its own connection and transaction, as web workers) and processes (``clears
import`` twice at once) start together. One enrolment of a new id wins; every other one is a
clear, retryable conflict, also for an id equal ignoring case; two imports creating the same
new centre both succeed with one centre; never an unexpected error or a duplicate patient.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN, TODAY, race
from tests.registry._own_db import own_database
from tests.registry.test_ids_entry_points import _cohort

from clears._exceptions import ConflictError, InputError
from clears.registry._engine import make_engine, transaction
from clears.registry._models import centres_table, patients_table
from clears.registry.importer import import_cohort
from clears.registry.patients import create_centre, create_patient

pytestmark = pytest.mark.slow  # concurrent importers in child processes

THREADS = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def own_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own with centre BCN, committed."""
    with own_database(request, f"sqlite:///{tmp_path / 'own.db'}") as url:
        engine = make_engine(url)
        with transaction(engine) as session:
            create_centre(session, actor=ADMIN, code="BCN")
        engine.dispose()
        yield url


def _race(url: str, save: Callable[[Any, int], object]) -> list[object]:
    engine = make_engine(url)
    try:
        return race(engine, save, THREADS)
    finally:
        engine.dispose()


def _stored(url: str, table: sa.Table, column: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = sorted(str(v) for v in connection.execute(sa.select(table.c[column])).scalars())
    engine.dispose()
    return found


@pytest.mark.parametrize("spellings", [["N1"] * THREADS, ["N1", "n1", "N1 ", " n1"]])
def test_one_enrolment_of_a_new_id_wins_the_others_are_conflicts(
    own_url: str, spellings: list[str]
) -> None:
    outcomes = _race(
        own_url,
        lambda session, n: create_patient(
            session, actor=ADMIN, patient_id=spellings[n], centre="BCN", today=TODAY
        ),
    )
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1
    assert [type(o) for o in lost] == [ConflictError] * (THREADS - 1), lost
    assert all("already registered" in str(o) for o in lost)
    assert [p.lower() for p in _stored(own_url, patients_table, "patient_id")] == ["n1"]


def test_imports_creating_the_same_new_centre_at_once_both_succeed(own_url: str) -> None:
    outcomes = _race(
        own_url,
        lambda session, n: import_cohort(
            _cohort(f"I{n}", centre="NEW"), actor=ADMIN, session=session, today=TODAY
        ),
    )
    assert [type(o).__name__ for o in outcomes] == ["ImportSummary"] * THREADS, outcomes
    assert _stored(own_url, centres_table, "code") == ["BCN", "NEW"]
    assert _stored(own_url, patients_table, "patient_id") == [f"I{n}" for n in range(THREADS)]


def test_imports_of_the_same_new_patient_at_once_store_it_once(own_url: str) -> None:
    outcomes = _race(
        own_url,
        lambda session, n: import_cohort(
            _cohort("I1" if n % 2 else "i1", centre="NEW"),
            actor=ADMIN,
            session=session,
            today=TODAY,
        ),
    )
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(lost) == THREADS - 1
    assert all(isinstance(o, InputError) and "already in the registry" in str(o) for o in lost)
    assert [p.lower() for p in _stored(own_url, patients_table, "patient_id")] == ["i1"]


def _folder(path: Path, patient_id: str) -> Path:
    path.mkdir()
    cohort = _cohort(patient_id, centre="NEW")
    for table in ("patients", "treatments", "visits", "adverse_events", "flares"):
        cohort.table(table).to_csv(path / f"{table}.csv", index=False)
    return path


def _import_twice_at_once(url: str, folders: list[Path]) -> list[tuple[int, str, str]]:
    """``clears import`` of each folder in its own process, started together."""
    env = os.environ | {"PYTHONPATH": os.getcwd()}
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "clears.cli.main", "import", str(folder), "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for folder in folders
    ]
    return [(p.wait(120), *p.communicate()) for p in started]


def test_two_clears_import_processes_creating_one_centre(own_url: str, tmp_path: Path) -> None:
    folders = [_folder(tmp_path / f"c{n}", f"X{n}") for n in range(2)]
    results = _import_twice_at_once(own_url, folders)
    for code, out, err in results:
        assert "Traceback" not in err
        assert code == 0, err  # the second waits for the first, then finds the centre
        assert "imported" in out
    assert _stored(own_url, centres_table, "code") == ["BCN", "NEW"]
    assert pd.Series(_stored(own_url, patients_table, "patient_id")).tolist() == ["X0", "X1"]


def test_two_clears_import_processes_of_one_new_patient(own_url: str, tmp_path: Path) -> None:
    folders = [_folder(tmp_path / f"c{n}", "X1" if n else "x1") for n in range(2)]
    results = sorted(_import_twice_at_once(own_url, folders))
    (won, out, _), (lost, _, err) = results
    assert (won, lost) == (0, 1)
    assert "imported" in out
    assert "Traceback" not in err
    assert "is already in the registry" in err
    assert len(err.strip().splitlines()) <= 2  # the error, one line per problem
    assert [p.lower() for p in _stored(own_url, patients_table, "patient_id")] == ["x1"]
