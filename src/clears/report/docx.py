"""Write the report's tables to a Word document (python-docx), where manuscripts are written.

Each table gets its caption as a heading, a grid table with the header in bold, and its
footnotes as small paragraphs; the methods text follows, so the document is self-explaining.
Control characters Word cannot hold are shown as U+FFFD (``_xml_text``).
"""

from __future__ import annotations

from pathlib import Path

from clears.report._model import Report
from clears.report._xml_text import xml_text

__all__ = ["write_docx"]


def write_docx(report: Report, path: str | Path) -> Path:
    """Write every table of ``report`` and the methods text to ``path``; return the path."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.add_heading(xml_text(report.title), level=1)
    for label, value in report.facts:
        document.add_paragraph(xml_text(f"{label}: {value}"))
    for table in report.tables():
        document.add_heading(xml_text(table.title), level=2)
        frame = table.frame
        grid = document.add_table(rows=1, cols=len(frame.columns))
        grid.style = "Table Grid"
        for cell, name in zip(grid.rows[0].cells, frame.columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(xml_text(name)).bold = True
        for row in frame.itertuples(index=False):
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = xml_text(value)
        for note in table.footnotes:
            run = document.add_paragraph().add_run(xml_text(note))
            run.font.size = Pt(8)
    document.add_heading("Methods", level=2)
    for paragraph in report.methods:
        document.add_paragraph(xml_text(paragraph))
    out = Path(path)
    document.save(str(out))
    return out
