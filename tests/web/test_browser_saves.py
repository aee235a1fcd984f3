"""Two people editing one adverse event in a real browser (Debian's chromium, headless):
the second save shows the conflict, and saving it again keeps the first person's changes.

Fixtures from ``tests/web/test_e2e.py``; screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD

EDIT = "/patients/P1/records/adverse_events/1/edit"


def test_a_conflict_is_shown_and_saved_knowingly(chromium: str, server: str) -> None:
    from playwright.sync_api import Page, expect

    def signed_in(page: Page, username: str) -> None:
        page.goto(f"{server}/patients")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")

    shots = artifacts("web")
    with launched(chromium) as browser:
        ana = browser.new_context().new_page()
        ben = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
        signed_in(ana, "inv_bcn")
        signed_in(ben, "entry_bcn")
        ana.goto(f"{server}{EDIT}")
        ben.goto(f"{server}{EDIT}")  # both read version 1 (grade 1, no end date)

        ana.fill("#field-grade", "2")
        ana.fill("#field-end_date", "2024-01-12")
        ana.click("#save")
        expect(ana.locator("h1")).to_have_text("Patient P1")

        ben.fill("#field-grade", "3")
        ben.select_option("#field-serious", "true")
        ben.click("#save")
        conflict = ben.locator("#conflict")
        expect(conflict).to_be_visible()
        row = ben.locator("#conflict-grade")
        expect(row.locator("th")).to_have_text("CTCAE v5.0 grade")
        expect(row.locator("td.yours")).to_have_text("3")
        expect(row.locator("td.current")).to_have_text("2")
        # Ana's end date is in Ben's form now; his own choices are kept as typed.
        expect(ben.locator("#field-end_date")).to_have_value("2024-01-12")
        expect(ben.locator("#field-grade")).to_have_value("3")
        expect(ben.locator("#field-grade")).to_have_attribute("aria-invalid", "true")
        expect(ben.locator("#field-serious")).to_have_value("true")
        ben.screenshot(path=str(shots / "09-edit-conflict.png"), full_page=True)

        ben.click("#save")  # knowing Ana's value, Ben keeps grade 3
        expect(ben.locator("h1")).to_have_text("Patient P1")
        stored = ben.request.get(f"{server}/api/patients/P1/records/adverse_events/1")
        data = stored.json()["data"]
        assert (data["grade"], data["serious"], data["end_date"]) == (3, True, "2024-01-12")
