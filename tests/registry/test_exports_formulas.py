"""Formula injection in the files users open in a spreadsheet: cohort CSV, REDCap flat records,
SDTM tables and the report workbook. Free-text cells starting with = + - @ (OWASP, "CSV
Injection") are written with a leading quote; numbers are written as numbers; clears' own
readers give back exactly the text that was stored."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import clears.cohort
from clears.cohort import Cohort
from clears.registry.exports.redcap_flat import read_redcap, write_redcap
from clears.registry.exports.writer import write_export

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cohort"
TODAY = dt.date(2025, 1, 1)
OWASP_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Free text an attacker or a careless paste could put in a record.
TERMS = ["=1+1", "-5", "@SUM(A1)", "+cmd|' /C calc'!A0", "'=already quoted"]


@pytest.fixture(scope="module")
def hostile() -> Cohort:
    """The example cohort with formula-like adverse-event terms, regimen and comment stored
    (as the web form or the registry would hold them)."""
    cohort = clears.cohort.read(EXAMPLE, today=TODAY)
    events = cohort.adverse_events.copy()
    events.loc[: len(TERMS) - 1, "term"] = TERMS
    events.loc[0, "comment"] = "-2+3"
    treatments = cohort.treatments.copy()
    treatments.loc[0, "regimen"] = '=HYPERLINK("http://example.org","5 mg")'
    return dataclasses.replace(cohort, adverse_events=events, treatments=treatments)


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _unsafe(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would run: a trigger first, and not simply a number."""
    return [c for c in cells if c.startswith(OWASP_STARTS) and not _is_number(c)]


@pytest.mark.slow
def test_the_hostile_cohort_holds_the_raw_text(hostile: Cohort) -> None:
    assert hostile.adverse_events["term"].head(len(TERMS)).tolist() == TERMS


@pytest.mark.parametrize("fmt", ["csv", "redcap", "sdtm"])
def test_no_exported_csv_cell_starts_a_formula(hostile: Cohort, tmp_path: Path, fmt: str) -> None:
    folder = write_export(hostile, tmp_path / fmt, format=fmt)
    cells = [cell for path in sorted(folder.glob("*.csv")) for cell in _cells(path)]
    assert cells
    assert _unsafe(cells) == []
    assert "'-5" in cells  # free text "-5" is escaped, though it looks like a number


def test_the_cohort_csv_escapes_only_text_cells(hostile: Cohort, tmp_path: Path) -> None:
    folder = clears.cohort.write(hostile, tmp_path / "out")
    terms = pd.read_csv(folder / "adverse_events.csv", dtype=str, keep_default_na=False)
    assert terms["term"].head(len(TERMS)).tolist() == ["'" + term for term in TERMS]
    assert terms["comment"].iloc[0] == "'-2+3"
    assert terms["grade"].tolist() == [str(g) for g in hostile.adverse_events["grade"]]


def test_a_negative_number_in_a_numeric_column_is_written_as_a_number(
    hostile: Cohort, tmp_path: Path
) -> None:
    visits = hostile.visits.assign(clasi_a_change=-5.0)
    folder = clears.cohort.write(dataclasses.replace(hostile, visits=visits), tmp_path / "out")
    written = pd.read_csv(folder / "visits.csv", dtype=str, keep_default_na=False)
    assert set(written["clasi_a_change"]) == {"-5.0"}


@pytest.mark.slow
def test_the_cohort_csv_reads_back_exactly_what_was_stored(hostile: Cohort, tmp_path: Path) -> None:
    folder = clears.cohort.write(hostile, tmp_path / "out")
    again = clears.cohort.read(folder, today=TODAY)
    for table in clears.cohort.TABLES:
        pd.testing.assert_frame_equal(again.table(table), hostile.table(table), check_dtype=False)


@pytest.mark.slow
def test_redcap_records_read_back_exactly_what_was_stored(hostile: Cohort, tmp_path: Path) -> None:
    path = write_redcap(hostile, tmp_path)
    again = read_redcap(path, centre="BCN", today=TODAY)
    stored = sorted(hostile.adverse_events["term"])
    assert sorted(again.adverse_events["term"]) == stored


@pytest.mark.slow  # over a second in --durations
def test_the_report_workbook_has_no_formula_and_keeps_numbers(
    hostile: Cohort, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from clears.report import build_report, write_xlsx

    path = write_xlsx(build_report(hostile), tmp_path / "tables.xlsx")
    book = load_workbook(path)
    values = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in values if c.data_type == "f"] == []
    texts = [c.value for c in values if isinstance(c.value, str)]
    assert _unsafe(texts) == []
    assert any(isinstance(c.value, int) and not isinstance(c.value, bool) for c in values)


@pytest.mark.slow  # over a second in --durations
def test_the_report_workbook_takes_a_term_with_a_control_character(
    hostile: Cohort, tmp_path: Path
) -> None:
    # openpyxl raised IllegalCharacterError for an adverse-event term holding "\x03".
    from openpyxl import load_workbook

    from clears.report import build_report, write_xlsx

    events = hostile.adverse_events.copy()
    events.loc[0, "term"] = "Rash\x03"
    cohort = dataclasses.replace(hostile, adverse_events=events)
    path = write_xlsx(build_report(cohort), tmp_path / "tables.xlsx")
    texts = [c.value for sheet in load_workbook(path) for row in sheet.iter_rows() for c in row]
    assert not any(isinstance(t, str) and "\x03" in t for t in texts)
    assert any(isinstance(t, str) and "Rash\ufffd" in t for t in texts)


@pytest.mark.slow  # over a second in --durations
def test_the_report_document_takes_a_term_with_a_control_character(
    hostile: Cohort, tmp_path: Path
) -> None:
    # python-docx refuses text that is not XML 1.0 ("All strings must be XML compatible").
    from docx import Document

    from clears.report import build_report, write_docx

    events = hostile.adverse_events.copy()
    events.loc[0, "term"] = "Rash\x03"
    cohort = dataclasses.replace(hostile, adverse_events=events)
    document = Document(str(write_docx(build_report(cohort), tmp_path / "tables.docx")))
    texts = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert not any("\x03" in t for t in texts)
    assert any("Rash\ufffd" in t for t in texts)
