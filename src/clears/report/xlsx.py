"""Write the report's tables to an XLSX workbook (openpyxl), one sheet per table.

Each sheet holds the caption, the header and cells as printed, then the footnotes; a first
sheet ``About`` carries the report's facts and methods, so the workbook says how it was made.
"""

from __future__ import annotations

from pathlib import Path

from clears.report._model import Report

__all__ = ["write_xlsx"]


def _sheet_name(key: str, used: set[str]) -> str:
    base = "".join(c for c in key if c not in "[]:*?/\\")[:31] or "table"
    name, k = base, 2
    while name.lower() in used:
        suffix = f"_{k}"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(name.lower())
    return name


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Write every table of ``report`` to ``path`` and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    about = book.active
    assert about is not None  # a new workbook always has one sheet
    about.title = "About"
    about.append([report.title])
    about["A1"].font = bold
    for label, value in report.facts:
        about.append([label, value])
    about.append([])
    about.append(["Methods"])
    for paragraph in report.methods:
        about.append([paragraph])
    used = {"about"}
    for table in report.tables():
        sheet = book.create_sheet(_sheet_name(table.key, used))
        sheet.append([table.title])
        sheet["A1"].font = bold
        sheet.append([str(c) for c in table.frame.columns])
        for cell in sheet[2]:
            cell.font = bold
        for row in table.frame.itertuples(index=False):
            sheet.append([str(v) for v in row])
        sheet.append([])
        for note in table.footnotes:
            sheet.append([note])
    out = Path(path)
    book.save(out)
    return out
