"""Render a :class:`~clears.report.Report` as one self-contained HTML document.

The page uses a Jinja2 template bundled with the package (``templates/report.html``) with
autoescaping on; figures are embedded as base64 PNG ``data:`` URIs and the styles are inline,
so the file opens anywhere without a network or companion files.
"""

from __future__ import annotations

import base64
from pathlib import Path

from clears.report._model import Report

__all__ = ["render_html", "write_html"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def render_html(report: Report) -> str:
    """Return the report as an HTML string (UTF-8, no external resources).

    Examples
    --------
    >>> from clears.report import Report
    >>> page = render_html(Report("T <1>", (("Patients", "3"),), (), ("Fisher's test.",)))
    >>> "<h1>T &lt;1&gt;</h1>" in page, "Fisher&#39;s test." in page
    (True, True)
    """
    import jinja2

    from clears._version import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clears.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["b64"] = _b64
    template = env.get_template("report.html")
    return template.render(report=report, generator=f"clears {__version__}")


def write_html(report: Report, path: str | Path) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(render_html(report), encoding="utf-8")
    return out
