"""clears report and clears demo end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clears.cli.main import app

from .conftest import EXAMPLE

runner = CliRunner()


@pytest.mark.slow  # a whole report in three formats
def test_report_writes_html_docx_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(
        app,
        ["report", str(EXAMPLE), "--out", str(out), "-c", "cortes2012",
         "--tables-docx", str(tmp_path / "t.docx"), "--tables-xlsx", str(tmp_path / "t.xlsx")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Cortés-Hernández 2012 criteria" in page
    assert "Aitmehdi 2021 criteria" not in page
    assert (tmp_path / "t.docx").stat().st_size > 0
    assert (tmp_path / "t.xlsx").stat().st_size > 0


def test_report_missing_cohort_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "nope"), "--out", str(tmp_path / "r")])
    assert result.exit_code != 0
