"""Reports built from analysis plans: sections in the plan's order with their captions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from clears import NotFoundError
from clears.cli.main import app
from clears.cohort import read
from clears.report import Report, build_report, render_html
from clears.report.plans import get_plan

from .conftest import EXAMPLE

#: Today's report of examples/cohort (before analysis plans), tables and text as printed.
TODAY = Path(__file__).parent / "data" / "default_report.json"


@pytest.fixture(scope="module")
def aitmehdi_report() -> Report:
    return build_report(read(EXAMPLE), plan="aitmehdi2021", today=dt.date(2024, 1, 2))


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


@pytest.mark.slow
def test_default_plan_is_todays_report(example_report: Report) -> None:
    today = json.loads(TODAY.read_text(encoding="utf-8"))
    today["facts"] = [f for f in today["facts"] if f[0] not in ("Software", "Cohort")]
    built = _as_data(example_report)  # build_report without a plan: the default plan
    assert built == today
    named = _as_data(build_report(read(EXAMPLE), plan="default", today=dt.date(2024, 1, 2)))
    assert named["tables"] == today["tables"]
    assert all(not s.caption for s in example_report.sections)


@pytest.mark.slow
def test_plan_sections_in_order_with_captions(aitmehdi_report: Report) -> None:
    plan = get_plan("aitmehdi2021")
    assert [s.key for s in aitmehdi_report.sections] == [s.kind for s in plan.sections]
    assert [s.caption for s in aitmehdi_report.sections] == [s.caption for s in plan.sections]
    page = render_html(aitmehdi_report)
    positions = [page.index(f'<p class="caption">{escape(s.caption)}</p>') for s in plan.sections]
    assert positions == sorted(positions)
    facts = dict(aitmehdi_report.facts)
    assert facts["Response criteria"] == "Aitmehdi 2021 criteria"
    assert facts["Analysis plan"].startswith("aitmehdi2021: Aitmehdi R, et al.")
    assert aitmehdi_report.title == plan.title


def test_new_sections_name_their_methods(aitmehdi_report: Report) -> None:
    tables = {t.key: t.frame for t in aitmehdi_report.tables()}
    severity = tables["response_severity"]
    # examples/cohort: baseline CLASI-A of P01..P06 puts 5 in moderate, 1 in severe
    assert severity["n"].tolist() == ["0", "5", "1"]
    test = tables["response_severity_test"]
    assert test["Method"].tolist() == [
        "Fisher's exact test (two-sided); conditional MLE odds ratio"
    ]
    assert test["Comparison"].tolist() == ["Complete response, mild and moderate vs severe"]
    flare = tables["sledai_flare_test"]
    assert flare["Method"].tolist() == ["Mann-Whitney U test (two-sided, exact)"]
    assert "Mann-Whitney U test (two-sided, exact)" in " ".join(aitmehdi_report.methods)
    smoking = tables["cr_by_group_test"]
    assert smoking["Method"].tolist() == [
        "log-rank test (Mantel-Cox, chi-squared approximation; R survdiff)"
    ]
    # examples/cohort: P02 is the one current smoker, without a complete response
    assert tables["cr_by_group"]["Group"].tolist() == [
        "Smoking: current",
        "Smoking: other than current",
    ]
    assert smoking["Hazard ratio (95% CI)"].tolist() == [
        "not estimable (a group without a complete response)"
    ]
    # the SLE population: P02 and P04 are the patients with SLE (patients.csv)
    assert tables["sledai_flare"]["n"].tolist() == ["1", "1"]


@pytest.mark.slow
def test_section_population_keeps_its_patients() -> None:
    section = {"kind": "safety", "population": "lupus", "caption": "SLE only."}
    doc = {"name": "sle_only", "criteria": ["cortes2012"], "populations": {"lupus": "sle"},
           "sections": [section]}  # fmt: skip
    from clears.report.plans import parse_plan

    report = build_report(read(EXAMPLE), plan=parse_plan(doc))
    (section,) = report.sections
    assert section.caption == "SLE only."
    assert section.paragraphs[0].endswith("of 2 patients over 0.6 patient-years (CTCAE v5.0).")


@pytest.mark.slow
def test_cli_plan_option(tmp_path: Path) -> None:
    runner = CliRunner()
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'name = "short"\ncriteria = ["cortes2012"]\n'
        '[[sections]]\nkind = "response_by_severity"\ncaption = "By band."\n',
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
    assert "bundled plans: aitmehdi2021, cortes2012, default" in str(wrong.exception)


@pytest.mark.slow
def test_criteria_replacing_a_section_preset_refused() -> None:
    from clears import InputError

    with pytest.raises(InputError) as caught:
        build_report(read(EXAMPLE), plan="aitmehdi2021", criteria=["cortes2012"])
    (problem,) = caught.value.problems
    assert str(problem).startswith("aitmehdi2021: sections[2].criteria: names a preset")
    assert problem.allowed == "cortes2012"
