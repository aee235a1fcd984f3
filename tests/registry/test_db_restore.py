"""``clears db restore``: checks the backup, refuses while served, replaces atomically."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN, TODAY, two_centres
from typer.testing import CliRunner

from clears.cli.main import app
from clears.registry import audit
from clears.registry._engine import make_engine, transaction
from clears.registry._hold import RegistryHeldError, hold
from clears.registry.audit_key import resolve_audit_key
from clears.registry.backups import BackupError, backup, restore
from clears.registry.patients import create_patient, list_patients

REPO = Path(__file__).parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _patients(url: str, *, key_of: str | None = None) -> list[str]:
    """The registry's patients, after checking its audit chain with the key of ``key_of``
    (default: its own key file)."""
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            assert audit.verify(session, key=resolve_audit_key(key_of or url)).ok
            return list_patients(session, actor=ADMIN)
    finally:
        engine.dispose()


def _add(url: str, patient: str) -> None:
    engine = make_engine(url)
    with transaction(engine) as session:
        create_patient(session, actor=ADMIN, patient_id=patient, centre="BCN", today=TODAY)
    engine.dispose()


@pytest.fixture
def served(fresh_sqlite: str, tmp_path: Path) -> tuple[str, Path, Path]:
    """``(url, database file, backup)``: P1 and P2 in the backup, P3 added after it."""
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        two_centres(session)
    engine.dispose()
    copy = backup(fresh_sqlite, out=tmp_path / "backup.db")
    _add(fresh_sqlite, "P3")
    return fresh_sqlite, Path(fresh_sqlite.removeprefix("sqlite:///")), copy


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".restore-" in p.name)


@pytest.mark.slow  # over a second in --durations
def test_restore_brings_back_the_backup_and_keeps_the_old_database(
    served: tuple[str, Path, Path],
) -> None:
    url, path, copy = served
    result = CliRunner().invoke(app, ["db", "restore", str(copy), "--db", url])
    assert result.exit_code == 0, result.output
    assert _patients(url) == ["P1", "P2"]
    kept = [p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.before-restore-")]
    assert len(kept) == 1
    assert _patients(f"sqlite:///{kept[0]}", key_of=url) == ["P1", "P2", "P3"]
    assert f"the replaced database is kept as {kept[0]}" in result.output
    assert "audit chain verified (4 entries)" in result.output  # 2 centres + 2 patients
    assert _leftovers(path.parent) == []
    _add(url, "P4")  # the restored registry takes writes
    assert _patients(url) == ["P1", "P2", "P4"]


@pytest.mark.slow
def test_discarding_the_old_database_needs_force(served: tuple[str, Path, Path]) -> None:
    url, path, copy = served
    with pytest.raises(BackupError, match="pass --force as well"):
        restore(copy, url, keep=False)
    assert _patients(url) == ["P1", "P2", "P3"]
    restore(copy, url, keep=False, force=True)
    assert _patients(url) == ["P1", "P2"]
    assert not [p for p in path.parent.iterdir() if "before-restore" in p.name]


@pytest.mark.slow
def test_restore_into_a_new_file(served: tuple[str, Path, Path], tmp_path: Path) -> None:
    _, path, copy = served
    target = f"sqlite:///{tmp_path / 'new' / 'clears.db'}"
    with pytest.raises(BackupError, match="does not exist"):
        restore(copy, target)
    (tmp_path / "new").mkdir()
    # Without the key of the registry the backup came from, its keyed entries are unchecked.
    with pytest.raises(BackupError, match="keyed audit entries cannot be checked"):
        restore(copy, target)
    assert not (tmp_path / "new" / "clears.db").exists()
    (tmp_path / "new" / "clears.db.audit-key").write_bytes(Path(f"{path}.audit-key").read_bytes())
    done = restore(copy, target)
    assert done.kept is None
    assert _patients(target) == ["P1", "P2"]


def _holder(url: str) -> Iterator[subprocess.Popen[str]]:
    script = (
        "import sys, time\n"
        "from clears.registry._hold import hold\n"
        "with hold(sys.argv[1], exclusive=False):\n"
        "    print('HOLDING', flush=True)\n"
        "    time.sleep(120)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, url, "--clears-serve-stand-in"],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(REPO / "src")},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "HOLDING"
    try:
        yield child
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()


@pytest.mark.slow  # over a second in --durations
def test_restore_is_refused_while_a_server_holds_the_registry(
    served: tuple[str, Path, Path],
) -> None:
    url, path, copy = served
    before = _digest(path)
    for child in _holder(url):
        with pytest.raises(RegistryHeldError) as caught:
            restore(copy, url)
        message = str(caught.value)
        assert f"is in use by process {child.pid} (" in message
        assert "--clears-serve-stand-in" in message  # its command line names it
        assert "stop the server" in message
    assert _digest(path) == before
    assert _leftovers(path.parent) == []
    restore(copy, url)  # the holder is gone: the lock went with it
    assert _patients(url) == ["P1", "P2"]


def test_a_server_does_not_start_during_a_restore(served: tuple[str, Path, Path]) -> None:
    url, _, _ = served
    with (
        hold(url, exclusive=True),
        pytest.raises(RegistryHeldError, match="is being restored by"),
        hold(url, exclusive=False),
    ):
        pass  # pragma: no cover - never reached


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow  # restores through a live server
def test_the_real_server_holds_the_registry(served: tuple[str, Path, Path]) -> None:
    url, _, copy = served
    server = subprocess.Popen(
        [sys.executable, "-m", "clears.cli.main", "serve", "--db", url, "--dev",
         "--port", str(_free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ | {"PYTHONPATH": str(REPO / "src")},
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = ""
        while "Serving" not in line:
            line = server.stdout.readline()
            assert line, "clears serve ended before serving"
        result = CliRunner().invoke(app, ["db", "restore", str(copy), "--db", url])
        assert result.exit_code == 1
        assert f"process {server.pid} (" in str(result.exception)
        assert "serve --db" in str(result.exception)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    assert CliRunner().invoke(app, ["db", "restore", str(copy), "--db", url]).exit_code == 0


@pytest.mark.slow
def test_an_open_connection_elsewhere_refuses_the_restore(
    served: tuple[str, Path, Path],
) -> None:
    url, path, copy = served
    other = sqlite3.connect(path)
    try:
        other.execute("SELECT count(*) FROM patients").fetchone()
        with pytest.raises(BackupError, match="is open in another process"):
            restore(copy, url)
    finally:
        other.close()
    assert _patients(url) == ["P1", "P2", "P3"]
    assert _leftovers(path.parent) == []


def _text(path: Path) -> None:
    path.write_text("not a backup\n")


def _not_a_registry(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE notes (x)")
    raw.close()


def _damaged(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        root = raw.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'"
        ).fetchone()[0]
    raw.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 64] = b"\xff" * 64  # the b-tree page header of audit_log
    path.write_bytes(bytes(data))


def _unknown_revision(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.close()


def _tampered(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = 3")
    raw.close()


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_text, "is a file that is neither a SQLite database nor a pg_dump archive"),
        (_not_a_registry, "is a SQLite database without the registry tables"),
        (_damaged, "damaged|malformed"),
        (_unknown_revision, "at revision 9999, which this version of clears does not know"),
        (_tampered, "fails the audit chain check: entry 3"),
    ],
    ids=["text", "not-a-registry", "damaged", "unknown-revision", "tampered"],
)
def test_a_bad_backup_is_refused_naming_why(
    served: tuple[str, Path, Path], spoil: Callable[[Path], None], reason: str
) -> None:
    url, path, copy = served
    spoil(copy)
    before = _digest(path)
    result = CliRunner().invoke(app, ["db", "restore", str(copy), "--db", url])
    assert result.exit_code == 1
    assert isinstance(result.exception, BackupError)
    assert "\n" not in str(result.exception)
    assert re.search(reason, str(result.exception)), str(result.exception)
    assert _digest(path) == before
    assert _leftovers(path.parent) == []
    assert not [p for p in path.parent.iterdir() if "before-restore" in p.name]


@pytest.mark.slow
def test_a_restored_database_is_one_sqlite_file_with_its_wal_gone(
    served: tuple[str, Path, Path],
) -> None:
    url, path, copy = served
    engine = make_engine(url)  # leaves -wal and -shm beside the file while open
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    engine.dispose()
    restore(copy, url)
    assert not Path(f"{path}-wal").exists()
    assert _patients(url) == ["P1", "P2"]


@pytest.mark.slow
def test_a_backup_at_an_older_revision_is_restored_upgraded(
    served: tuple[str, Path, Path], tmp_path: Path
) -> None:
    from clears.registry import migrate

    url, _, _ = served
    old = tmp_path / "old.db"
    migrate.upgrade(f"sqlite:///{old}", revision="0002")
    before = old.read_bytes()
    done = restore(old, url)
    assert done.upgraded_from == "0002"
    assert done.revision == migrate.head_revision()
    assert "the backup was at revision 0002; the restored copy was upgraded" in done.to_text()
    assert old.read_bytes() == before  # the backup file itself is not touched
    assert _patients(url) == []


@pytest.mark.slow  # over a second in --durations
def test_an_older_backup_a_pending_constraint_forbids_is_refused(
    served: tuple[str, Path, Path], tmp_path: Path
) -> None:
    from clears._exceptions import InputError
    from clears.registry import migrate

    url, path, _ = served
    old = tmp_path / "old.db"
    migrate.upgrade(f"sqlite:///{old}", revision="0002")
    with sqlite3.connect(old) as raw:
        raw.execute("INSERT INTO centres (id, code) VALUES (1, 'BCN')")
        raw.execute(
            "INSERT INTO patients (id, patient_id, centre_key, bsa_percent) "
            "VALUES (1, 'P01', 1, 140)"  # revision 0003 allows 0-100 %
        )
    raw.close()
    before = _digest(path)
    with pytest.raises(InputError) as caught:
        restore(old, url)
    assert [(p.field, p.value) for p in caught.value.problems] == [("patients.bsa_percent", 140)]
    assert _digest(path) == before
    assert _leftovers(path.parent) == []
