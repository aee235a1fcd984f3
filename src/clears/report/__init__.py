"""The study report: one self-contained HTML document, with the tables in DOCX and XLSX.

:func:`build_report` runs the analyses over a cohort and its derived outcomes and returns a
:class:`Report` (sections of text, tables and figures, and methods text generated from the
``method`` of every result); :func:`write_html`, :func:`write_docx` and :func:`write_xlsx`
render it. :data:`REPORT_COLUMNS` names the only columns it reads of the visits and
concomitant medications (a registry export for the report fetches just those).
"""

from clears.report._columns import REPORT_COLUMNS
from clears.report._model import Report, ReportFigure, ReportTable, Section
from clears.report.build import STEPS, build_report
from clears.report.docx import write_docx
from clears.report.html import render_html, write_html
from clears.report.xlsx import write_xlsx

__all__ = [
    "REPORT_COLUMNS",
    "STEPS",
    "Report",
    "ReportFigure",
    "ReportTable",
    "Section",
    "build_report",
    "render_html",
    "write_docx",
    "write_html",
    "write_xlsx",
]
