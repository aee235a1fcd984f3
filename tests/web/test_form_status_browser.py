"""In a real browser: the record status dashboard, and a monitor verifying a visit whose
verification an investigator's edit then clears (docs/data-management.md).

Screenshots go to test-artifacts/web/status-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD, app_for, served

pytestmark = pytest.mark.slow


def _sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def test_a_monitor_verifies_a_visit_and_an_edit_clears_it(
    chromium: str, db_url: str, password_hash: str
) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with served(app_for(db_url, password_hash)) as url, launched(chromium) as browser:
        monitor = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        _sign_in(monitor, url, "monitor_bcn")
        monitor.click("#nav-status")
        expect(monitor.locator("h1")).to_have_text("Record status · BCN")
        cell = monitor.locator("#status-grid tbody tr").first.locator("a.cell").nth(1)
        expect(cell).to_have_class("cell status status-not_set")
        monitor.screenshot(path=str(shots / "status-01-dashboard.png"), full_page=True)

        cell.click()
        expect(monitor.locator("#record-status")).to_contain_text("not set")
        expect(monitor.locator("#set-status")).to_have_count(0)  # a monitor does not set it
        monitor.check("#field-visit_date input[type=checkbox]")
        monitor.check("#field-clasi_a input[type=checkbox]")
        monitor.click("#verify-fields")
        expect(monitor.locator("#field-clasi_a .sdv")).to_contain_text("monitor_bcn")
        monitor.screenshot(path=str(shots / "status-02-verified-fields.png"), full_page=True)
        record_url = monitor.url

        writer = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        _sign_in(writer, url, "inv_bcn")
        writer.goto(record_url.replace("/status", "/edit"))
        writer.fill("input[name=clasi_a]", "9")
        writer.fill("#field-reason", "recounted from the source notes")
        writer.click("#save")
        notice = writer.locator("#cleared-verifications")
        expect(notice).to_contain_text("the verification of clasi_a by monitor_bcn on")
        expect(notice).to_contain_text("by inv_bcn")
        writer.locator("#form-status").screenshot(path=str(shots / "status-03-cleared.png"))

        monitor.reload()
        expect(monitor.locator("#field-clasi_a .sdv")).to_have_count(0)
        expect(monitor.locator("#field-visit_date .sdv")).to_contain_text("monitor_bcn")
        expect(monitor.locator("#cleared")).to_contain_text("clasi_a")
        monitor.screenshot(path=str(shots / "status-04-after-edit.png"), full_page=True)
