"""``clears audit verify|show`` on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.registry._helpers import BCN, TODAY, two_centres
from typer.testing import CliRunner

from clears.cli.main import app
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import update_patient


def test_verify_and_show(fresh_sqlite: str) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        two_centres(session)
        update_patient(
            session,
            actor=BCN,
            patient_id="P1",
            version=1,
            changes={"birth_year": 1970},
            today=TODAY,
        )
    engine.dispose()
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", fresh_sqlite])
    assert ok.exit_code == 0, ok.output
    assert "intact: 5 entries" in ok.output  # 2 centres + 2 patients + 1 update
    shown = runner.invoke(app, ["audit", "show", "--patient", "P1", "--db", fresh_sqlite])
    assert shown.exit_code == 0, shown.output
    assert "dr_bcn update patients" in shown.output
    assert "birth_year: None -> 1970" in shown.output
    path = Path(fresh_sqlite.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE audit_log SET reason = 'covered up' WHERE id = 5")
    raw.close()
    broken = runner.invoke(app, ["audit", "verify", "--db", fresh_sqlite])
    assert broken.exit_code == 1
    assert "entry 5: content does not match its hash (edited)" in broken.output
