"""``clears cohort validate``: every problem printed, exit 1 on any; and the schema docs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clears.cli.main import app
from clears.cohort import SCHEMA

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "cohort"


@pytest.mark.slow
def test_valid_folder_exits_0() -> None:
    result = CliRunner().invoke(app, ["cohort", "validate", str(EXAMPLE), "--today", "2025-01-01"])
    assert result.exit_code == 0, result.output
    assert (
        "valid (6 patients, 9 treatments, 16 visits, 5 adverse_events, 3 flares, "
        "12 concomitant_medications)"
    ) in result.output


def test_every_problem_printed_and_exit_1(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(
        patients="patient_id,centre,sex\nP1,BCN,x\nP2,LYO,y\n",
        flares="patient_id,flare_date,severity\nP9,2021-08-02,mild\n",
    )
    result = CliRunner().invoke(app, ["cohort", "validate", str(folder), "--today", "2024-06-30"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"3 problem(s) in {folder}:"
    assert lines[1].startswith("  - patients.csv, row 1: sex: is not an allowed value (got 'x')")
    assert lines[2].startswith("  - patients.csv, row 2: sex:")
    assert lines[3].startswith("  - flares.csv, row 1: patient_id: is not in patients")


def test_json_output(folder_of: Callable[..., Path]) -> None:
    folder = folder_of(flares="patient_id,flare_date,severity\nP9,2021-08-02,mild\n")
    result = CliRunner().invoke(
        app, ["cohort", "validate", str(folder), "--today", "2024-06-30", "--format", "json"]
    )
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["valid"] is False
    assert payload["problems"] == [
        {
            "file": "flares.csv",
            "row": 1,
            "patient": "P9",
            "field": "patient_id",
            "value": "P9",
            "message": "is not in patients",
            "allowed": "a patient_id listed in patients.csv",
        }
    ]


def test_bad_today_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["cohort", "validate", str(EXAMPLE), "--today", "01/01/2025"])
    assert result.exit_code == 2


def test_docs_describe_every_known_column() -> None:
    text = (ROOT / "docs" / "cohort-tables.md").read_text(encoding="utf-8")
    for table, columns in SCHEMA.items():
        section = text.split(f"### `{table}`")[1].split("###")[0]
        for column in columns:
            assert f"| `{column.name}` |" in section, (table, column.name)
            for option in column.options:
                assert f"`{option}`" in section, (table, column.name, option)
