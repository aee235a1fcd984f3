"""The report's content: sections, tables, figures and generated methods text."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pandas as pd
import pytest

from clears import NotFoundError
from clears.cohort import read
from clears.instruments.ctcae import VERSION
from clears.report import STEPS, Report, build_report, render_html, write_docx, write_xlsx

from .conftest import EXAMPLE

pytestmark = pytest.mark.slow  # each test builds a whole study report


def test_sections_and_tables(example_report: Report) -> None:
    keys = [s.key for s in example_report.sections]
    assert keys == ["cohort", "response", "timecourse", "time_to_event", "swimmer", "safety"]
    for table in example_report.tables():
        assert not table.frame.empty, table.key
        assert all(isinstance(v, str) for v in table.frame.to_numpy().ravel()), table.key


def test_facts_name_presets_ctcae_and_date(example_report: Report) -> None:
    facts = dict(example_report.facts)
    # the presets by their source and year (titles of the bundled presets' TOML files)
    assert facts["Response criteria"] == "Aitmehdi 2021 criteria; Cortés-Hernández 2012 criteria"
    assert facts["Adverse event grading"] == VERSION == "CTCAE v5.0"
    assert facts["Date"] == "2024-01-02"
    # examples/cohort/treatments.csv: lenalidomide for P01..P06
    assert facts["Patients treated"] == "6"


def test_methods_come_from_results(example_report: Report) -> None:
    text = " ".join(example_report.methods)
    from clears.analysis import kaplan_meier

    km = kaplan_meier(pd.DataFrame({"t": [1, 2], "e": [1, 0]}), duration="t", event="e")
    assert km.method in text  # the estimator's own description, not hand-typed text
    for needle in ("Clopper-Pearson exact", "Wilson score", "Fisher's exact test",
                   "doi:10.1016/j.jaad.2020.11.014", "doi:10.1186/ar4111", "CTCAE v5.0",
                   "Garwood"):  # fmt: skip
        assert needle in text


def test_criteria_change_the_methods() -> None:
    report = build_report(read(EXAMPLE), criteria=["cortes2012"])
    text = " ".join(report.methods)
    assert "clears criteria preset cortes2012, version 1.0" in text
    assert "aitmehdi2021" not in text


def test_response_table_counts_match_outcomes(example_report: Report) -> None:
    from clears.outcomes import derive

    outcomes = derive(read(EXAMPLE), ["aitmehdi2021"])
    responders = int(outcomes["best_response"].isin(["complete", "partial"]).sum())
    evaluable = int(outcomes["evaluable"].sum())
    table = next(t for t in example_report.tables() if t.key == "response_any").frame
    criteria, everyone = table["Criteria"], table["Subgroup"]
    overall = table[(criteria == "Aitmehdi 2021 criteria") & (everyone == "All patients")]
    assert overall["Responders/n"].tolist() == [f"{responders}/{evaluable}"]


def test_progress_reports_every_step() -> None:
    seen: list[str] = []
    build_report(read(EXAMPLE), progress=seen.append)
    assert tuple(seen) == STEPS


def test_unknown_preset_rejected() -> None:
    with pytest.raises(NotFoundError, match="nonesuch"):
        build_report(read(EXAMPLE), criteria=["nonesuch"])


def test_swimmer_capped() -> None:
    report = build_report(read(EXAMPLE), swimmer_max=2)
    swimmer = next(f for f in report.figures() if f.key == "swimmer")
    assert "The 2 patients with the longest follow-up of 6" in swimmer.caption


def test_html_is_self_contained(example_report: Report) -> None:
    page = render_html(example_report)
    # every src/href is an embedded image or an anchor in the page: nothing to fetch
    assert re.findall(r'(?:src|href)="(?!data:image/png;base64,|#)', page) == []
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == len(list(example_report.figures())) == 5
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert page.count("<table") == len(list(example_report.tables()))


def test_html_escapes_text() -> None:
    report = Report("<script>x</script>", (), (), ())
    assert "<script>x" not in render_html(report)


def test_xlsx_sheets(example_report: Report, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    path = write_xlsx(example_report, tmp_path / "t.xlsx")
    book = load_workbook(path)
    # sheets named for a reader, in the report's order
    assert book.sheetnames == [
        "About", "Table 1", "Outcomes", "Complete or partial", "Complete response",
        "CLASI over time", "Median times", "Table 2", "Adverse events per 100 PY",
    ]  # fmt: skip
    table1 = next(example_report.tables())
    sheet = book["Table 1"]
    assert [c.value for c in sheet[2]] == list(table1.frame.columns)
    assert sheet.cell(3, 1).value == table1.frame.iloc[0, 0]


def test_docx_tables(example_report: Report, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    path = write_docx(example_report, tmp_path / "t.docx")
    document = Document(str(path))
    tables = list(example_report.tables())
    assert len(document.tables) == len(tables)
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == list(tables[0].frame.columns)
    assert len(first.rows) == len(tables[0].frame) + 1


def test_inputs_not_modified() -> None:
    cohort = read(EXAMPLE)
    before = {name: getattr(cohort, name).copy() for name in ("patients", "visits", "treatments")}
    build_report(cohort, today=dt.date(2024, 1, 1))
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(cohort, name), frame)


def test_a_young_registry_without_follow_up_still_reports() -> None:
    # Only each patient's first visit: nobody is evaluable for response yet. The report must
    # say so instead of failing, and still show the summary of what was derived.
    import dataclasses

    from tests.report.conftest import EXAMPLE

    cohort = read(EXAMPLE)
    first = cohort.visits.sort_values(["patient_id", "visit_date"]).groupby("patient_id").head(1)
    young = dataclasses.replace(cohort, visits=first.reset_index(drop=True))
    report = build_report(young, today=dt.date(2024, 1, 2))
    response = next(s for s in report.sections if s.key == "response")
    assert response.paragraphs
    assert response.paragraphs[0].startswith("No patient is evaluable for response yet")
    assert [t.key for t in response.tables] == [response.tables[0].key]
