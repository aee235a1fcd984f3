"""A full disk: the command fails in one line and nothing is half-written.

Without root there is no small file system to fill, so the child process is limited
instead (tests/registry/_killpoint.py): ``RLIMIT_FSIZE`` makes every write beyond a size
fail with ``EFBIG``, as on a full disk; ``PRAGMA max_page_count`` makes SQLite report
"database or disk is full" when the database would grow beyond a number of pages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.registry._faultrun import REPO, chain_ok, run_to, state
from tests.registry._helpers import ADMIN
from typer.testing import CliRunner

from clears.cli.main import app
from clears.registry._engine import make_engine, transaction
from clears.registry.backups import backup
from clears.registry.patients import create_centre

EXAMPLE = REPO / "examples" / "cohort"


@pytest.fixture
def registry(fresh_sqlite: str) -> tuple[str, Path]:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
    engine.dispose()
    return fresh_sqlite, Path(fresh_sqlite.removeprefix("sqlite:///"))


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    return stderr


def _pages(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        count = int(raw.execute("PRAGMA page_count").fetchone()[0])
    raw.close()
    return count


@pytest.mark.slow  # over a second in --durations
def test_import_onto_a_full_database_writes_nothing(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = registry
    before = state(path)
    limit = f"pages:{_pages(path) + 2}"  # room for two more pages; the cohort needs more
    ended = run_to(limit, ["import", str(EXAMPLE), "--db", url], tmp_path)
    assert ended.code == 1
    assert "disk is full" in _one_line(ended.stderr)
    assert "nothing was written" in ended.stderr
    assert state(path) == before
    assert chain_ok(path)


@pytest.mark.slow  # over a second in --durations
def test_backup_onto_a_full_disk_leaves_no_file(registry: tuple[str, Path], tmp_path: Path) -> None:
    url, path = registry
    out = tmp_path / "backup.db"
    limit = f"fsize:{path.stat().st_size // 2}"
    ended = run_to(limit, ["db", "backup", "--db", url, "--out", str(out)], tmp_path)
    assert ended.code == 1
    assert "the disk is full" in _one_line(ended.stderr)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.slow  # over a second in --durations
def test_restore_onto_a_full_disk_keeps_the_old_database(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = registry
    copy = backup(url, out=tmp_path / "backup.db")
    assert CliRunner().invoke(app, ["import", str(EXAMPLE), "--db", url]).exit_code == 0
    before = state(path)
    limit = f"fsize:{copy.stat().st_size // 2}"
    ended = run_to(limit, ["db", "restore", str(copy), "--db", url], tmp_path)
    assert ended.code == 1
    assert "the disk is full" in _one_line(ended.stderr)
    assert state(path) == before
    assert chain_ok(path)
    assert not [p for p in path.parent.iterdir() if ".restore-" in p.name]


@pytest.mark.slow  # over a second in --durations
def test_export_onto_a_full_disk_is_one_line(fresh_sqlite: str, tmp_path: Path) -> None:
    # 150 simulated patients: a visits table larger than the 40 kB a file may grow to here
    # (and SQLite's 32 kB shared-memory file still fits).
    import numpy as np

    from clears.registry._actor import Actor
    from clears.registry.importer import import_cohort
    from clears.simulate import simulate

    cohort = simulate("aitmehdi2021", 150, np.random.default_rng(7))
    import_cohort(cohort, actor=Actor.everywhere("t"), url=fresh_sqlite)
    path = Path(fresh_sqlite.removeprefix("sqlite:///"))
    before = state(path)
    out = tmp_path / "out"
    ended = run_to("fsize:40000", ["export", "--out", str(out), "--db", fresh_sqlite], tmp_path)
    assert ended.code == 1
    assert "error: the disk is full (or a file size limit was reached)" in _one_line(ended.stderr)
    assert state(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "out" in p.name) == []  # no half export
