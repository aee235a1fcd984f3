"""Open the demo report in headless Chromium: tables have rows, every image decodes."""

from __future__ import annotations

from pathlib import Path

from tests._browser import artifacts, launched

from clears.report import Report, write_html


def test_report_renders_in_chromium(
    example_report: Report,
    chromium: str,
    tmp_path: Path,
) -> None:
    page_file = write_html(example_report, tmp_path / "report.html")
    with launched(chromium) as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_file.as_uri(), wait_until="load")
        rows = page.eval_on_selector_all(
            "table", "ts => ts.map(t => t.querySelectorAll('tbody tr').length)"
        )
        widths = page.eval_on_selector_all(
            "img", "xs => xs.map(x => x.complete ? x.naturalWidth : 0)"
        )
        shots = artifacts()
        page.screenshot(path=str(shots / "report.png"), full_page=True)
    assert len(rows) == len(list(example_report.tables()))
    assert all(n > 0 for n in rows), rows
    assert len(widths) == len(list(example_report.figures()))
    assert all(w > 0 for w in widths), widths
