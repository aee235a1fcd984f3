"""``clears db backup``: never over a file that is not a backup; passwords never on argv."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.registry._helpers import two_centres
from typer.testing import CliRunner

from clears.cli.main import app
from clears.registry import backups, migrate
from clears.registry._engine import make_engine, transaction
from clears.registry.backups import BackupError, backup, describe_file, pg_command


def _patients(path: Path) -> list[str]:
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT patient_id FROM patients ORDER BY patient_id").fetchall()
    raw.close()
    return [str(r[0]) for r in rows]


@pytest.fixture
def registry(fresh_sqlite: str) -> str:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        two_centres(session)
    engine.dispose()
    return fresh_sqlite


def test_backup_is_a_standalone_copy(registry: str, tmp_path: Path) -> None:
    out = backup(registry, out=tmp_path / "b.db")
    assert _patients(out) == ["P1", "P2"]
    assert describe_file(out) == "a SQLite registry file"
    assert not Path(f"{out}-wal").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.slow
def test_an_existing_out_is_refused_without_force(registry: str, tmp_path: Path) -> None:
    out = tmp_path / "b.db"
    backup(registry, out=out)
    before = out.read_bytes()
    result = CliRunner().invoke(app, ["db", "backup", "--db", registry, "--out", str(out)])
    assert result.exit_code == 1
    assert str(result.exception) == (
        f"--out {out} already exists (a SQLite registry file); nothing was written; "
        "choose another file, or pass --force to replace an older backup"
    )
    assert out.read_bytes() == before


@pytest.mark.slow
def test_force_replaces_an_older_backup(registry: str, tmp_path: Path) -> None:
    out = tmp_path / "b.db"
    backup(registry, out=out)
    engine = make_engine(registry)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE patients SET patient_id = 'P9' WHERE patient_id = 'P2'"))
    engine.dispose()
    result = CliRunner().invoke(
        app, ["db", "backup", "--db", registry, "--out", str(out), "--force"]
    )
    assert result.exit_code == 0, result.output
    assert _patients(out) == ["P1", "P9"]


def _other_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE notes (x)")
    raw.close()


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(
    ("make", "found"),
    [
        (lambda p: p.write_text("minutes of the meeting\n"), "a file that is neither"),
        (lambda p: p.write_bytes(b""), "an empty file"),
        (_other_sqlite, "a SQLite database without the registry tables"),
        (lambda p: p.write_bytes(b"PGDMP\x01\x0e"), "a pg_dump archive"),
        (lambda p: p.mkdir(), "a folder"),
    ],
    ids=["text", "empty", "other-sqlite", "pg-archive", "folder"],
)
def test_force_never_replaces_what_is_not_a_backup(
    registry: str, tmp_path: Path, make: object, found: str
) -> None:
    out = tmp_path / "precious"
    make(out)  # type: ignore[operator]
    before = out.read_bytes() if out.is_file() else None
    with pytest.raises(BackupError) as caught:
        backup(registry, out=out, force=True)
    message = str(caught.value)
    assert f"--out {out} is {found}" in message
    assert "never replaced, even with --force" in message
    assert (out.read_bytes() if out.is_file() else None) == before


@pytest.mark.slow
def test_force_never_replaces_the_database_or_a_live_one(registry: str, tmp_path: Path) -> None:
    itself = Path(registry.removeprefix("sqlite:///"))
    with pytest.raises(BackupError, match="is the database itself"):
        backup(registry, out=itself, force=True)
    live = tmp_path / "live.db"
    backup(registry, out=live)
    engine = make_engine(f"sqlite:///{live}")  # opened in WAL mode: -wal and -shm beside it
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1 FROM patients"))
        with pytest.raises(BackupError, match="live database"):
            backup(registry, out=live, force=True)
    engine.dispose()


def test_the_password_goes_through_the_environment() -> None:
    url = sa.make_url("postgresql+psycopg://clears:s3cret@db.example:5433/registry")
    argv, env = pg_command("pg_dump", url, ["--format=custom"], environ={"PATH": "/usr/bin"})
    assert env == {"PATH": "/usr/bin", "PGPASSWORD": "s3cret"}
    assert argv == [
        "pg_dump",
        "--format=custom",
        "--dbname=postgresql://clears@db.example:5433/registry",
    ]
    assert not any("s3cret" in part for part in argv)
    _, bare = pg_command("pg_dump", sa.make_url("postgresql://u@h/db"), [], environ={})
    assert "PGPASSWORD" not in bare


def test_a_real_pg_dump_gets_the_password_from_the_environment(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(postgres_url)
    with_password = sa.make_url(postgres_url).set(password="not-on-argv")
    seen: list[tuple[list[str], dict[str, str]]] = []
    real = subprocess.run

    def spy(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append((list(argv), dict(kwargs["env"])))  # type: ignore[arg-type]
        return real(argv, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(backups.subprocess, "run", spy)
    out = backup(with_password.render_as_string(hide_password=False), out=tmp_path / "b.dump")
    assert describe_file(out) == "a pg_dump archive"
    ((argv, env),) = seen
    assert env["PGPASSWORD"] == "not-on-argv"
    assert not any("not-on-argv" in part for part in argv)
    assert argv[0].endswith("pg_dump")
    with pytest.raises(BackupError, match="already exists"):
        backup(postgres_url, out=out)
    assert backup(postgres_url, out=out, force=True) == out  # an archive replaces an archive
