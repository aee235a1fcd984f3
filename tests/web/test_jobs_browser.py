"""The job page in a real browser: its script (allowed by the app's CSP, script-src 'self')
follows the job through /api/jobs/{id} without reloading, then shows the result.

The test plays the first worker itself (claims the job, reports progress through the
registry services) so that the page is caught half-way; then it hands the job back and a
real worker process, as ``clears serve`` starts it, finishes it. Screenshots:
test-artifacts/web/jobs-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests._browser import artifacts, launched
from tests.web._setup import PASSWORD, add_follow_up, app_for, served

from clears.registry import jobs, make_engine, transaction


@pytest.fixture
def server(db_url: str, password_hash: str) -> Iterator[str]:
    """The app on a free loopback port, with no job worker yet."""
    add_follow_up(db_url)
    with served(app_for(db_url, password_hash)) as url:
        yield url


def test_the_job_page_follows_progress_and_then_offers_the_report(
    chromium: str, server: str, db_url: str
) -> None:
    from playwright.sync_api import expect

    from clears.cli.serve import job_workers

    shots = artifacts("web")
    engine = make_engine(db_url)
    errors: list[str] = []
    try:
        with launched(chromium) as browser:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{server}/login")
            page.fill("#username", "inv_bcn")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{server}/cohort/report")
            page.click("#report-submit")
            expect(page.locator("#job-status")).to_have_text("queued")
            job_id = int(page.locator("#job").get_attribute("data-job") or "0")

            # A worker takes it and gets half-way through the report.
            with transaction(engine) as session:
                claimed = jobs.claim_next(session)
                assert claimed is not None
                assert claimed.id == job_id
                jobs.progress(
                    session, job_id=job_id, attempt=1, fraction=0.45, phase="report: response"
                )
            expect(page.locator("#job-status")).to_have_text("running")
            expect(page.locator("#job-percent")).to_have_text("45 %")
            expect(page.locator("#job-phase")).to_have_text("report: response")
            assert page.locator("#job-progress").evaluate("p => p.value") == pytest.approx(0.45)
            page.screenshot(path=str(shots / "jobs-progress.png"), full_page=True)

            # That worker stops; a real worker process finishes the job; the page reloads.
            with transaction(engine) as session:
                assert jobs.release(session, job_id=job_id, attempt=1)
            with job_workers(db_url, 1):
                expect(page.locator("#job-open")).to_be_visible(timeout=60_000)
            expect(page.locator("#job-status")).to_have_text("done")
            expect(page.locator("#job-percent")).to_have_text("100 %")
            page.screenshot(path=str(shots / "jobs-done.png"), full_page=True)
            page.click("#job-open")
            expect(page.locator("#table-table1")).to_be_visible()
            assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        engine.dispose()
