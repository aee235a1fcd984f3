"""The session cookie follows activity: its Max-Age is renewed whenever the server's idle
timer is, so an active user stays signed in past the first ``session_minutes``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.web._setup import PASSWORD, login_token, sign_in

Client = Callable[[], TestClient]

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
IDLE = dt.timedelta(minutes=30)  # the settings' default session_minutes


def _clocked(client: TestClient) -> list[dt.datetime]:
    """Give the app's session store a clock the test moves; return it."""
    now = [T0]
    state = client.app.state.clears  # type: ignore[attr-defined]
    sessions = dataclasses.replace(state.sessions, clock=lambda: now[0])
    client.app.state.clears = dataclasses.replace(state, sessions=sessions)  # type: ignore[attr-defined]
    return now


def _session_cookies(response: Response) -> list[str]:
    return [c for c in response.headers.get_list("set-cookie") if c.startswith("clears_session=")]


def _max_age(cookie: str) -> dt.timedelta:
    found = re.search(r"Max-Age=(\d+)", cookie, re.IGNORECASE)
    assert found, cookie
    return dt.timedelta(seconds=int(found.group(1)))


@pytest.mark.slow
def test_an_active_user_past_the_first_30_minutes_stays_signed_in(make_client: Client) -> None:
    client = make_client()
    now = _clocked(client)
    signed = client.post(
        "/login",
        data={"username": "inv_bcn", "password": PASSWORD, "login_token": login_token(client)},
        follow_redirects=False,
    )
    (cookie,) = _session_cookies(signed)
    browser_keeps_until = now[0] + _max_age(cookie)  # what the browser does with Max-Age
    for _ in range(18):  # a request every 5 minutes for an hour and a half
        now[0] += dt.timedelta(minutes=5)
        assert now[0] <= browser_keeps_until, "the browser dropped the cookie of an active user"
        answer = client.get("/api/me")
        assert answer.status_code == 200
        renewed = _session_cookies(answer)
        assert len(renewed) == 1
        assert _max_age(renewed[0]) == IDLE
        browser_keeps_until = now[0] + _max_age(renewed[0])
    # Idle past the timeout: both the browser's cookie and the server's session have ended.
    now[0] += IDLE + dt.timedelta(seconds=1)
    assert now[0] > browser_keeps_until
    assert client.get("/api/me").status_code == 401


def test_the_renewed_cookie_is_the_same_session_with_the_same_flags(make_client: Client) -> None:
    client = make_client()
    now = _clocked(client)
    sign_in(client, "inv_bcn")
    token = client.cookies.get("clears_session")
    now[0] += dt.timedelta(minutes=10)
    page = client.get("/patients")  # a page, not only the API
    (cookie,) = _session_cookies(page)
    parts = [p.strip().lower() for p in cookie.split(";")]
    assert parts[0] == f"clears_session={token}".lower()
    assert {"httponly", "secure", "samesite=strict"} <= set(parts)


def test_the_cookie_is_renewed_only_when_the_server_moves_its_expiry(make_client: Client) -> None:
    # The server moves a session's expiry at most once a minute (a tenth of 30 minutes,
    # capped at 60 s): a request sooner changes nothing and sends no cookie.
    client = make_client()
    now = _clocked(client)
    sign_in(client, "inv_bcn")
    now[0] += dt.timedelta(minutes=2)
    assert len(_session_cookies(client.get("/api/me"))) == 1
    now[0] += dt.timedelta(seconds=30)
    assert _session_cookies(client.get("/api/me")) == []
    now[0] += dt.timedelta(seconds=30)
    assert len(_session_cookies(client.get("/api/me"))) == 1


@pytest.mark.slow
def test_a_new_password_sets_only_its_new_session_cookie(make_client: Client) -> None:
    client = make_client()
    now = _clocked(client)
    csrf = sign_in(client, "inv_bcn")
    old = client.cookies.get("clears_session")
    now[0] += dt.timedelta(minutes=10)  # this request also moves the old session's expiry
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": PASSWORD,
            "new_password": "a fresh phrase for the test",
            "repeat_password": "a fresh phrase for the test",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    (cookie,) = _session_cookies(changed)
    assert not cookie.startswith(f"clears_session={old}")
