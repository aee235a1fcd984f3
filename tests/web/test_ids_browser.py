"""In a real browser: every patient link of the list opens that patient, and "Record a visit"
on that page saves to that patient (H-INT-30, 31).

The registry holds awkward identifiers (``tests/web/_awkward.py``): valid ones with
punctuation and legacy ones inserted with plain SQL ('/', '?', '#', '%2F', a space, '..').
Chromium resolves every link itself (dot segments, queries, fragments), so this is the
check that no id opens another patient's page or writes to another patient.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests._browser import artifacts, launched
from tests.web._awkward import AWKWARD, add_awkward_patients
from tests.web._setup import ADMIN, PASSWORD, app_for, served

from clears.registry._engine import make_engine, transaction
from clears.registry.patients import timeline

DAY = "2024-03-05"


@pytest.fixture
def awkward_server(db_url: str, password_hash: str) -> Iterator[str]:
    """The app over a registry with the awkward ids, served by uvicorn in a thread."""
    add_awkward_patients(db_url)
    with served(app_for(db_url, password_hash)) as url:
        yield url


def _visit_days(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    with transaction(engine) as session:
        found = {pid: timeline(session, actor=ADMIN, patient_id=pid) for pid in ("P1", *AWKWARD)}
    days = {pid: [str(v.data["visit_date"]) for v in t["visits"]] for pid, t in found.items()}
    engine.dispose()
    return days


def test_every_patient_link_opens_its_patient_and_records_the_visit_there(
    chromium: str, awkward_server: str, db_url: str
) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_page()
        page.goto(f"{awkward_server}/patients")
        page.fill("#username", "entry_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        links = page.locator("ul.ids a")
        names = links.all_inner_texts()
        assert sorted(names) == sorted(["P1", *AWKWARD])
        page.screenshot(path=str(shots / "ids-01-patients.png"), full_page=True)
        for index, patient_id in enumerate(names):
            page.goto(f"{awkward_server}/patients")
            page.locator("ul.ids a").nth(index).click()
            expect(page.locator("h1")).to_have_text(f"Patient {patient_id}")
            page.click("#new-visit")
            expect(page.locator("h1")).to_contain_text(f"Visit · {patient_id}")
            page.fill("#field-visit_date", DAY)
            page.click("#save")
            expect(page.locator("h1")).to_have_text(f"Patient {patient_id}")
            expect(page.locator("#table-visits")).to_contain_text(DAY)
        page.screenshot(path=str(shots / "ids-02-last-patient.png"), full_page=True)
    # One visit each, on its own patient (P1 had one visit before, on another day).
    days = _visit_days(db_url)
    assert days.pop("P1").count(DAY) == 1
    assert days == {pid: [DAY] for pid in AWKWARD}
