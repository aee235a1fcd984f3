"""``clears audit verify|anchor|show`` on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from tests.registry._helpers import BCN, TODAY, two_centres
from typer.testing import CliRunner

from clears._exceptions import InputError
from clears.cli.main import app
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import update_patient


@pytest.mark.slow
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


def _written(url: str) -> Path:
    engine = make_engine(url)
    with transaction(engine) as session:
        two_centres(session)  # 4 entries
    engine.dispose()
    return Path(url.removeprefix("sqlite:///"))


@pytest.mark.slow  # over a second in --durations
def test_anchor_prints_the_head_and_verify_checks_it(fresh_sqlite: str, tmp_path: Path) -> None:
    path = _written(fresh_sqlite)
    with sqlite3.connect(path) as raw:
        last = raw.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        third = raw.execute("SELECT hash FROM audit_log WHERE id = 3").fetchone()[0]
    raw.close()
    runner = CliRunner()
    printed = runner.invoke(app, ["audit", "anchor", "--db", fresh_sqlite])
    assert printed.exit_code == 0, printed.output
    head = json.loads(printed.stdout)
    assert (head["entries"], head["last_hash"], head["keyed"]) == (4, last[1], True)
    assert last[0] == 4
    dt.datetime.fromisoformat(head["at"])
    kept = tmp_path / "anchor.json"
    wrote = runner.invoke(app, ["audit", "anchor", "--db", fresh_sqlite, "--out", str(kept)])
    assert wrote.exit_code == 0, wrote.output
    kept_head = json.loads(kept.read_text())
    assert kept_head["last_hash"] == last[1]
    ok = runner.invoke(app, ["audit", "verify", "--db", fresh_sqlite, "--anchor", str(kept)])
    assert ok.exit_code == 0, ok.output
    # the last entry removed and the head moved back: the chain agrees, the anchor does not
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM audit_log WHERE id = 4")
        raw.execute("UPDATE audit_head SET last_id = 3, last_hash = ?", (third,))
    raw.close()
    broken = runner.invoke(app, ["audit", "verify", "--db", fresh_sqlite, "--anchor", str(kept)])
    assert broken.exit_code == 1
    lines = broken.output.splitlines()
    assert lines[0].startswith("audit trail BROKEN: 2 problem(s) in 3 entries")
    assert lines[1:] == [
        f"  - the trail ends at entry 3 but the anchor of {kept_head['at']} recorded 4 entries "
        "(entries deleted from the end, the log rewound)",
        "  - patients 2 (patient P2): stored row has no audit entry (added outside clears)",
    ]


def test_verify_refuses_a_malformed_anchor(fresh_sqlite: str, tmp_path: Path) -> None:
    _written(fresh_sqlite)
    bad = tmp_path / "anchor.json"
    bad.write_text(json.dumps({"entries": -1, "last_hash": "0" * 64, "at": "x", "keyed": True}))
    result = CliRunner().invoke(
        app, ["audit", "verify", "--db", fresh_sqlite, "--anchor", str(bad)]
    )
    assert isinstance(result.exception, InputError)
    assert "entries: is not a valid anchor value (got -1)" in str(result.exception)
