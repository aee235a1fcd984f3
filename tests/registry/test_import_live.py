"""A large ``clears import`` in another process while this one reads and writes the registry.

Reads (``transaction(engine, write=False)``) must be answered at once throughout, never
``RegistryBusyError``, and must never see part of the import: the patient count is the
count before or the count after, nothing in between. A write that cannot get the registry
is told, within the short wait, that an import holds it and until about when. An import
killed half-way leaves the registry as it was, its audit chain intact, and its notice
ignored, so that the next save waits normally and succeeds.

On both backends (SQLite file, PostgreSQL database of the test's own).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._faultrun import ENV
from tests.registry._helpers import ADMIN, TODAY
from tests.registry._own_db import own_database

from clears.registry import audit
from clears.registry._engine import IMPORT_WAIT, RegistryBusyError, make_engine, transaction
from clears.registry._import_notice import (
    STALE,
    Notice,
    notice_file,
    publish,
    running,
    withdraw,
)
from clears.registry._models import ENTITY_TABLES
from clears.registry.patients import create_centre, create_patient

pytestmark = pytest.mark.slow  # a simulated cohort imported by a child process, per backend

#: Patients of the imported cohort: enough for the import to run several seconds.
N = 1500


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated cohort of ``N`` patients (``clears simulate``, fixed seed)."""
    out = tmp_path_factory.mktemp("cohort") / "cohort"
    subprocess.run(
        [sys.executable, "-c", "from clears.cli.main import run; run()", "simulate",
         "--n", str(N), "--seed", "3", "--out", str(out)],
        check=True, env=ENV, capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A registry of the test's own with centre BCN and patient P01."""
    with own_database(request, f"sqlite:///{tmp_path / 'live.db'}") as made:
        engine = make_engine(made)
        with transaction(engine) as session:
            create_centre(session, actor=ADMIN, code="BCN")
            create_patient(session, actor=ADMIN, patient_id="P01", centre="BCN", today=TODAY)
        engine.dispose()
        yield made


def _import(cohort: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from clears.cli.main import run; run()", "import", str(cohort),
         "--db", url, "--today", "2030-01-01"],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _count(engine: sa.Engine) -> int:
    table = ENTITY_TABLES["patients"]
    with transaction(engine, write=False) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _wait_for_notice(engine: sa.Engine, child: subprocess.Popen[str]) -> Notice:
    """The import's notice, once it is up: from then on the import holds the registry."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        notice = running(engine)
        if notice is not None:
            return notice
        time.sleep(0.01)
    raise AssertionError(f"the import never published its notice ({child.poll()})")


def _save(session: Session, n: int) -> None:
    create_patient(session, actor=ADMIN, patient_id=f"W{n:02d}", centre="BCN", today=TODAY)


def test_reads_are_answered_and_never_see_part_of_the_import(cohort: Path, url: str) -> None:
    engine = make_engine(url, busy_timeout=IMPORT_WAIT)
    try:
        before = _count(engine)
        child = _import(cohort, url)
        notice = _wait_for_notice(engine, child)
        assert notice.total > N  # patients and their rows
        counts: set[int] = set()
        while child.poll() is None:
            # A read that waited for the import's lock would fail here with
            # RegistryBusyError after IMPORT_WAIT seconds.
            counts.add(_count(engine))
        _, stderr = child.communicate()
        assert child.returncode == 0, stderr
        after = _count(engine)
    finally:
        engine.dispose()
    assert after == before + N
    assert counts <= {before, after}, counts - {before, after}
    assert before in counts  # reads ran while the import held the registry


def test_a_write_during_the_import_is_told_until_about_when(cohort: Path, url: str) -> None:
    engine = make_engine(url, busy_timeout=1.0)
    try:
        child = _import(cohort, url)
        _wait_for_notice(engine, child)
        # Wait until the first rows are written, so that the notice has an estimate.
        while (notice := running(engine)) is not None and notice.until is None:
            time.sleep(0.05)
        with pytest.raises(RegistryBusyError) as refused, transaction(engine) as session:
            _save(session, 1)
        _, stderr = child.communicate()
        assert child.returncode == 0, stderr
        assert running(engine) is None  # withdrawn at the end
        with transaction(engine) as session:  # and writes go through again
            _save(session, 2)
        with transaction(engine, write=False) as session:
            assert audit.verify(session).ok
    finally:
        engine.dispose()
    error = refused.value
    if notice is not None:  # the import was still running when the save was refused
        assert error.until is not None
        assert "busy with an import until about" in str(error)
        assert error.until.astimezone().strftime("%H:%M") in str(error)
        assert error.until > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)


def test_an_import_killed_half_way_leaves_nothing(cohort: Path, url: str) -> None:
    engine = make_engine(url)
    try:
        before = _count(engine)
        with transaction(engine, write=False) as session:
            entries = len(audit.history(session, actor=ADMIN, patient_id="P01"))
        child = _import(cohort, url)
        notice = _wait_for_notice(engine, child)
        while child.poll() is None and notice.done < notice.total // 2:
            assert _count(engine) == before  # nothing visible before the commit
            time.sleep(0.05)
            notice = running(engine) or notice
        assert child.poll() is None, "the import ended before half-way"
        os.kill(child.pid, signal.SIGKILL)
        child.communicate()
        assert _count(engine) == before
        deadline = time.monotonic() + 30  # PostgreSQL ends the dead client's backend
        while running(engine) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert running(engine) is None  # its notice is gone or ignored
        with transaction(engine) as session:
            _save(session, 3)
        with transaction(engine, write=False) as session:
            assert audit.verify(session).ok
            assert len(audit.history(session, actor=ADMIN, patient_id="P01")) == entries
        assert _count(engine) == before + 1
    finally:
        engine.dispose()


def test_a_read_transaction_refuses_to_write(url: str) -> None:
    engine = make_engine(url)
    try:
        with pytest.raises(sa.exc.SQLAlchemyError), transaction(engine, write=False) as session:
            _save(session, 4)
        assert _count(engine) == 1
    finally:
        engine.dispose()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_a_sqlite_notice_is_read_back_and_ignored_when_dead_or_stale(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    started = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    until = started + dt.timedelta(minutes=20)
    path = notice_file(engine.url)
    assert path == tmp_path / "n.db-import"
    try:
        with Session(engine) as session:
            publish(session, Notice(started, until, 250, 1000))
            assert running(engine) == Notice(started, until, 250, 1000)
            assert "until about " + until.astimezone().strftime("%H:%M") in (
                Notice(started, until, 250, 1000).busy_text()
            )
            old = time.time() - STALE - 1
            os.utime(path, (old, old))
            assert running(engine) is None  # nobody refreshed it: stale
            publish(session, Notice(started, None, 0, 1000))
            assert running(engine) == Notice(started, None, 0, 1000)
            body = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(json.dumps(body | {"pid": _dead_pid()}), encoding="utf-8")
            assert running(engine) is None  # its process is gone
            withdraw(session, committed=False)
            assert not path.exists()
    finally:
        engine.dispose()
