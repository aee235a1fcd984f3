"""``clears advise`` end to end on a small synthetic cohort folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clears.cli.main import app

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "patients.csv").write_text(
        "patient_id,centre,sex,birth_year,smoking,aps\nP1,C1,male,1980,current,no\n",
        encoding="utf-8",
    )
    (tmp_path / "treatments.csv").write_text(
        "patient_id,drug,start_date,dose_mg_per_day,end_date,regimen\n"
        "P1,lenalidomide,2024-01-01,5,,5 mg daily\n",
        encoding="utf-8",
    )
    (tmp_path / "visits.csv").write_text(
        "patient_id,visit_date,clasi_a,anc,wbc,platelets,hb\n"
        "P1,2024-01-01,10,3.0,6.0,200,13.5\nP1,2024-01-29,10,2.5,5.5,180,13.0\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.slow
def test_json_advice(folder: Path) -> None:
    result = runner.invoke(app, ["advise", str(folder), "--patient", "P1", "--as-of", "2024-01-29"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # day 28, CLASI-A 10 -> 10: no improvement -> 10 mg/day (Cortés-Hernández 2012, Methods)
    assert data["dose"]["action"] == "increase"
    assert data["dose"]["dose_mg_per_day"] == 10.0
    assert data["dose"]["regimen"] == "10 mg daily"
    assert {"monitoring", "alerts", "eligibility"} <= set(data)
    assert all(a["rule"] and a["reference"] for a in data["alerts"])
    assert "safety.thrombosis_risk" in {a["rule"] for a in data["alerts"]}


@pytest.mark.slow
def test_text_advice_and_other_protocol(folder: Path) -> None:
    args = [
        "advise",
        str(folder),
        "--patient",
        "P1",
        "--as-of",
        "2024-01-29",
        "--protocol",
        "okon_braunstein",
        "--format",
        "text",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "okon_braunstein.induction" in result.stdout  # day 28 < 42: still the first 6 weeks


@pytest.mark.slow
def test_deviation_report(folder: Path) -> None:
    result = runner.invoke(app, ["advise", str(folder), "--all", "--deviations"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["deviations"]
    assert [(r["visit_date"], r["advised_mg_per_day"], r["actual_mg_per_day"]) for r in rows] == [
        ("2024-01-29", 10.0, 5.0)
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--as-of", "2024-01-29"],
        ["--patient", "P1", "--all"],
        ["--patient", "P1", "--deviations"],
        ["--patient", "P1", "--as-of", "29/01/2024"],
    ],
)
def test_usage_errors_exit_2(folder: Path, args: list[str]) -> None:
    assert runner.invoke(app, ["advise", str(folder), *args]).exit_code == 2


@pytest.mark.slow
def test_unknown_patient_and_protocol_are_errors(folder: Path) -> None:
    result = runner.invoke(app, ["advise", str(folder), "--patient", "P9", "--as-of", "2024-01-29"])
    assert result.exit_code != 0
    assert "P9" in str(result.exception)
    result = runner.invoke(app, ["advise", str(folder), "--patient", "P1", "--protocol", "nope"])
    assert result.exit_code != 0
    assert "unknown protocol" in str(result.exception)
