"""The study report of one user's centres, built as ``clears report`` builds it.

:func:`clears.report.build_report` runs over the cohort tables of the centres the user may
see (the same presets and drug as ``clears report``'s defaults); the cohort comes
relabelled by :func:`clears.web._cohort.relabel` (the registry's database address is not shown
to web users); this module turns a cohort the report cannot be built from yet into a message.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from clears._exceptions import ClearsError
from clears.cohort import Cohort
from clears.report import Report, build_report, render_html, write_docx, write_xlsx

__all__ = ["CRITERIA", "Built", "ReportFormat", "build", "rendered"]

#: The presets of ``clears report`` without ``--criteria``.
CRITERIA: Final = ("aitmehdi2021", "cortes2012")

ReportFormat = Literal["html", "docx", "xlsx"]

_MEDIA: Final = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Built:
    """A built report, or why none could be built (``report`` is then ``None``)."""

    report: Report | None
    error: str = ""


def build(
    cohort: Cohort,
    *,
    today: dt.date | None = None,
    criteria: Sequence[str] = CRITERIA,
    progress: Callable[[str], None] | None = None,
) -> Built:
    """Build the report of ``cohort`` (``error`` set when it cannot be built yet);
    ``progress`` is called with each step name of :data:`clears.report.STEPS`."""
    if cohort.treatments.empty:
        return Built(None, "no treatment period is recorded in your centres yet")
    try:
        return Built(build_report(cohort, criteria=criteria, today=today, progress=progress))
    except ClearsError as exc:
        return Built(None, str(exc))
    except (KeyError, ValueError) as exc:
        # The analyses need evaluable patients (e.g. a visit after baseline); a young
        # registry may not have them yet.
        return Built(None, f"the cohort does not support the analyses yet ({exc!r})")


def rendered(report: Report, format: ReportFormat) -> tuple[bytes, str]:
    """The report file in ``format`` and its media type: the standalone HTML of
    ``clears report``, or its tables as DOCX or XLSX (written in a private temporary
    folder, removed before returning)."""
    if format == "html":
        return render_html(report).encode("utf-8"), _MEDIA["html"]
    writer = write_docx if format == "docx" else write_xlsx
    with tempfile.TemporaryDirectory(prefix="clears-report-") as folder:
        path = writer(report, Path(folder) / f"report.{format}")
        data = io.BytesIO(path.read_bytes()).getvalue()
    return data, _MEDIA[format]
