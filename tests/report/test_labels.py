"""Every word of the report a reader sees is a human label, in HTML, DOCX and XLSX.

The report of a simulated cohort is rendered in all three formats and all its text is
scanned for the tokens of code: ``name@version`` preset keys, ``outcome:category`` and
``kind:name`` keys, snake_case identifiers (column names), ``table.column`` references,
bare ``True``/``False``, ``nan``, ``None`` and ``<NA>``. A raw token a future change lets
through fails here with the format and the text around it.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from clears.report import Report, build_report, render_html, write_docx, write_xlsx
from clears.simulate import simulate

#: Patterns of raw tokens, each with what it is.
RAW: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("preset key name@version", re.compile(r"\b[a-z][a-z0-9_]*@\d")),
    ("key with a colon", re.compile(r"\b[a-z]+(?:_[a-z0-9]+)*:[a-z][a-z0-9_]*\b")),
    ("snake_case identifier", re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")),
    ("table.column", re.compile(r"\b(?:patients|visits|treatments|flares|adverse_events)\.\w")),
    ("bare True/False/None/nan", re.compile(r"\b(?:True|False|None|nan|NaN)\b|<NA>")),
)

#: Text that matches a pattern and is meant: the ``doi:`` and URL schemes of citations.
_ALLOWED = re.compile(r"\b(?:doi|https?|urn):")


def raw_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, the token with up to 30 characters either side) of every raw token in text."""
    found = []
    for kind, pattern in RAW:
        for match in pattern.finditer(text):
            if kind == "key with a colon" and _ALLOWED.match(text, match.start()):
                continue
            around = text[max(0, match.start() - 30) : match.end() + 30]
            found.append((kind, around))
    return found


class _Text(HTMLParser):
    """The text a reader of the page sees: element text, alt and title attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("alt", "title") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    parts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts += [str(v) for v in row if v is not None]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "text",
    [
        "best_response:not_evaluable",
        "aitmehdi2021@1.0",
        "Cohort simulated:aitmehdi2021",
        "sle True",
        "baseline_severity",
        "among patients.sle true",
        "mean nan",
        "<NA>",
    ],
)
def test_the_scan_finds_each_kind_of_raw_token(text: str) -> None:
    assert raw_tokens(text)


def test_the_scan_passes_labels_and_citations() -> None:
    text = (
        "Aitmehdi 2021 criteria; Best response: complete response; doi:10.1186/ar4111; "
        "https://hal.sorbonne-universite.fr/hal-03474634; With SLE; Mild (0–9); Yes"
    )
    assert raw_tokens(text) == []


@pytest.fixture(scope="module")
def report() -> Report:
    cohort = simulate("aitmehdi2021", 60, np.random.default_rng(5))
    return build_report(cohort, today=dt.date(2024, 1, 2))


@pytest.mark.slow  # a report in three formats
def test_no_raw_token_in_html_docx_or_xlsx(report: Report, tmp_path: Path) -> None:
    texts = {
        "HTML": html_text(render_html(report)),
        "DOCX": docx_text(write_docx(report, tmp_path / "report.docx")),
        "XLSX": xlsx_text(write_xlsx(report, tmp_path / "report.xlsx")),
    }
    found = {fmt: raw_tokens(text) for fmt, text in texts.items()}
    assert found == {"HTML": [], "DOCX": [], "XLSX": []}


@pytest.mark.slow  # a report in three formats
def test_no_raw_token_in_the_aitmehdi_plans_report(tmp_path: Path) -> None:
    cohort = simulate("aitmehdi2021", 60, np.random.default_rng(5))
    report = build_report(cohort, plan="aitmehdi2021", today=dt.date(2024, 1, 2))
    assert {"response_severity_test", "cr_by_group_test", "sledai_flare_test"} <= {
        t.key for t in report.tables()
    }
    texts = {
        "HTML": html_text(render_html(report)),
        "DOCX": docx_text(write_docx(report, tmp_path / "report.docx")),
        "XLSX": xlsx_text(write_xlsx(report, tmp_path / "report.xlsx")),
    }
    found = {fmt: raw_tokens(text) for fmt, text in texts.items()}
    assert found == {"HTML": [], "DOCX": [], "XLSX": []}
