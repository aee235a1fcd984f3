"""Security headers (clears.web._headers): on every kind of answer, HSTS in production."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import SECRET

from clears.web.app import create_app
from clears.web.settings import Settings

ONE_YEAR = 365 * 24 * 3600  # seconds (RFC 6797 leaves max-age to the site; a year is usual)


def _headers(db_url: str, path: str, **changes: object) -> dict[str, str]:
    given: dict[str, object] = {"environment": "test", **changes}
    app = create_app(Settings(secret_key=SECRET, db_url=db_url, **given))  # type: ignore[arg-type]
    try:
        with TestClient(app, base_url="https://testserver") as client:
            return dict(client.get(path).headers)
    finally:
        app.state.clears.registry.engine.dispose()


@pytest.mark.parametrize("path", ["/login", "/api/me", "/no-such-page", "/static/style.css"])
def test_every_answer_carries_the_headers(db_url: str, path: str) -> None:
    headers = _headers(db_url, path)
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_hsts_in_production_by_default(db_url: str) -> None:
    headers = _headers(db_url, "/login", environment="production")
    assert headers["strict-transport-security"] == f"max-age={ONE_YEAR}; includeSubDomains"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"environment": "production", "hsts_seconds": 0}, None),  # a proxy sends it
        ({"environment": "production", "hsts_seconds": 600}, "max-age=600; includeSubDomains"),
        ({"environment": "test"}, None),
        ({"environment": "test", "hsts_seconds": 60}, "max-age=60; includeSubDomains"),
    ],
)
def test_hsts_configurable(db_url: str, changes: dict[str, object], expected: str | None) -> None:
    headers = _headers(db_url, "/login", **changes)
    assert headers.get("strict-transport-security") == expected
