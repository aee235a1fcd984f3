"""Write the report's tables to an XLSX workbook (openpyxl), one sheet per table.

Each sheet, named as the table's ``sheet`` says (``Table 1``, ``Table 2``...), holds the
caption, the header and cells as printed, then the footnotes; a first sheet ``About``
carries the report's facts and methods, so the workbook says how it was made.

No cell is ever a formula: a cell printed as a plain number (``12``, ``-0.5``) is written as
that number, and any other text that starts with ``= + - @``, a tab or a carriage return is
escaped with a leading ``'`` (:mod:`clears._formula`), so free text such as an
adverse-event term cannot run in the spreadsheet of whoever opens the workbook.
"""

from __future__ import annotations

import re
from pathlib import Path

from clears._formula import neutralise
from clears.report._model import Report
from clears.report._xml_text import XML_ILLEGAL, xml_text

__all__ = ["write_xlsx"]


def _sheet_name(key: str, used: set[str]) -> str:
    base = "".join(c for c in XML_ILLEGAL.sub("", key) if c not in "[]:*?/\\")[:31] or "table"
    name, k = base, 2
    while name.lower() in used:
        suffix = f"_{k}"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(name.lower())
    return name


_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def _cell(value: object) -> str | int | float:
    """What a worksheet cell holds for ``value``: a number, or text that is never a formula.

    Control characters a worksheet cannot hold are shown as U+FFFD.
    """
    text = xml_text(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return neutralise(text)


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Write every table of ``report`` to ``path`` and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    about = book.active
    assert about is not None  # a new workbook always has one sheet
    about.title = "About"
    about.append([_cell(report.title)])
    about["A1"].font = bold
    for label, value in report.facts:
        about.append([_cell(label), _cell(value)])
    about.append([])
    about.append(["Methods"])
    for paragraph in report.methods:
        about.append([_cell(paragraph)])
    used = {"about"}
    for table in report.tables():
        name = table.sheet or table.key.replace("_", " ").capitalize()
        sheet = book.create_sheet(_sheet_name(name, used))
        sheet.append([_cell(table.title)])
        sheet["A1"].font = bold
        sheet.append([neutralise(xml_text(c)) for c in table.frame.columns])
        for cell in sheet[2]:
            cell.font = bold
        for row in table.frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        sheet.append([])
        for note in table.footnotes:
            sheet.append([_cell(note)])
    out = Path(path)
    book.save(out)
    return out
