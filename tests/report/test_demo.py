"""clears demo end to end through the SQLite registry, and clears report --db.

The demo runs once in a subprocess (the installed command as a user runs it); the other
cases run in-process with small cohorts to keep the suite quick.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clears import ConflictError, InputError
from clears.cli.demo import DEMO_DB, run_demo
from clears.cli.main import app
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry.exporter import export_cohort

runner = CliRunner()


def _clears(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "clears.cli.main", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def _patients(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute("SELECT count(*) FROM patients").fetchone()
    return int(count)


@pytest.fixture(scope="module")
def demo_dir(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("demo")
    done = _clears("demo", "--out", "out", "--seed", "5", cwd=folder)
    return folder / "out", done


def test_demo_exits_0_and_writes_report_and_database(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, done = demo_dir
    assert done.returncode == 0, done.stderr
    report, db = out / "clears-report.html", out / DEMO_DB
    assert report.stat().st_size > 0
    assert db.exists()
    assert str(report.resolve()) in done.stdout
    assert str(db.resolve()) in done.stdout
    for hint in ("clears report --db sqlite:///", "clears serve --db", "clears outcomes"):
        assert hint in done.stdout


def test_demo_database_holds_40_patients(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    # the default --n is 40 (Aitmehdi 2021, 40 patients)
    assert _patients(out / DEMO_DB) == 40


def test_demo_audit_chain_verifies(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    engine = make_engine(f"sqlite:///{out / DEMO_DB}")
    try:
        with transaction(engine) as session:
            report = audit.verify(session)
    finally:
        engine.dispose()
    assert report.ok, report.to_text()
    assert report.entries >= 40  # one import entry per patient, plus the centres created


def test_demo_report_is_built_from_the_registry(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    page = (out / "clears-report.html").read_text(encoding="utf-8")
    # the Cohort fact is the exported cohort's source: the database URL, not the simulator
    assert f"sqlite:///{(out / DEMO_DB).resolve()}" in page
    assert "simulated:aitmehdi2021" not in page
    assert 'id="table-table1"' in page
    assert 'id="table-ae_table"' in page


def test_demo_rerun_refuses_to_touch_the_database(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    db = out / DEMO_DB
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    again = _clears("demo", "--out", str(out), cwd=out)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "--force" in again.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_report_from_db(demo_dir) -> None:  # type: ignore[no-untyped-def]
    out, _ = demo_dir
    url = f"sqlite:///{(out / DEMO_DB).resolve()}"
    target = out / "from-db.html"
    done = _clears("report", "--db", url, "--out", str(target), "-c", "cortes2012", cwd=out)
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    assert url in page
    assert "cortes2012@1.0" in page
    # Table 1's n row is the registry's patient count
    assert ">n</td><td>40</td>" in page


def test_report_needs_exactly_one_source(tmp_path: Path) -> None:
    neither = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html")])
    both = runner.invoke(app, ["report", "x", "--db", "sqlite:///x.db", "--out", "r.html"])
    assert neither.exit_code == 2
    assert both.exit_code == 2
    assert "exactly one" in neither.output


def test_demo_force_replaces_the_database(tmp_path: Path) -> None:
    first = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "3", "--seed", "1"])
    assert first.exit_code == 0, first.output
    refused = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "4"])
    assert isinstance(refused.exception, ConflictError)
    assert _patients(tmp_path / DEMO_DB) == 3
    forced = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "4", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _patients(tmp_path / DEMO_DB) == 4


def test_demo_given_db_must_be_new(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mine.db'}"
    run = run_demo(tmp_path / "a", n=2, seed=3, db=url)
    assert run.patients == 2
    assert run.database == tmp_path / "mine.db"
    assert export_cohort(actor=Actor.everywhere("t"), url=url).n_patients == 2
    with pytest.raises(ConflictError, match="already holds a registry"):
        run_demo(tmp_path / "b", n=2, seed=3, db=url, force=True)
    assert export_cohort(actor=Actor.everywhere("t"), url=url).n_patients == 2  # untouched


def test_demo_refuses_in_memory_database(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="in-memory"):
        run_demo(tmp_path, n=2, db="sqlite://")
