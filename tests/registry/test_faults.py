"""Faults the registry must survive: SIGKILL mid-import, concurrent SQLite writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN, TODAY

from clears.registry import audit
from clears.registry._engine import RegistryBusyError, make_engine, transaction
from clears.registry.patients import create_patient, list_patients

_SLOW_IMPORT = """
import sys, time
import clears.registry.importer as imp
from clears.registry import audit
from clears.registry._actor import Actor
original = audit.append
def slow(session, *, actor, changes, at=None):
    result = original(session, actor=actor, changes=changes, at=at)
    if changes and changes[0].action == "import":  # every row inserted, not yet committed
        print("WRITING", flush=True)
        time.sleep(60)
    return result
imp.audit.append = slow
imp.import_cohort(sys.argv[1], actor=Actor.everywhere("t"), url=sys.argv[2])
"""


@pytest.mark.slow  # over a second in --durations
def test_sigkill_mid_import_leaves_the_database_unchanged(fresh_sqlite: str) -> None:
    from tests.registry.test_import_export import EXAMPLE

    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        from clears.registry.patients import create_centre

        create_centre(session, actor=ADMIN, code="BCN")
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_IMPORT, str(EXAMPLE), fresh_sqlite],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": os.getcwd()},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "WRITING"  # rows are inserted, not committed
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with transaction(engine) as session:
        assert list_patients(session, actor=ADMIN) == []
        codes = session.execute(sa.text("SELECT code FROM centres")).scalars().all()
        assert codes == ["BCN"]  # LYO, created by the import, is gone with it
        assert session.execute(sa.text("SELECT COUNT(*) FROM visits")).scalar_one() == 0
        assert audit.verify(session).ok
        create_patient(session, actor=ADMIN, patient_id="P1", centre="BCN", today=TODAY)
    with transaction(engine) as session:
        assert list_patients(session, actor=ADMIN) == ["P1"]
    engine.dispose()


@pytest.mark.slow  # over a second in --durations
def test_concurrent_sqlite_writers_succeed_or_get_a_retryable_error(fresh_sqlite: str) -> None:
    setup = make_engine(fresh_sqlite)
    with transaction(setup) as session:
        from clears.registry.patients import create_centre

        create_centre(session, actor=ADMIN, code="BCN")
    setup.dispose()
    outcomes: dict[str, str] = {}

    def writer(name: str, hold: float, timeout: float) -> None:
        engine = make_engine(fresh_sqlite, busy_timeout=timeout)
        try:
            with transaction(engine) as session:
                create_patient(session, actor=ADMIN, patient_id=name, centre="BCN", today=TODAY)
                time.sleep(hold)
            outcomes[name] = "ok"
        except RegistryBusyError:
            outcomes[name] = "busy"
        finally:
            engine.dispose()

    # A holds the write lock for 1.5 s; B waits at most 0.2 s: B must get a retryable error.
    first = threading.Thread(target=writer, args=("A", 1.5, 5.0))
    first.start()
    time.sleep(0.3)
    second = threading.Thread(target=writer, args=("B", 0.0, 0.2))
    second.start()
    first.join()
    second.join()
    assert outcomes == {"A": "ok", "B": "busy"}
    # Many writers with a generous timeout all succeed, one after the other.
    threads = [threading.Thread(target=writer, args=(f"W{i}", 0.01, 10.0)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(outcomes[f"W{i}"] == "ok" for i in range(8))
    check = make_engine(fresh_sqlite)
    with transaction(check) as session:
        assert list_patients(session, actor=ADMIN) == sorted(["A", *(f"W{i}" for i in range(8))])
        assert audit.verify(session).ok  # the chain never forked
        count = session.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one()
        assert count == 1 + 9 * 1  # one centre, nine patients: nothing half-written
    check.dispose()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parents[2])
