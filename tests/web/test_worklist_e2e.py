"""The safety worklist in a real browser (Debian's chromium, as tests/web/test_e2e.py)."""

from __future__ import annotations

from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD


def test_worklist_from_the_navigation_to_the_patient(chromium: str, server: str) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_page()
        page.goto(f"{server}/patients")
        page.fill("#username", "inv_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        page.click("#nav-worklist")
        expect(page.locator("h1")).to_contain_text("Safety worklist")
        table = page.locator("#worklist")
        expect(table).to_be_visible()
        # the seed's P1 (BCN) is on the list; LYO's P2 is not
        expect(table.locator("a.patient-link")).to_have_text(["P1"])
        badge = table.locator("tbody tr").first.locator("td").first.locator(".badge")
        expect(badge).to_be_visible()
        # the level is written out and styled (not the browser's default transparent)
        colour = badge.evaluate("b => getComputedStyle(b).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
        page.screenshot(path=str(shots / "08-worklist.png"), full_page=True)
        page.click("a.patient-link")
        expect(page.locator("h1")).to_have_text("Patient P1")
