"""Commands that read or write an existing registry never create a database, and fail in one line.

Each failure is named by the URL (password masked) and says what to do; exit code 1.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from clears._exceptions import ClearsError
from clears.cli.main import app
from clears.registry import migrate
from clears.registry._engine import make_engine, parse_url, shown_url
from clears.registry._open import RegistryOpenError, connection_failure, open_registry

REPO = Path(__file__).parents[2]

#: Every command that opens an existing registry, with the arguments it needs besides --db.
COMMANDS: list[list[str]] = [
    ["audit", "verify"],
    ["audit", "show", "--patient", "P1"],
    ["export", "--out", "exported"],
    ["import", str(REPO / "examples" / "cohort")],
    ["import-redcap", "redcap.csv", "--centre", "BCN"],
    ["db", "upgrade"],
    ["db", "backup", "--out", "copy.db"],
    ["users", "add", "dr_x", "--role", "monitor", "--all-centres"],
    ["report", "--out", "report.html"],
    ["advise", "--all", "--alerts"],
    ["patients", "rename", "P1", "P01", "--reason", "typo"],
    ["serve", "--dev", "--port", "1"],  # refused before listening; no <db>.lock either
]


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)
    (tmp_path / "redcap.csv").write_text("record_id\nP1\n")
    return tmp_path


def test_masked_url_helper() -> None:
    # SQLAlchemy's URL.render_as_string(hide_password=True) writes "***" for the password.
    assert (
        shown_url("postgresql+psycopg://u:pw@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    )
    assert shown_url(sa.make_url("postgresql://u:pw@h/db")) == "postgresql://u:***@h/db"
    assert shown_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert "pw" not in shown_url("post gres://u:pw@h/db")  # unparsable, still masked


def test_unknown_scheme_is_named_with_the_allowed_ones() -> None:
    with pytest.raises(ClearsError) as caught:
        parse_url("sqlit:///clears.db")
    assert str(caught.value) == (
        "sqlit:///clears.db: unknown URL scheme 'sqlit'; allowed: sqlite, postgresql"
    )
    with pytest.raises(ClearsError, match="mysql"):
        make_engine("mysql://u:pw@h/db")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_file_is_refused_and_not_created(workdir: Path, args: list[str]) -> None:
    before = _files(workdir)
    url = f"sqlite:///{workdir / 'mistyped.db'}"
    result = CliRunner().invoke(app, [*args, "--db", url], input="pw\npw\n")
    assert result.exit_code == 1
    assert isinstance(result.exception, RegistryOpenError), result.output
    message = str(result.exception)
    assert message.startswith(url)
    assert "\n" not in message
    assert f"clears db init --db {url}" in message
    assert _files(workdir) - before == set()  # nothing created: no .db, no -wal, no export


@pytest.mark.parametrize("args", COMMANDS[:4], ids=lambda a: " ".join(a[:2]))
def test_a_file_that_is_not_sqlite_is_refused_untouched(workdir: Path, args: list[str]) -> None:
    notes = workdir / "notes.db"
    notes.write_text("shopping list\n")
    result = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{notes}"])
    assert result.exit_code == 1
    assert "is not a SQLite database" in str(result.exception)
    assert notes.read_text() == "shopping list\n"
    assert not Path(f"{notes}-wal").exists()


@pytest.mark.slow
def test_a_database_without_the_registry_tables_is_not_a_registry(workdir: Path) -> None:
    empty = workdir / "empty.db"
    with sqlite3.connect(empty) as raw:
        raw.execute("CREATE TABLE other (x)")
    raw.close()
    for args in (["audit", "verify"], ["db", "upgrade"], ["export", "--out", "e"]):
        result = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{empty}"])
        assert result.exit_code == 1
        assert "not a clears registry" in str(result.exception)
        assert "run 'clears db init" in str(result.exception)


@pytest.mark.slow
def test_an_older_revision_asks_for_an_upgrade_and_upgrade_works(workdir: Path) -> None:
    url = f"sqlite:///{workdir / 'old.db'}"
    migrate.upgrade(url, revision="0002")
    with pytest.raises(RegistryOpenError, match=r"at revision 0002, older .*clears db upgrade"):
        open_registry(url)
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    open_registry(url).dispose()


def test_a_revision_unknown_to_this_version_is_refused(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(RegistryOpenError, match="revision 9999, which this version"):
        open_registry(fresh_sqlite)


def test_the_default_database_is_never_created_by_a_reading_command(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "sqlite:///clears.db: no database file clears.db" in str(result.exception)
    assert not (workdir / "clears.db").exists()


def test_init_prints_the_url_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str | None] = []
    monkeypatch.setattr(migrate, "init", lambda url: calls.append(url) or "0004")
    url = "postgresql+psycopg://clears:s3cret@db.example/clears"
    result = CliRunner().invoke(app, ["db", "init", "--db", url])
    assert result.exit_code == 0
    assert calls == [url]
    assert result.output.strip() == (
        "initialised postgresql+psycopg://clears:***@db.example/clears at revision 0004"
    )
    assert "s3cret" not in result.output


@pytest.mark.parametrize(
    ("driver_text", "expected"),
    [
        (
            'connection failed: connection to server at "h" (10.0.0.1), port 5432 failed: '
            'FATAL:  password authentication failed for user "u"',
            'postgresql://u:***@h/db: password authentication failed for user "u"; '
            "check the user name and password",
        ),
        (
            'connection to server at "h", port 5432 failed: FATAL:  database "db" does not exist',
            'postgresql://u:***@h/db: database "db" does not exist; create the database on the '
            "server, then run 'clears db init'",
        ),
    ],
)
def test_server_refusals_are_one_masked_line(driver_text: str, expected: str) -> None:
    # The texts are libpq's (src/interfaces/libpq/fe-auth.c, backend/utils/init/postinit.c).
    made = connection_failure(RuntimeError(driver_text), "postgresql://u:pw@h/db")
    assert str(made) == expected


def test_a_wrong_postgresql_password_is_one_line(postgres_url: str) -> None:
    # The test server trusts every local user, so make a role that must give a password.
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP ROLE IF EXISTS clears_pw")
        connection.exec_driver_sql("CREATE ROLE clears_pw LOGIN PASSWORD 'right-one'")
        hba = connection.exec_driver_sql("SHOW hba_file").scalar_one()
    engine.dispose()
    lines = Path(hba).read_text()
    rule = "host all clears_pw 127.0.0.1/32 scram-sha-256\n"
    Path(hba).write_text(rule + lines)
    engine = make_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("SELECT pg_reload_conf()")
        wrong = sa.make_url(postgres_url).set(username="clears_pw", password="wrong-one")
        url = wrong.render_as_string(hide_password=False)
        with pytest.raises(RegistryOpenError) as caught:
            open_registry(url)
        message = str(caught.value)
        assert message == (
            f'{shown_url(wrong)}: password authentication failed for user "clears_pw"; '
            "check the user name and password"
        )
        assert "wrong-one" not in message
    finally:
        Path(hba).write_text(lines)
        with engine.begin() as connection:
            connection.exec_driver_sql("SELECT pg_reload_conf()")
        engine.dispose()


def _clears(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(REPO / "src")}
    env.pop("CLEARS_DB_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "clears.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow  # runs the installed command
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["audit", "verify", "--db", "sqlite:///nope.db"], "no database file nope.db"),
        (["export", "-o", "x", "--db", "sqlit:///a.db"], "unknown URL scheme 'sqlit'"),
        (["audit", "verify", "--db", "sqlite:///notes.db"], "is not a SQLite database"),
        (
            ["audit", "verify", "--db", "postgresql://u:s3cret@127.0.0.1:9/db"],
            "postgresql://u:***@127.0.0.1:9/db",
        ),
    ],
)
def test_the_installed_command_prints_one_line_and_exits_1(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    (tmp_path / "notes.db").write_text("not a database")
    done = _clears(args, tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert "s3cret" not in done.stderr
    assert _files(tmp_path) == {"notes.db"}


def test_the_engine_keeps_the_url_as_given(fresh_sqlite: str) -> None:
    # Exports and reports name their source by the engine's URL; mode=rw stays internal.
    engine = open_registry(fresh_sqlite)
    try:
        assert engine.url.render_as_string(hide_password=False) == fresh_sqlite
    finally:
        engine.dispose()
