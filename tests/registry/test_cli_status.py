"""``clears status missing`` on a real SQLite file: text, CSV and JSON, centre and patient."""

from __future__ import annotations

import csv
import io
import json

from tests.registry._helpers import ADMIN, TODAY, two_centres
from typer.testing import CliRunner

from clears._exceptions import InputError
from clears.cli.main import app
from clears.registry import add_record
from clears.registry._engine import make_engine, transaction


def _registry(url: str) -> None:
    engine = make_engine(url)
    with transaction(engine) as session:
        two_centres(session)  # P2 (LYO) has no sex recorded; P1 (BCN) has
        add_record(
            session,
            actor=ADMIN,
            table="flares",
            patient_id="P1",
            values={"flare_date": "2024-01-02", "severity": "mild"},
            today=TODAY,
        )
    engine.dispose()


def test_centre_counts_in_each_format(fresh_sqlite: str) -> None:
    _registry(fresh_sqlite)
    runner = CliRunner()
    text = runner.invoke(app, ["status", "missing", "--db", fresh_sqlite])
    assert text.exit_code == 0, text.output
    assert "BCN flares.source: 1 of 1 records blank" in text.output
    assert "LYO patients.sex: 1 of 1 records blank" in text.output
    assert "BCN patients.sex" not in text.output
    table = runner.invoke(
        app, ["status", "missing", "--db", fresh_sqlite, "--centre", "BCN", "--format", "csv"]
    )
    assert table.exit_code == 0, table.output
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert {r["centre"] for r in rows} == {"BCN"}
    source = next(r for r in rows if (r["table"], r["field"]) == ("flares", "source"))
    assert (source["missing"], source["records"]) == ("1", "1")
    as_json = runner.invoke(app, ["status", "missing", "--db", fresh_sqlite, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    parsed = json.loads(as_json.output)
    assert {"centre": "LYO", "table": "patients", "field": "sex", "missing": 1, "records": 1} in (
        parsed
    )


def test_one_patient_and_a_bad_centre(fresh_sqlite: str) -> None:
    _registry(fresh_sqlite)
    runner = CliRunner()
    shown = runner.invoke(app, ["status", "missing", "--db", fresh_sqlite, "--patient", "P1"])
    assert shown.exit_code == 0, shown.output
    assert "flares" in shown.output
    assert "(2024-01-02): source" in shown.output
    bad = runner.invoke(app, ["status", "missing", "--db", fresh_sqlite, "--centre", "XXX"])
    assert isinstance(bad.exception, InputError)  # exit 1 through clears.cli.main.run
    assert "centre" in str(bad.exception)
    assert "BCN, LYO" in str(bad.exception)
