"""The API documentation (clears.web._docs): Swagger UI from the app's own files, within
its CSP, for signed-in users only where the settings ask for it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests._browser import launched
from tests.web._setup import PASSWORD, app_for, served, sign_in


@pytest.fixture
def docs_client(db_url: str, password_hash: str) -> Iterator[TestClient]:
    app = app_for(db_url, password_hash, docs_sign_in=True)
    with TestClient(app, base_url="https://testserver") as client:
        yield client
    app.state.clears.registry.engine.dispose()


@pytest.mark.slow
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


@pytest.mark.slow
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
    from playwright.sync_api import expect

    with (
        served(app_for(db_url, password_hash, docs_sign_in=True)) as url,
        launched(chromium) as browser,
    ):
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


# The security the schema declares: OpenAPI 3.1 Security Scheme Object and Security
# Requirement Object (https://spec.openapis.org/oas/v3.1.0#security-scheme-object), bearer
# tokens as RFC 6750 sends them (Authorization: Bearer <token>); what each route accepts is
# the rule of clears.web.deps (token on /api/ only, read scope GET only, CSRF for cookies).

#: Values for every path parameter of the API (seed of tests/web/_setup.py: P1 at BCN).
_PARAMETERS = {
    "patient_id": "P1",
    "record_id": "1",
    "table": "visits",
    "job_id": "1",
    "entity": "patients",
    "entity_id": "P1",
    "photo_id": "1",
    "query_id": "1",
}


def _operations(schema: dict[str, object]) -> list[tuple[str, str, list[dict[str, list[str]]]]]:
    paths = schema["paths"]
    assert isinstance(paths, dict)
    return [
        (method.upper(), path, operation.get("security", []))
        for path, operations in paths.items()
        for method, operation in operations.items()
    ]


def _read_token(url: str) -> str:
    from clears.registry import Actor, create_token, make_engine, transaction

    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            secret, _ = create_token(
                session,
                actor=Actor.everywhere("setup"),
                username="inv_bcn",
                label="docs",
                scope="read",
                days=30,
            )
    finally:
        engine.dispose()
    return secret


def test_the_schema_declares_the_bearer_token_and_the_session(make_client: object) -> None:
    client = make_client()  # type: ignore[operator]
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["apiToken"]["type"] == "http"
    assert schemes["apiToken"]["scheme"] == "bearer"
    assert "clears tokens create" in schemes["apiToken"]["description"]
    assert {k: schemes["session"][k] for k in ("type", "in", "name")} == {
        "type": "apiKey",
        "in": "cookie",
        "name": "clears_session",
    }
    assert {k: schemes["csrfToken"][k] for k in ("type", "in")} == {
        "type": "apiKey",
        "in": "header",
    }
    assert schemes["csrfToken"]["name"].lower() == "x-csrf-token"


def test_every_api_operation_lists_the_token_and_the_session(make_client: object) -> None:
    client = make_client()  # type: ignore[operator]
    operations = _operations(client.get("/openapi.json").json())
    assert len(operations) > 10
    for method, path, security in operations:
        assert path.startswith("/api/"), path
        reads = method in ("GET", "HEAD")
        token: list[str] = [] if reads else ["write"]
        session: dict[str, list[str]] = (
            {"session": []} if reads else {"session": [], "csrfToken": []}
        )
        assert security == [{"apiToken": token}, session], (method, path)


@pytest.mark.slow
def test_each_operation_refuses_what_its_security_does_not_offer(
    make_client: object, db_url: str
) -> None:
    """The schema against the app: every operation needs a credential (refused without), a
    write through the session needs the CSRF token (403 without), a read token reads and
    is refused a write (403 naming its scope)."""
    anonymous = make_client()  # type: ignore[operator]
    schema = anonymous.get("/openapi.json").json()
    browser = make_client()  # type: ignore[operator]
    sign_in(browser, "inv_bcn")
    script = make_client()  # type: ignore[operator]
    script.headers["Authorization"] = f"Bearer {_read_token(db_url)}"
    for method, path, security in _operations(schema):
        url = path.format(**_PARAMETERS)
        where = f"{method} {url}"
        # Without a credential: 401, or for a write 403 (the CSRF check comes first).
        refused = {401} if method == "GET" else {401, 403}
        assert anonymous.request(method, url).status_code in refused, where
        session = next(s for s in security if "session" in s)
        by_cookie = browser.request(method, url)
        if "csrfToken" in session:
            assert by_cookie.status_code == 403, where
            assert "CSRF" in by_cookie.json()["detail"], where
        else:
            assert by_cookie.status_code not in (401, 403), where
        by_token = script.request(method, url)
        if next(s for s in security if "apiToken" in s)["apiToken"] == ["write"]:
            assert by_token.status_code == 403, where
            assert "scope is read" in by_token.json()["detail"], where
        else:
            assert by_token.status_code not in (401, 403), where


def test_docs_authorize_button_sends_the_api_token_in_a_browser(
    chromium: str, db_url: str, password_hash: str
) -> None:
    from playwright.sync_api import expect

    app = app_for(db_url, password_hash, docs_sign_in=False)
    secret = _read_token(db_url)
    with served(app) as url, launched(chromium) as browser:
        page = browser.new_page()  # no session: the token is the only credential
        page.goto(f"{url}/docs")
        page.locator("button.authorize").first.click()
        dialog = page.locator(".modal-ux")
        expect(dialog).to_contain_text("apiToken")
        dialog.locator(".auth-container", has_text="apiToken").locator("input").fill(secret)
        dialog.locator(".auth-container", has_text="apiToken").locator("button.authorize").click()
        dialog.locator("button.btn-done").first.click()
        block = page.locator(
            ".opblock",
            has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/me$")),
        )
        block.locator(".opblock-summary").click()
        block.locator("button.try-out__btn").click()
        block.locator("button.execute").click()
        answer = block.locator(".live-responses-table tr.response .response-col_description").first
        expect(answer).to_contain_text('"username": "inv_bcn"')
        expect(
            block.locator(".live-responses-table tr.response .response-col_status").first
        ).to_have_text("200")
    app.state.clears.registry.engine.dispose()
