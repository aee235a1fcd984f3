"""SIGKILL at several points of import, export, db backup, db restore and a web save.

Each command runs as a child process (the real command, tests/registry/_killpoint.py) that
stops at a named point and is killed there. Afterwards the database is a committed state:
exactly the state before when killed before the COMMIT, the complete result when killed
after it, never anything in between; and its audit chain verifies.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from tests.registry._faultrun import REPO, chain_ok, run_to, shape, state
from tests.registry._helpers import ADMIN

from clears.registry._engine import make_engine, transaction
from clears.registry.backups import backup, describe_file
from clears.registry.patients import create_centre

EXAMPLE = REPO / "examples" / "cohort"

pytestmark = pytest.mark.slow  # about twenty child processes


@pytest.fixture
def registry(fresh_sqlite: str) -> tuple[str, Path]:
    """A registry with centre BCN (the example cohort adds LYO and its patients)."""
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
    engine.dispose()
    return fresh_sqlite, Path(fresh_sqlite.removeprefix("sqlite:///"))


def _statements(args: list[str], cwd: Path) -> int:
    counted = run_to("count", args, cwd)
    assert counted.code == 0, counted.stderr
    return int(counted.stderr.rsplit("STATEMENTS ", 1)[1].split()[0])


def test_import_killed_anywhere_is_all_or_nothing(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = registry
    reference = tmp_path / "reference.db"  # the same import run to the end, on a copy
    shutil.copy(path, reference)
    shutil.copy(f"{path}.audit-key", f"{reference}.audit-key")
    total = _statements(["import", str(EXAMPLE), "--db", f"sqlite:///{reference}"], tmp_path)
    after = shape(state(reference))
    before = state(path)
    assert after != shape(before)  # the import adds rows
    points = [f"execute:{total * k // 4}" for k in (1, 2, 3)] + ["commit:1"]
    for point in points:
        ended = run_to(point, ["import", str(EXAMPLE), "--db", url], tmp_path)
        assert ended.killed, (point, ended.stderr)
        assert state(path) == before, point
        assert chain_ok(path), point
    ended = run_to("committed:1", ["import", str(EXAMPLE), "--db", url], tmp_path)
    assert ended.killed
    assert shape(state(path)) == after  # killed after the COMMIT: the whole import
    assert chain_ok(path)


def test_export_killed_leaves_the_database_as_it_was_and_no_half_export(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = registry
    from typer.testing import CliRunner

    from clears.cli.main import app

    assert CliRunner().invoke(app, ["import", str(EXAMPLE), "--db", url]).exit_code == 0
    before = state(path)
    args = ["export", "--out", str(tmp_path / "out"), "--db", url]
    total = _statements(args, tmp_path)
    complete = sorted(p.name for p in (tmp_path / "out").iterdir())  # the run to the end
    shutil.rmtree(tmp_path / "out")
    for point in (f"execute:{total // 2}", f"execute:{total}", "call:rename:1"):
        ended = run_to(point, args, tmp_path)
        assert ended.killed, point
        assert not (tmp_path / "out").exists(), point  # still in its temporary folder
        assert state(path) == before, point
        assert chain_ok(path), point
    ended = run_to("after:rename:1", args, tmp_path)
    assert ended.killed
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == complete
    assert state(path) == before


def test_backup_killed_leaves_no_half_backup(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, path = registry
    before = state(path)
    out = tmp_path / "backup.db"
    for point in ("call:fsync:1", "call:replace:1"):
        ended = run_to(point, ["db", "backup", "--db", url, "--out", str(out)], tmp_path)
        assert ended.killed, point
        assert not out.exists(), point  # the copy was still a temporary file
        assert state(path) == before
    ended = run_to("after:replace:1", ["db", "backup", "--db", url, "--out", str(out)], tmp_path)
    assert ended.killed
    assert describe_file(out) == "a SQLite registry file"  # complete under its name
    assert state(out) == before
    assert state(path) == before


def test_restore_killed_anywhere_leaves_the_old_or_the_new_database(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = registry
    copy = backup(url, out=tmp_path / "backup.db")
    new = state(copy)
    from typer.testing import CliRunner

    from clears.cli.main import app

    assert CliRunner().invoke(app, ["import", str(EXAMPLE), "--db", url]).exit_code == 0
    old = state(path)
    assert old != new
    args = ["db", "restore", str(copy), "--db", url]
    for point in ("call:fsync:1", "call:link:1", "call:unlink:1", "call:replace:1"):
        ended = run_to(point, args, tmp_path)
        assert ended.killed, point
        assert state(path) == old, point
        assert chain_ok(path), point
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        raw.close()
    ended = run_to("after:replace:1", args, tmp_path)
    assert ended.killed
    assert state(path) == new
    assert chain_ok(path)


_WEB_SAVE = """
import dataclasses
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from tests.registry._killpoint import arm
from tests.web._setup import app_for, hash_once, sign_in

spec, ready, url = sys.argv[1:4]
app = app_for(url, hash_once())
with TestClient(app, base_url="https://testserver") as client:
    token = sign_in(client, "entry_bcn")
    # The session is looked up once here, so that the stops count the save's statements only.
    state = app.state.clears
    known = state.sessions.use(client.cookies.get("clears_session"))

    class Known:
        def get(self, _token):
            return known.account

        def use(self, _token):
            return dataclasses.replace(known, refreshed=False)

    app.state.clears = dataclasses.replace(state, sessions=Known())
    arm(spec, Path(ready))
    response = client.post(
        "/api/patients/P1/records/visits",
        headers={"X-CSRF-Token": token},
        json={"values": {"visit_date": "2024-03-01", "clasi_scalp_ery": 2}},
    )
    print(response.status_code, response.text[:200], file=sys.stderr)
"""


#: What signing in writes (the session, the last sign-in time): not part of the save.
_SIGN_IN_TABLES = ("users", "user_sessions", "sign_in_failures")


def _saved(path: Path) -> dict[str, list[tuple[object, ...]]]:
    return {t: rows for t, rows in state(path).items() if t not in _SIGN_IN_TABLES}


def test_a_web_save_killed_anywhere_is_all_or_nothing(tmp_path: Path) -> None:
    from tests.web._setup import add_users, hash_once, make_database

    url = make_database(tmp_path / "web.db")
    add_users(url, hash_once())  # the accounts the script's app signs in with, there before
    path = tmp_path / "web.db"
    before = _saved(path)
    for point in ("execute:2", "execute:4", "commit:1"):
        ended = run_to(point, [url], tmp_path, script=_WEB_SAVE)
        assert ended.killed, (point, ended.stderr)
        assert _saved(path) == before, point
        assert chain_ok(path), point
    ended = run_to("committed:1", [url], tmp_path, script=_WEB_SAVE)
    assert ended.killed, ended.stderr
    after = _saved(path)
    assert len(after["visits"]) == len(before["visits"]) + 1
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1
    assert chain_ok(path)
