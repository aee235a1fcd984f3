"""In a real browser at 390 px: the patient list's search, filters and pages (H-INT-71).

Screenshots go to test-artifacts/web/patient-list-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests._browser import artifacts, launched
from tests.web._setup import ADMIN, PASSWORD, app_for, served

from clears.registry._engine import make_engine, transaction
from clears.registry.patients import create_patient
from clears.registry.records import add_record


@pytest.fixture
def list_server(db_url: str, password_hash: str) -> Iterator[str]:
    """The seeded registry plus P10..P14 at BCN (P11 with a partly filled CLASI), served."""
    engine = make_engine(db_url)
    with transaction(engine) as session:
        for n in range(10, 15):
            create_patient(session, actor=ADMIN, patient_id=f"P{n}", centre="BCN")
        add_record(
            session,
            actor=ADMIN,
            table="visits",
            patient_id="P11",
            values={"visit_date": "2024-02-01", "clasi_scalp_ery": 2},
        )
    engine.dispose()
    with served(app_for(db_url, password_hash)) as url:
        yield url


def test_the_list_searches_filters_and_pages_on_a_phone(chromium: str, list_server: str) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{list_server}/patients")
        page.fill("#username", "entry_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        names = page.locator("#patient-list li > a").all_inner_texts()
        assert names == ["P1", "P10", "P11", "P12", "P13", "P14"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "patient-list-01-phone.png"), full_page=True)

        page.fill("#q", "p1")
        page.check("#filter-incomplete")
        page.click("#apply")
        expect(page.locator("#patient-list li > a")).to_have_text(["P11"])
        expect(page.locator("#patient-list")).to_contain_text("1 incomplete form")
        assert "filter=incomplete" in page.url
        assert "q=p1" in page.url
        page.screenshot(path=str(shots / "patient-list-02-filtered.png"), full_page=True)

        page.fill("#q", "Z")
        page.click("#apply")
        expect(page.locator("#list-empty")).to_contain_text(
            "No patient matches an id starting with “Z” with incomplete forms."
        )

        page.goto(f"{list_server}/patients?limit=2&sort=id")
        seen = page.locator("#patient-list li > a").all_inner_texts()
        while page.locator("#next").count():
            page.click("#next")
            seen += page.locator("#patient-list li > a").all_inner_texts()
        assert seen == ["P1", "P10", "P11", "P12", "P13", "P14"]
        expect(page.locator("#list-count")).to_contain_text("Showing 5–6 of 6")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "patient-list-03-last-page.png"), full_page=True)
        page.click("#previous")
        expect(page.locator("#list-count")).to_contain_text("Showing 3–4 of 6")
