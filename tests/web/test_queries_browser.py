"""In a real browser: monitor_bcn opens a query on a visit's ANC from the patient page,
entry_bcn answers it there, monitor_bcn closes it, and the centre's list shows it closed.
Screenshots of each step go to ``test-artifacts/queries``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests._browser import artifacts, launched
from tests.web._queries import first_visit
from tests.web._setup import PASSWORD, app_for, served

pytestmark = pytest.mark.slow  # a real browser


@pytest.fixture
def site(db_url: str, password_hash: str) -> Iterator[str]:
    """The app over the seeded registry, served by uvicorn in a thread."""
    with served(app_for(db_url, password_hash)) as url:
        yield url


def test_monitor_opens_entry_answers_monitor_closes(chromium: str, site: str, db_url: str) -> None:
    from playwright.sync_api import Browser, Page, expect

    shots = artifacts("queries")
    visit, _ = first_visit(db_url)

    def signed_in(browser: Browser, username: str) -> Page:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{site}/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{site}/patients**")
        return page

    with launched(chromium) as browser:
        monitor = signed_in(browser, "monitor_bcn")
        monitor.goto(f"{site}/patients/P1#queries")
        form = monitor.locator("#open-query-form")
        form.locator("#field-target").select_option(f"visits:{visit}")
        form.locator("#field-field").select_option("anc")
        form.locator("#field-text").fill("ANC 1.8 is not in the lab report of that day")
        form.locator("#field-proposed_value").fill("2.8")
        monitor.locator("#queries").screenshot(path=str(shots / "queries-01-open-form.png"))
        monitor.click("#open-query-save")
        row = monitor.locator("tr.query").first
        expect(row.locator(".query-status")).to_have_text("open")
        expect(row).to_contain_text("proposed: 2.8")
        monitor.locator("#queries").screenshot(path=str(shots / "queries-02-opened.png"))

        entry = signed_in(browser, "entry_bcn")
        entry.goto(f"{site}/patients/P1#queries")
        answer = entry.locator("form.query-step[id$='-answer']").first
        answer.locator("input[name=text]").fill("Checked: the report says 1.8")
        entry.locator("#queries").screenshot(path=str(shots / "queries-03-answer-form.png"))
        answer.locator("button").click()
        expect(entry.locator("tr.query .query-status").first).to_have_text("answered")
        entry.locator("#queries").screenshot(path=str(shots / "queries-04-answered.png"))

        monitor.goto(f"{site}/patients/P1")  # a new load (the same URL with #queries is not)
        expect(monitor.locator("tr.query").first).to_contain_text("Checked: the report says 1.8")
        monitor.locator("#queries").screenshot(path=str(shots / "queries-05-close-form.png"))
        close = monitor.locator("form.query-step[id$='-close']").first
        close.locator("input[name=text]").fill("Thank you")
        close.locator("button").click()
        expect(monitor.locator("#queries")).to_contain_text("No open or answered query.")
        monitor.goto(f"{site}/queries?centre=BCN&status=closed")
        listed = monitor.locator("#query-list tr.query")
        expect(listed).to_have_count(1)
        expect(listed.first).to_contain_text("closed")
        monitor.screenshot(path=str(shots / "queries-06-list.png"), full_page=True)
        listed.first.locator("a").first.click()
        expect(monitor.locator("#thread tr.message")).to_have_count(3)
        monitor.screenshot(path=str(shots / "queries-07-thread.png"), full_page=True)
