"""Reports built from analysis plans: sections in the plan's order with their captions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from clears import NotFoundError
from clears.cli.main import app
from clears.cohort import read
from clears.report import Report, build_report

from .conftest import EXAMPLE

#: Today's report of examples/cohort (before analysis plans), tables and text as printed.
TODAY = Path(__file__).parent / "data" / "default_report.json"


def _as_data(report: Report) -> dict[str, Any]:
    return {
        "sections": [[s.key, s.title, list(s.paragraphs), [f.key for f in s.figures]]
                     for s in report.sections],
        "tables": [{"key": t.key, "title": t.title, "sheet": t.sheet,
                    "footnotes": list(t.footnotes), "columns": [str(c) for c in t.frame.columns],
                    "rows": t.frame.astype(str).to_numpy().tolist()} for t in report.tables()],
        "methods": list(report.methods),
        "facts": [list(f) for f in report.facts if f[0] not in ("Software", "Cohort")],
        "warnings": list(report.warnings),
    }  # fmt: skip


def test_default_plan_is_todays_report(example_report: Report) -> None:
    today = json.loads(TODAY.read_text(encoding="utf-8"))
    today["facts"] = [f for f in today["facts"] if f[0] not in ("Software", "Cohort")]
    built = _as_data(example_report)  # build_report without a plan: the default plan
    assert built == today
    named = _as_data(build_report(read(EXAMPLE), plan="default", today=dt.date(2024, 1, 2)))
    assert named["tables"] == today["tables"]
    assert all(not s.caption for s in example_report.sections)


def test_section_population_keeps_its_patients() -> None:
    section = {"kind": "safety", "population": "lupus", "caption": "SLE only."}
    doc = {"name": "sle_only", "criteria": ["cortes2012"], "populations": {"lupus": "sle"},
           "sections": [section]}  # fmt: skip
    from clears.report.plans import parse_plan

    report = build_report(read(EXAMPLE), plan=parse_plan(doc))
    (section,) = report.sections
    assert section.caption == "SLE only."
    assert section.paragraphs[0].endswith("of 2 patients over 0.6 patient-years (CTCAE v5.0).")


def test_cli_plan_option(tmp_path: Path) -> None:
    runner = CliRunner()
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'name = "short"\ncriteria = ["cortes2012"]\n'
        '[[sections]]\nkind = "response"\ncaption = "By band."\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(EXAMPLE), "--plan", str(plan), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<p class="caption">By band.</p>' in page
    assert "Cortés-Hernández 2012 criteria" in page
    assert 'id="cohort"' not in page
    wrong = runner.invoke(app, ["report", str(EXAMPLE), "--plan", "aitmehdi", "-o", str(out)])
    assert isinstance(wrong.exception, NotFoundError)
    assert "bundled plans: aitmehdi2021, default" in str(wrong.exception)
