"""SQLite writers of one process queue on an in-process lock; pragmas and durability.

The lock (``clears.registry._engine.writer_lock``) is taken just before ``BEGIN
IMMEDIATE`` and released when the connection returns to the pool, so writers of the same
file wake as soon as the previous one commits instead of sleeping in SQLite's busy handler.
Another process (simulated by a raw ``sqlite3`` connection, which bypasses the lock) still
meets ``BEGIN IMMEDIATE`` and gets :class:`RegistryBusyError` after the busy timeout.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from tests.registry._helpers import ADMIN, TODAY

from clears.registry import audit
from clears.registry._engine import RegistryBusyError, make_engine, transaction, writer_lock
from clears.registry.patients import create_centre, create_patient, list_patients

pytestmark = pytest.mark.slow  # writers in child processes, some killed


def _path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.fixture
def file_engine(fresh_sqlite: str) -> Iterator[sa.Engine]:
    """An engine on a fresh file holding centre BCN."""
    created = make_engine(fresh_sqlite)
    with transaction(created) as session:
        create_centre(session, actor=ADMIN, code="BCN")
    yield created
    created.dispose()


def _begins(engine: sa.Engine) -> list[str]:
    """Every BEGIN IMMEDIATE sent to the database through ``engine``, as it happens."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*args: object) -> None:
        statement = args[2]
        if statement == "BEGIN IMMEDIATE":
            seen.append(threading.current_thread().name)

    return seen


def _enrol(engine: sa.Engine, patient_id: str) -> None:
    with transaction(engine) as session:
        create_patient(session, actor=ADMIN, patient_id=patient_id, centre="BCN", today=TODAY)


def _enrol_then_fail(engine: sa.Engine) -> None:
    with transaction(engine) as session:
        create_patient(session, actor=ADMIN, patient_id="P2", centre="BCN", today=TODAY)
        raise RuntimeError("boom")


def test_a_second_writer_waits_on_the_lock_not_in_sqlite(file_engine: sa.Engine) -> None:
    begins = _begins(file_engine)
    holding = threading.Event()
    release = threading.Event()
    done: list[str] = []

    def first() -> None:
        with transaction(file_engine) as session:
            create_patient(session, actor=ADMIN, patient_id="A", centre="BCN", today=TODAY)
            holding.set()
            release.wait(10)
        done.append("A")

    def second() -> None:
        with transaction(file_engine) as session:
            create_patient(session, actor=ADMIN, patient_id="B", centre="BCN", today=TODAY)
        done.append("B")

    a = threading.Thread(target=first, name="A")
    b = threading.Thread(target=second, name="B")
    a.start()
    assert holding.wait(10)
    assert writer_lock(file_engine).locked()
    b.start()
    time.sleep(0.3)
    # B is queued in this process: it has not sent BEGIN IMMEDIATE to SQLite at all.
    assert begins == ["A"]
    assert done == []
    release.set()
    a.join(10)
    b.join(10)
    assert done == ["A", "B"]
    assert begins == ["A", "B"]
    assert not writer_lock(file_engine).locked()
    with transaction(file_engine) as session:
        assert list_patients(session, actor=ADMIN) == ["A", "B"]


def test_the_lock_is_released_after_commit_rollback_and_errors(file_engine: sa.Engine) -> None:
    lock = writer_lock(file_engine)
    with transaction(file_engine) as session:
        create_patient(session, actor=ADMIN, patient_id="P1", centre="BCN", today=TODAY)
        assert lock.locked()
    assert not lock.locked()
    with pytest.raises(RuntimeError, match="boom"):
        _enrol_then_fail(file_engine)
    assert not lock.locked()
    with file_engine.begin() as connection:  # plain connections take and release it too
        connection.exec_driver_sql("SELECT 1")
        assert lock.locked()
    assert not lock.locked()
    with transaction(file_engine) as session:
        assert list_patients(session, actor=ADMIN) == ["P1"]  # P2 rolled back


def test_engines_on_one_file_share_a_lock_and_files_do_not(tmp_path: Path) -> None:
    one, two = (
        make_engine(f"sqlite:///{tmp_path / 'a.db'}"),
        make_engine(f"sqlite:///{tmp_path / 'a.db'}"),
    )
    other = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    memory, memory2 = make_engine("sqlite://"), make_engine("sqlite://")
    assert writer_lock(one) is writer_lock(two)
    assert writer_lock(one) is not writer_lock(other)
    assert writer_lock(memory) is not writer_lock(memory2)  # separate in-memory databases
    for created in (one, two, other, memory, memory2):
        created.dispose()


def test_waiting_on_the_lock_ends_in_a_retryable_error_within_the_timeout(
    file_engine: sa.Engine, fresh_sqlite: str
) -> None:
    impatient = make_engine(fresh_sqlite, busy_timeout=0.2)
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with transaction(file_engine) as session:
            create_patient(session, actor=ADMIN, patient_id="A", centre="BCN", today=TODAY)
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    started = time.monotonic()
    with pytest.raises(RegistryBusyError, match="nothing was written, try again"):
        _enrol(impatient, "B")
    waited = time.monotonic() - started
    release.set()
    holder.join(10)
    assert 0.2 <= waited < 2.0
    assert not writer_lock(file_engine).locked()
    with transaction(file_engine) as session:
        assert list_patients(session, actor=ADMIN) == ["A"]
    impatient.dispose()


def test_another_process_still_meets_begin_immediate(
    file_engine: sa.Engine, fresh_sqlite: str
) -> None:
    # A raw connection does not know the in-process lock: it stands for another process.
    outsider = sqlite3.connect(_path(fresh_sqlite), isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    impatient = make_engine(fresh_sqlite, busy_timeout=0.2)
    try:
        with pytest.raises(RegistryBusyError, match="busy with another writer"):
            _enrol(impatient, "B")
        assert not writer_lock(impatient).locked()  # released although SQLite refused
    finally:
        outsider.execute("ROLLBACK")
        outsider.close()
    with transaction(impatient) as session:  # and it works again once the outsider is gone
        create_patient(session, actor=ADMIN, patient_id="B", centre="BCN", today=TODAY)
    impatient.dispose()


def test_many_threads_write_everything_and_the_chain_verifies(file_engine: sa.Engine) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(10):
                with transaction(file_engine) as session:
                    create_patient(
                        session, actor=ADMIN, patient_id=f"W{worker}-{n}", centre="BCN", today=TODAY
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with transaction(file_engine) as session:
        assert len(list_patients(session, actor=ADMIN)) == 80
        report = audit.verify(session)
        assert report.ok
        assert report.entries == 1 + 80  # the centre and 80 patients


def test_sqlite_files_use_wal_with_synchronous_normal(file_engine: sa.Engine) -> None:
    with file_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        # SQLite's codes: 0 OFF, 1 NORMAL, 2 FULL (https://sqlite.org/pragma.html#pragma_synchronous)
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


_COMMIT_THEN_DIE = """
import os, signal, sys
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import create_patient
engine = make_engine(sys.argv[1])
with transaction(engine) as session:
    create_patient(session, actor=Actor.everywhere("t"), patient_id="KEPT", centre="BCN")
print("COMMITTED", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_commit_survives_the_process_being_killed_right_after(
    file_engine: sa.Engine, fresh_sqlite: str
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _COMMIT_THEN_DIE, fresh_sqlite],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": os.getcwd()},
        timeout=60,
        check=False,
    )
    assert child.stdout.strip() == "COMMITTED"
    assert child.returncode == -signal.SIGKILL
    file_engine.dispose()  # read the file afresh (WAL recovery by a new connection)
    with transaction(file_engine) as session:
        assert list_patients(session, actor=ADMIN) == ["KEPT"]
        assert audit.verify(session).ok


def test_a_read_only_file_still_opens_in_its_own_journal_mode(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE t (x INTEGER)")
    raw.execute("INSERT INTO t VALUES (1)")
    raw.commit()
    raw.close()
    reader = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with reader.connect() as connection:
        # Switching to WAL needs a write; a read-only file keeps its rollback journal.
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "delete"
        assert connection.exec_driver_sql("SELECT x FROM t").scalar_one() == 1
    reader.dispose()
