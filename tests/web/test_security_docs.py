"""The API documentation (clears.web._docs): Swagger UI from the app's own files, within
its CSP, for signed-in users only where the settings ask for it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import PASSWORD, app_for, served, sign_in
from tests.web.test_e2e import ARGS, chromium

__all__ = ["chromium"]  # the session fixture, shared with test_e2e


@pytest.fixture
def docs_client(db_url: str, password_hash: str) -> Iterator[TestClient]:
    app = app_for(db_url, password_hash, docs_sign_in=True)
    with TestClient(app, base_url="https://testserver") as client:
        yield client
    app.state.clears.registry.engine.dispose()


def test_docs_page_has_no_inline_script_and_nothing_from_elsewhere(
    docs_client: TestClient,
) -> None:
    sign_in(docs_client, "monitor_bcn")
    page = docs_client.get("/docs")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert scripts
    assert all('src="/' in attributes and body.strip() == "" for attributes, body in scripts)
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert linked
    assert all(url.startswith("/") and not url.startswith("//") for url in linked)
    for url in linked:
        asset = docs_client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100


def test_docs_and_schema_need_sign_in_when_configured(docs_client: TestClient) -> None:
    docs = docs_client.get("/docs", follow_redirects=False)
    assert (docs.status_code, docs.headers["location"]) == (303, "/login")
    schema = docs_client.get("/openapi.json")
    assert schema.status_code == 401
    assert schema.json() == {"detail": "sign in first"}
    sign_in(docs_client, "monitor_bcn")
    paths = docs_client.get("/openapi.json").json()["paths"]
    assert "/api/patients" in paths
    assert "/api/patients/{patient_id}/records/{table}/{record_id}" in paths
    assert "/docs" not in paths


def test_docs_open_without_sign_in_outside_production(make_client: object) -> None:
    client = make_client()  # type: ignore[operator]
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "clears"


def test_docs_render_operations_in_a_browser_without_csp_violations(
    chromium: str, db_url: str, password_hash: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with (
        served(app_for(db_url, password_hash, docs_sign_in=True)) as url,
        sync_playwright() as play,
    ):
        browser = play.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            logged: list[str] = []
            page.on("console", lambda message: logged.append(f"{message.type}: {message.text}"))
            page.on("pageerror", lambda error: logged.append(f"pageerror: {error}"))
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            # Recorded by the page itself: each violation of the CSP, whatever the directive.
            page.add_init_script(
                "window.violations = [];"
                "document.addEventListener('securitypolicyviolation', e =>"
                " window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page.goto(f"{url}/docs")
            expect(page.locator("h1")).to_have_text("Sign in")
            page.fill("#username", "inv_bcn")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            failed.clear()
            logged.clear()
            page.goto(f"{url}/docs")
            operations = page.locator(".opblock-summary-path")
            expect(operations.filter(has_text="/api/patients").first).to_be_visible()
            assert operations.count() > 10
            page.locator(".opblock-summary", has_text="/api/me").first.click()
            expect(page.locator(".opblock-body").first).to_be_visible()
            assert page.evaluate("window.violations") == []
            assert failed == []
            assert [m for m in logged if "Content Security Policy" in m or "error" in m] == []
        finally:
            browser.close()
