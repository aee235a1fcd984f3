"""In a real browser (Debian's chromium, headless): a visit typed into a form whose session
ended comes back after signing in again, and saves.

The session ends as the idle timeout ends it on the server (its registry row goes); the
browser still holds its cookie and the open form. Screenshots of the sign-in page and of
the restored form go to test-artifacts/web/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD, app_for, served

from clears.registry._models import user_sessions_table


@pytest.fixture
def server(db_url: str, password_hash: str) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread."""
    with served(app_for(db_url, password_hash)) as url:
        yield url


def _visits(db_url: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM visits")).scalar_one())
    finally:
        engine.dispose()


def _end_sessions(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.delete(user_sessions_table))
    finally:
        engine.dispose()


def test_a_visit_typed_past_the_timeout_comes_back_after_sign_in_and_saves(
    chromium: str, server: str, db_url: str
) -> None:
    from playwright.sync_api import expect

    shots = artifacts("web")
    with launched(chromium) as browser:
        page = browser.new_page()
        page.goto(f"{server}/login")
        page.fill("#username", "inv_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")

        page.goto(f"{server}/patients/P1/visits/new")
        page.fill("#field-visit_date", "2025-12-17")
        page.fill("#field-hb", "11.5")
        page.fill("#field-platelets", "210")
        before = _visits(db_url)
        _end_sessions(db_url)  # the form stayed open past the idle timeout
        page.click("#save")

        expect(page.locator("h1")).to_have_text("Sign in")
        expect(page.locator("[role=alert]")).to_contain_text("What you typed is kept")
        page.screenshot(path=str(shots / "expiry-1-sign-in.png"), full_page=True)
        page.fill("#username", "inv_bcn")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")

        expect(page.locator("#kept-notice")).to_be_visible()
        expect(page.locator("#field-visit_date")).to_have_value("2025-12-17")
        expect(page.locator("#field-hb")).to_have_value("11.5")
        expect(page.locator("#field-platelets")).to_have_value("210")
        page.screenshot(path=str(shots / "expiry-2-restored.png"), full_page=True)
        assert _visits(db_url) == before  # not saved until Save is pressed

        page.click("#save")
        expect(page.locator("h1")).to_contain_text("P1")
        assert _visits(db_url) == before + 1
