"""``clears db upgrade`` runs every pending revision's data checks before changing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from clears._exceptions import InputError
from clears.cli.main import app
from clears.registry import migrate
from clears.registry._engine import make_engine
from clears.registry._prechecks import Precheck, offences


def _at_0002_with_bad_rows(path: Path) -> str:
    """A registry at revision 0002 holding values that 0003's range checks forbid."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url, revision="0002")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO centres (id, code) VALUES (1, 'BCN')"))
        connection.execute(
            sa.text(
                "INSERT INTO patients (id, patient_id, centre_key, antimalarial_months, "
                "bsa_percent) VALUES (1, 'P01', 1, 700, 40), (2, 'P02', 1, 600, NULL)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO visits (id, patient_key, visit_date, erythema_max) "
                "VALUES (7, 2, '2024-01-01', 5), (8, 2, '2024-02-01', 3)"
            )
        )
    engine.dispose()
    return url


def _revision_and_tables(url: str) -> tuple[str | None, set[str]]:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine), set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_upgrade_over_forbidden_values_lists_them_and_changes_nothing(tmp_path: Path) -> None:
    url = _at_0002_with_bad_rows(tmp_path / "old.db")
    before = (tmp_path / "old.db").read_bytes()
    with pytest.raises(InputError) as caught:
        migrate.upgrade(url, existing=True)
    problems = caught.value.problems
    # 0003 allows antimalarial_months 0-600 and erythema_max 0-3 (clears.cohort._schema);
    # P01's 700 months and P02's visit 7 with erythema 5 are outside; 600, 3 and NULL pass.
    assert [(p.field, p.value, p.allowed) for p in problems] == [
        ("patients.antimalarial_months", 700, "0 to 600 months"),
        ("visits.erythema_max", 5, "0 to 3 (CLASI erythema)"),
    ]
    assert "row id 1 (patient P01)" in problems[0].message
    assert "row id 7 (patient P02)" in problems[1].message
    assert "revision 0003" in problems[1].message
    revision, tables = _revision_and_tables(url)
    assert revision == "0002"
    assert "concomitant_medications" not in tables  # 0004 was not applied either
    assert (tmp_path / "old.db").read_bytes() == before


@pytest.mark.slow
def test_the_cli_lists_the_rows_and_upgrades_once_they_are_corrected(tmp_path: Path) -> None:
    url = _at_0002_with_bad_rows(tmp_path / "old.db")
    refused = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert refused.exit_code == 1
    assert isinstance(refused.exception, InputError)
    assert len(refused.exception.problems) == 2
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE patients SET antimalarial_months = 60 WHERE id = 1"))
        connection.execute(sa.text("UPDATE visits SET erythema_max = 2 WHERE id = 7"))
    engine.dispose()
    done = CliRunner().invoke(app, ["db", "upgrade", "--db", url])
    assert done.exit_code == 0, done.output
    assert _revision_and_tables(url)[0] == migrate.head_revision()


@pytest.mark.slow
def test_checks_of_columns_not_there_yet_find_nothing(tmp_path: Path) -> None:
    # At 0001 the decision-support columns do not exist: 0003's checks have no rows to read.
    url = f"sqlite:///{tmp_path / 'first.db'}"
    migrate.upgrade(url, revision="0001")
    engine = make_engine(url)
    assert migrate.pending_offences(engine) == []
    with engine.connect() as connection:
        missing = Precheck("no_such_table", "x", "x > 0", "positive")
        assert offences(connection, "9999", (missing,)) == []
    engine.dispose()
    assert migrate.upgrade(url, existing=True) == migrate.head_revision()


def test_every_revision_that_adds_range_checks_declares_them() -> None:
    # 0003 adds three CHECK constraints to existing columns: each has its pre-check.
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    module = script.get_revision("0003").module
    declared = {(c.table, c.column) for c in module.PRECHECKS}
    constrained = {(table, name.removeprefix(f"ck_{table}_")) for table, name, _ in module._CHECKS}
    assert declared == constrained
