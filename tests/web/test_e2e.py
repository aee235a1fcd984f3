"""End-to-end in a real browser: Playwright driving Debian's chromium, headless.

The browser is never downloaded (no ``playwright install``): the ``chromium`` fixture
(``tests/conftest.py``) has ``tests/_system.py`` install the ``chromium`` package when it is
missing; locally the tests are skipped with the reason if that fails, and with CI=true they
fail. The browser is started by ``tests/_browser.py``; screenshots go to
test-artifacts/web/. The ``server`` fixture is in ``tests/web/conftest.py``.
"""

from __future__ import annotations

from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD


def test_sign_in_enrol_visit_live_score_advice_export_report(chromium: str, server: str) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{server}/patients")
        expect(page.locator("h1")).to_have_text("Sign in")
        page.fill("#username", "inv_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        page.screenshot(path=str(shots / "01-patients.png"), full_page=True)

        page.click("#enrol")
        page.fill("#field-patient_id", "E2E-1")
        page.select_option("#field-sex", "female")
        page.fill("#field-birth_year", "1980")
        page.click("#save")
        expect(page.locator("h1")).to_have_text("Patient E2E-1")

        page.click("#new-treatment")
        page.fill("#field-start_date", "2024-01-01")
        page.select_option("#field-drug", "lenalidomide")
        page.fill("#field-dose_mg_per_day", "10")
        page.click("#save")
        expect(page.locator("#table-treatments")).to_contain_text("lenalidomide")

        page.click("#new-visit")
        page.fill("#field-visit_date", "2024-01-01")
        # Albrecht 2005: scalp erythema 3 + scale 2 + nose erythema 2 = activity 7 (mild);
        # adding chest erythema 3 gives 10, moderate by Klein 2011.
        page.select_option("#field-clasi_scalp_ery", "3")
        page.select_option("#field-clasi_scalp_scale", "2")
        page.select_option("#field-clasi_nose_ery", "2")
        expect(page.locator("#clasi-activity")).to_have_text("7")
        expect(page.locator("#clasi-severity")).to_have_text("mild")
        page.select_option("#field-clasi_chest_ery", "3")
        expect(page.locator("#clasi-activity")).to_have_text("10")
        expect(page.locator("#clasi-severity")).to_have_text("moderate")
        expect(page.locator("#map-scalp")).to_have_attribute("data-activity", "5")
        page.screenshot(path=str(shots / "02-visit-body-map.png"), full_page=True)
        page.click("#save")
        expect(page.locator("h1")).to_have_text("Patient E2E-1")

        expect(page.locator("#dose-advice")).to_contain_text("Source:")
        expect(page.locator("#advice")).to_contain_text("CTCAE v5.0")
        page.screenshot(path=str(shots / "03-patient-advice.png"), full_page=True)

        page.click("text=Cohort")
        page.screenshot(path=str(shots / "04-cohort.png"), full_page=True)
        # An export is a background job: its page follows the worker, then offers it.
        page.click("#export-csv")
        expect(page.locator("h1")).to_contain_text("Export: csv")
        expect(page.locator("#job-result")).to_be_visible(timeout=60_000)
        with page.expect_download() as download:
            page.click("#job-result")
        saved = shots / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.stat().st_size > 0

        # The study report of BCN (P1 with follow-up visits, E2E-1 at baseline), built
        # as a job and opened: a table and a figure, rendered by the browser from the
        # document itself (no CDN).
        page.click("text=Cohort")
        page.click("#report-link")
        expect(page.locator("h1")).to_contain_text("Study report")
        page.click("#report-submit")
        expect(page.locator("#job-open")).to_be_visible(timeout=60_000)
        page.click("#job-open")
        table = page.locator("#table-table1")
        expect(table).to_be_visible()
        expect(table.locator("caption")).not_to_be_empty()
        assert table.locator("tbody tr").count() > 0
        image = page.locator("#figure-trajectories img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        page.screenshot(path=str(shots / "05-report.png"), full_page=True)
        page.goto(f"{server}/cohort/report")
        page.check("input[name=format][value=xlsx]")
        page.click("#report-submit")
        expect(page.locator("#job-result")).to_be_visible(timeout=60_000)
        with page.expect_download() as report_file:
            page.click("#job-result")
        assert report_file.value.suggested_filename == "clears-report.xlsx"

        # The dose timeline and a record's own audit history.
        page.goto(f"{server}/patients/P1")
        bars = page.locator("#dose-timeline rect.dose-bar")
        expect(bars).to_have_count(1)
        expect(page.locator("#dose-timeline")).to_contain_text("lenalidomide 10 mg/day")
        page.locator("#dose-timeline").screenshot(path=str(shots / "06-dose-timeline.png"))
        page.locator("#table-visits a.record-audit").first.click()
        expect(page.locator("#audit-subject")).to_contain_text("visits 1")
        page.screenshot(path=str(shots / "07-record-audit.png"), full_page=True)
