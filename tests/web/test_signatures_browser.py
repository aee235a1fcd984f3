"""Signing a visit in a real browser (Debian's chromium, headless): a wrong password is
refused with the meaning kept, the right one signs, the manifestation shows on the visit and
the patient page, the edit link is gone, and an administrator unlocks with a reason.

Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD


def test_an_investigator_signs_a_visit_and_sees_the_manifestation(
    chromium: str, server: str
) -> None:
    from playwright.sync_api import Page, expect

    def signed_in(page: Page, username: str) -> None:
        page.goto(f"{server}/patients")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
        signed_in(page, "inv_bcn")
        page.goto(f"{server}/patients/P1")
        page.locator("#table-visits a.visit-sign").first.click()
        expect(page.locator("#visit-signatures")).to_contain_text("Not signed.")
        page.check("#sign-visit input[value=approval]")
        page.fill("#password-visit", "not the password at all")
        page.click("#sign-visit .sign-button")
        expect(page.locator("#problems")).to_contain_text("is not your password")
        expect(page.locator("#sign-visit input[value=approval]")).to_be_checked()
        expect(page.locator("#password-visit")).to_have_value("")
        page.screenshot(path=str(shots / "30-sign-wrong-password.png"), full_page=True)

        page.fill("#password-visit", PASSWORD)
        page.click("#sign-visit .sign-button")
        manifestation = page.locator("#visit-signatures .manifestation")
        expect(manifestation).to_contain_text("Signed by inv_bcn (investigator) on ")
        expect(manifestation).to_contain_text("UTC — approval")
        expect(page.locator("#locked-visit")).to_be_visible()
        expect(page.locator("#edit-visit")).to_have_count(0)
        page.screenshot(path=str(shots / "31-visit-signed.png"), full_page=True)

        page.goto(f"{server}/patients/P1")
        expect(page.locator("#table-visits .locked-note")).to_have_text("locked")
        expect(page.locator("#signed-visits")).to_contain_text("Signed by inv_bcn")
        page.screenshot(path=str(shots / "32-patient-page-signed-visit.png"), full_page=True)

        admin = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
        signed_in(admin, "admin")
        admin.goto(page.url)
        admin.locator("#signed-visits a").first.click()
        admin.fill("#reason-visit", "haemoglobin typed in the wrong field")
        admin.click("#unlock-visit .unlock-button")
        expect(admin.locator("#visit-signatures del.manifestation")).to_contain_text(
            "Signed by inv_bcn"
        )
        expect(admin.locator("#visit-signatures")).to_contain_text("withdrawn by admin on ")
        expect(admin.locator("#edit-visit")).to_be_visible()
        admin.screenshot(path=str(shots / "33-visit-unlocked.png"), full_page=True)
