"""Migrations build exactly the models' tables on both backends; init, upgrade and backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from clears._exceptions import ConflictError
from clears.cli.main import app
from clears.registry import migrate
from clears.registry._engine import make_engine, resolve_url
from clears.registry._models import METADATA, item_fields


def test_migrated_database_matches_the_models(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), METADATA)
    assert diff == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_every_item_column_refuses_a_code_outside_its_levels(session: Session) -> None:
    # Allowed codes come from the instrument definitions; one above the maximum is refused.
    connection = session.connection()
    connection.execute(sa.text("INSERT INTO centres (id, code) VALUES (900, 'CK')"))
    connection.execute(
        sa.text("INSERT INTO patients (id, patient_id, centre_key) VALUES (900, 'CK1', 900)")
    )
    for field in item_fields():
        bad = field.item.maximum + 1
        savepoint = connection.begin_nested()
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                sa.text(
                    f"INSERT INTO visits (patient_key, visit_date, {field.column}) "
                    "VALUES (900, '2020-01-01', :v)"
                ),
                {"v": bad},
            )
        savepoint.rollback()
    # The top code itself is accepted.
    first = item_fields()[0]
    connection.execute(
        sa.text(
            f"INSERT INTO visits (patient_key, visit_date, {first.column}) "
            "VALUES (900, '2020-01-01', :v)"
        ),
        {"v": first.item.maximum},
    )


@pytest.mark.slow
def test_downgrade_to_base_and_upgrade_again(fresh_sqlite: str) -> None:
    from alembic import command

    command.downgrade(migrate.alembic_config(fresh_sqlite), "base")
    engine = make_engine(fresh_sqlite)
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    assert migrate.upgrade(fresh_sqlite) == migrate.head_revision()
    assert "visits" in sa.inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.slow  # over a second in --durations
def test_init_refuses_an_initialised_database(fresh_sqlite: str) -> None:
    with pytest.raises(ConflictError, match=r"already initialised.*clears db upgrade"):
        migrate.init(fresh_sqlite)


def test_url_resolution_order() -> None:
    env = {"CLEARS_DB_URL": "postgresql+psycopg://h/db"}
    assert resolve_url("sqlite:///a.db", environ=env) == "sqlite:///a.db"
    assert resolve_url(None, environ=env) == "postgresql+psycopg://h/db"
    assert resolve_url(None, environ={}) == "sqlite:///clears.db"
    assert resolve_url("", environ={"CLEARS_DB_URL": ""}) == "sqlite:///clears.db"


@pytest.mark.slow  # over a second in --durations
def test_cli_init_upgrade_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["db", "init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clears.db").is_file()  # the default: a file in the working directory
    again = runner.invoke(app, ["db", "init"])
    assert again.exit_code != 0
    assert isinstance(again.exception, ConflictError)
    url = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("CLEARS_DB_URL", url)
    missing = runner.invoke(app, ["db", "upgrade"])  # upgrade never creates a database
    assert missing.exit_code == 1
    assert "run 'clears db init" in str(missing.exception)
    assert not (tmp_path / "other.db").exists()
    assert runner.invoke(app, ["db", "init"]).exit_code == 0
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    backup = runner.invoke(app, ["db", "backup", "--out", str(tmp_path / "copy.db")])
    assert backup.exit_code == 0, backup.output
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
    copy.close()
    assert {"patients", "visits", "audit_log"} <= tables


def test_migrated_check_constraints_match_the_models(engine: sa.Engine) -> None:
    # Alembic's compare_metadata does not compare CHECK constraints; compare their names.
    inspector = sa.inspect(engine)
    for table in METADATA.sorted_tables:
        expected = {
            str(c.name)
            for c in table.constraints
            if isinstance(c, sa.CheckConstraint) and c.name is not None
        }
        found = {str(c["name"]) for c in inspector.get_check_constraints(table.name)}
        assert found == expected, (table.name, expected ^ found)


@pytest.mark.parametrize(
    ("table", "column", "bad", "edge"),
    [
        # Plausibility ranges of clears.cohort._schema: antimalarial months 0-600,
        # body surface area 0-100 %, highest CLASI erythema 0-3 (Albrecht 2005).
        ("patients", "antimalarial_months", 601, 600),
        ("patients", "bsa_percent", 100.5, 100),
        ("visits", "erythema_max", 4, 3),
    ],
)
def test_range_checks_of_revision_0003(
    session: Session, table: str, column: str, bad: float, edge: float
) -> None:
    connection = session.connection()
    connection.execute(sa.text("INSERT INTO centres (id, code) VALUES (901, 'RC')"))
    connection.execute(
        sa.text("INSERT INTO patients (id, patient_id, centre_key) VALUES (901, 'RC1', 901)")
    )
    if table == "patients":
        statement = f"UPDATE patients SET {column} = :v WHERE id = 901"
    else:
        statement = (
            f"INSERT INTO visits (patient_key, visit_date, {column}) VALUES (901, '2020-01-01', :v)"
        )
    for value in (bad, -1):
        savepoint = connection.begin_nested()
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(sa.text(statement), {"v": value})
        savepoint.rollback()
    connection.execute(sa.text(statement), {"v": edge})
    connection.execute(sa.text(statement), {"v": 0})
