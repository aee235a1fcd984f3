"""``clears outcomes`` on a small synthetic cohort folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clears.cli.main import app


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "patients.csv").write_text("patient_id,centre\nP1,A\nP2,A\n", encoding="utf-8")
    (tmp_path / "treatments.csv").write_text(
        "patient_id,drug,start_date,end_date,dose_mg_per_day\n"
        "P1,lenalidomide,2020-01-01,2020-06-01,5\n"
        "P2,lenalidomide,2020-01-01,,5\n",
        encoding="utf-8",
    )
    (tmp_path / "visits.csv").write_text(
        "patient_id,visit_date,clasi_a\n"
        "P1,2020-01-01,10\nP1,2020-03-01,0\n"
        "P2,2020-01-01,10\nP2,2020-03-20,8\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.slow
def test_json_has_records_summary_and_comparison(folder: Path) -> None:
    result = CliRunner().invoke(
        app, ["outcomes", str(folder), "--criteria", "aitmehdi2021", "klein2011", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    records = {(r["patient_id"], r["criteria"]): r for r in payload["outcomes"]}
    # P1: 10 -> 0 complete (Aitmehdi); Klein has only "meaningful improvement" (minimal).
    assert records[("P1", "aitmehdi2021")]["best_response"] == "complete"
    assert records[("P1", "klein2011")]["best_response"] == "minimal"
    # P2: 10 -> 8 is 2 points = 20 %: minimal under both (4 points OR 20 %).
    assert records[("P2", "aitmehdi2021")]["best_response"] == "minimal"
    assert records[("P1", "aitmehdi2021")]["relapse"] is False
    assert records[("P1", "klein2011")]["relapse"] is None
    assert records[("P1", "aitmehdi2021")]["time_to_complete_days"] == 60
    assert {c["name"] for c in payload["criteria"]} == {"aitmehdi2021", "klein2011"}
    comparison = {r["patient_id"]: r["agree"] for r in payload["comparison"]}
    assert comparison == {"P1": False, "P2": True}
    assert any(r["outcome"] == "best_response:complete" for r in payload["summary"])


@pytest.mark.slow
def test_csv_tables_and_out_file(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["outcomes", str(folder), "-c", "cortes2012"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("patient_id,criteria,criteria_version")
    target = tmp_path / "summary.csv"
    result = runner.invoke(
        app,
        [
            "outcomes",
            str(folder),
            "-c",
            "cortes2012,clasi50",
            "--table",
            "summary",
            "--out",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "criteria,criteria_version,outcome,n,denominator,proportion" in target.read_text()


def test_user_preset_file(folder: Path, tmp_path: Path) -> None:
    preset = tmp_path / "strict.toml"
    preset.write_text(
        'name = "strict"\nversion = "1"\ntitle = "Synthetic"\n[reference]\ncitation = "None"\n'
        "[response.partial]\npoints = 3\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["outcomes", str(folder), "-c", str(preset), "-f", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)["outcomes"]
    # P1 falls 10 points, P2 2 points: partial only for P1 under a 3-point rule.
    assert [r["best_response"] for r in records] == ["partial", "none"]


def test_unknown_preset_fails(folder: Path) -> None:
    result = CliRunner().invoke(app, ["outcomes", str(folder), "-c", "nope"])
    assert result.exit_code != 0
    assert "unknown criteria preset 'nope'" in str(result.exception)
