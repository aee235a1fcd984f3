"""Open the demo report in headless Chromium: tables have rows, every image decodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from clears.report import Report, write_html

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def test_report_renders_in_chromium(
    example_report: Report,
    chromium: str,
    tmp_path: Path,
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = write_html(example_report, tmp_path / "report.html")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_file.as_uri(), wait_until="load")
            rows = page.eval_on_selector_all(
                "table", "ts => ts.map(t => t.querySelectorAll('tbody tr').length)"
            )
            widths = page.eval_on_selector_all(
                "img", "xs => xs.map(x => x.complete ? x.naturalWidth : 0)"
            )
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert len(rows) == len(list(example_report.tables()))
    assert all(n > 0 for n in rows), rows
    assert len(widths) == len(list(example_report.figures()))
    assert all(w > 0 for w in widths), widths
