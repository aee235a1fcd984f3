"""Sign-in limits through the app: proxy headers believed only from configured proxies, a
third party's failures never lock the real user out (the name's limit only slows)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests._cli import clears
from tests.web._setup import PASSWORD, app_for, login_token

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
OUTSIDER = "203.0.113.9"  # a client on the internet, not a proxy
PROXY = "10.0.0.5"


def _served(app: FastAPI, peer: str) -> TestClient:
    """A client connecting from ``peer`` to ``app`` as ``clears serve`` runs it under uvicorn
    (the proxy-header handling uvicorn adds from the app's settings included)."""
    options = app.state.clears.settings.server_proxy_options()
    config = uvicorn.Config(app, **options)
    config.load()
    return TestClient(config.loaded_app, base_url="https://testserver", client=(peer, 50000))


def _attempt(client: TestClient, password: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = login_token(client)
    response = client.post(
        "/login",
        data={"username": "inv_bcn", "password": password, "login_token": token},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


@pytest.fixture
def apps(db_url: str, password_hash: str) -> Iterator[dict[str, FastAPI]]:
    """The app with no trusted proxy (the default) and with one, over one database."""
    built = {
        "default": app_for(db_url, password_hash),
        "proxied": app_for(db_url, password_hash, trusted_proxies=PROXY),
    }
    yield built
    for app in built.values():
        app.state.clears.registry.engine.dispose()


@pytest.mark.slow
def test_rotating_forwarded_for_from_a_non_proxy_address_does_not_bypass(
    apps: dict[str, FastAPI],
) -> None:
    for kind, app in apps.items():
        client = _served(app, OUTSIDER)
        spoofed = [_attempt(client, "wrong", f"198.51.100.{i}") for i in range(5)]
        assert spoofed == [401] * 5, kind
        # Counted as the outsider's own address: refused even with the right password.
        assert _attempt(client, PASSWORD, "198.51.100.99") == 429, kind
        app.state.clears.limiter.reset([f"ip:{OUTSIDER}", "user:inv_bcn"])


@pytest.mark.slow
def test_forwarded_for_is_believed_from_a_configured_proxy(apps: dict[str, FastAPI]) -> None:
    through_proxy = _served(apps["proxied"], PROXY)
    assert [_attempt(through_proxy, "wrong", "198.51.100.7") for _ in range(5)] == [401] * 5
    assert _attempt(through_proxy, PASSWORD, "198.51.100.7") == 429  # that client is limited
    assert _attempt(through_proxy, PASSWORD, "198.51.100.8") == 303  # another one is not
    # Without the setting, the same proxy is one client: all of them are refused.
    unconfigured = _served(apps["default"], PROXY)
    assert [_attempt(unconfigured, "wrong", "198.51.100.7") for _ in range(5)] == [401] * 5
    assert _attempt(unconfigured, PASSWORD, "198.51.100.8") == 429


@pytest.mark.slow
def test_five_wrong_passwords_by_a_third_party_do_not_lock_the_user_out(
    apps: dict[str, FastAPI],
) -> None:
    app = apps["default"]
    now = [T0]
    state = app.state.clears
    app.state.clears = dataclasses.replace(
        state, limiter=dataclasses.replace(state.limiter, clock=lambda: now[0])
    )
    third_party = TestClient(app, base_url="https://testserver", client=(OUTSIDER, 50000))
    assert [_attempt(third_party, "wrong") for _ in range(5)] == [401] * 5
    assert _attempt(third_party, PASSWORD) == 429  # their address is refused
    user = TestClient(app, base_url="https://testserver", client=("192.0.2.20", 50000))
    assert _attempt(user, PASSWORD) == 303  # the real user, from their own address
    # Signing in forgot the name's failures; after five more and a typo of the user's own,
    # the user is slowed, not locked: the back-off of six failures of the name, then in.
    app.state.clears.limiter.reset([f"ip:{OUTSIDER}"])
    assert [_attempt(third_party, "wrong") for _ in range(5)] == [401] * 5
    assert _attempt(user, "a typo in it") == 401
    wait = 1.0 * 2 ** (6 - 5)  # the settings' defaults: 1 s doubled per failure past five
    refused = user.post(
        "/login",
        data={"username": "inv_bcn", "password": PASSWORD, "login_token": login_token(user)},
    )
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(int(wait))
    now[0] += dt.timedelta(seconds=wait)
    assert _attempt(user, PASSWORD) == 303


@pytest.mark.slow
def test_clears_serve_sets_uvicorn_proxy_headers_from_the_setting(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def run(app: Any, **options: Any) -> None:
        calls.append(options)
        app.state.clears.registry.engine.dispose()

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.delenv("CLEARS_TRUSTED_PROXIES", raising=False)
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    # uvicorn's own default would believe X-Forwarded-For from 127.0.0.1: switched off.
    assert (calls[-1]["proxy_headers"], calls[-1]["forwarded_allow_ips"]) == (False, "")
    monkeypatch.setenv("CLEARS_TRUSTED_PROXIES", f"{PROXY}, 10.1.0.0/16")
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    assert (calls[-1]["proxy_headers"], calls[-1]["forwarded_allow_ips"]) == (
        True,
        f"{PROXY},10.1.0.0/16",
    )


def test_a_trusted_proxy_that_is_not_an_address_is_refused_naming_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda app, **options: None)
    monkeypatch.setenv("CLEARS_TRUSTED_PROXIES", "10.0.0.5,proxy.example")
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") != 0
    err = capsys.readouterr().err
    assert "trusted_proxies" in err
    assert "'proxy.example' is not an IP address" in err
