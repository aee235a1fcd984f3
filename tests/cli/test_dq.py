"""``clears dq run`` on a cohort folder: report, formats and exit status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from clears.cli.main import app


def test_example_cohort_warning_only_exits_0() -> None:
    # examples/cohort: one warning (P02, treatments row 4, blank end_reason), no error.
    result = CliRunner().invoke(app, ["dq", "run", "examples/cohort", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["patient_id"], r["rule_id"]) for r in rows] == [("P02", "end-reason-required")]


def test_error_finding_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    shutil.copytree("examples/cohort", folder)
    path = folder / "visits.csv"
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("anc")] = "45"  # above the 30 x10^9/L of anc-plausible
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = CliRunner().invoke(app, ["dq", "run", str(folder)])
    assert result.exit_code == 1, result.output
    assert "anc-plausible (error): 1" in result.output


def test_neither_cohort_nor_db_is_usage_error() -> None:
    result = CliRunner().invoke(app, ["dq", "run"])
    assert result.exit_code == 2


def test_sqlite_registry_gives_the_same_finding(tmp_path: Path) -> None:
    # The example cohort imported into a SQLite registry: the same one warning, exit 0.
    url = f"sqlite:///{tmp_path / 'dq.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["db", "init", "--db", url]).exit_code == 0
    assert runner.invoke(app, ["import", "examples/cohort", "--db", url]).exit_code == 0
    result = runner.invoke(app, ["dq", "run", "--db", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["centre"], r["patient_id"], r["rule_id"]) for r in rows] == [
        ("BCN", "P02", "end-reason-required")
    ]
