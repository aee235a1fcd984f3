"""Sign-in, sessions, CSRF, rate limiting, settings, users file and edit conflicts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from tests.web._setup import PASSWORD, login_token, sign_in

from clears._exceptions import InputError
from clears.web._users_file import read_users_file
from clears.web.security import hash_password, verify_password
from clears.web.settings import DEVELOPMENT_SECRET, Settings

Client = Callable[[], TestClient]


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["changethis", "CHANGEME", "secret", DEVELOPMENT_SECRET, ""])
def test_placeholder_secret_refused_outside_development(secret: str) -> None:
    with pytest.raises(ValidationError, match="placeholder secret"):
        Settings(environment="production", secret_key=secret)  # type: ignore[arg-type]
    Settings(environment="development", secret_key=secret)  # type: ignore[arg-type]


def test_default_secret_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="placeholder secret"):
        Settings()


def test_secret_length_edge() -> None:
    # 31 characters refused, 32 accepted (the minimum in clears.web.settings).
    with pytest.raises(ValidationError, match="has 31 characters; at least 32"):
        Settings(environment="production", secret_key="k" * 31)  # type: ignore[arg-type]
    assert Settings(environment="production", secret_key="k" * 32).cookie_secure  # type: ignore[arg-type]


# --- passwords and users file -----------------------------------------------------------


@pytest.mark.slow  # over a second in --durations
def test_password_hash_is_salted_argon2id() -> None:
    first, second = hash_password("pw"), hash_password("pw")
    assert first != second
    assert first.startswith("$argon2id$")
    assert verify_password("pw", second)
    assert not verify_password("pW", second)
    assert not verify_password("pw", None)
    assert not verify_password("pw", "not-a-hash")


@pytest.mark.slow
def test_users_file_read_and_every_problem_reported(tmp_path: Path) -> None:
    good = {
        "username": "a",
        "role": "monitor",
        "centres": ["BCN"],
        "password_hash": hash_password("x"),
    }
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": [good]}))
    (user,) = read_users_file(path)
    assert (user.username, user.role, user.centres, user.row) == ("a", "monitor", {"BCN"}, 1)
    assert verify_password("x", user.password_hash)
    bad = {"username": " ", "role": "boss", "centres": [], "password_hash": "plain"}
    path.write_text(json.dumps({"users": [bad]}))
    with pytest.raises(InputError) as caught:
        read_users_file(path)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["username", "role", "centres", "password_hash"]


# --- sign-in ----------------------------------------------------------------------------


def test_session_cookie_flags(make_client: Client) -> None:
    client = make_client()
    response = client.post(
        "/login",
        data={"username": "inv_bcn", "password": PASSWORD, "login_token": login_token(client)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "clears_session=" in cookie
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "samesite=strict" in cookie


@pytest.mark.slow
def test_wrong_password_and_unknown_user_same_answer(make_client: Client) -> None:
    client = make_client()
    answers = []
    for user in ("inv_bcn", "nobody"):
        page = client.post(
            "/login",
            data={"username": user, "password": "wrong", "login_token": login_token(client)},
        )
        answers.append((page.status_code, "Unknown user name or wrong password" in page.text))
    assert answers == [(401, True), (401, True)]
    assert client.get("/api/me").status_code == 401


def test_login_token_must_match(make_client: Client) -> None:
    client = make_client()
    login_token(client)
    page = client.post(
        "/login", data={"username": "inv_bcn", "password": PASSWORD, "login_token": "forged"}
    )
    assert page.status_code == 400


@pytest.mark.slow  # over a second in --durations
def test_rate_limit_after_five_failures(make_client: Client) -> None:
    # Settings default: 5 failures per 300 s; the 6th attempt is refused even if correct.
    client = make_client()
    for _ in range(4):
        client.post(
            "/login",
            data={"username": "inv_bcn", "password": "x", "login_token": login_token(client)},
        )
    fifth = client.post(
        "/login", data={"username": "inv_bcn", "password": "x", "login_token": login_token(client)}
    )
    assert fifth.status_code == 401
    blocked = client.post(
        "/login",
        data={"username": "inv_bcn", "password": PASSWORD, "login_token": login_token(client)},
    )
    assert blocked.status_code == 429


@pytest.mark.slow  # over a second in --durations
def test_four_failures_do_not_block(make_client: Client) -> None:
    client = make_client()
    for _ in range(4):
        client.post(
            "/login",
            data={"username": "inv_bcn", "password": "x", "login_token": login_token(client)},
        )
    sign_in(client, "inv_bcn")


def test_session_times_out_when_idle(make_client: Client) -> None:
    client = make_client()
    state = client.app.state.clears  # type: ignore[attr-defined]
    now = [dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)]
    sessions = dataclasses.replace(state.sessions, clock=lambda: now[0])
    client.app.state.clears = dataclasses.replace(state, sessions=sessions)  # type: ignore[attr-defined]
    sign_in(client, "inv_bcn")
    now[0] += dt.timedelta(minutes=30)  # exactly the 30-minute default: still alive
    assert client.get("/api/me").status_code == 200
    now[0] += dt.timedelta(minutes=30, seconds=1)
    assert client.get("/api/me").status_code == 401
    assert client.get("/patients", follow_redirects=False).headers["location"] == "/login"


def test_logout_ends_session(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    cookie = client.cookies.get("clears_session")
    before = make_client()
    before.cookies.set("clears_session", cookie or "")
    assert before.get("/api/me").status_code == 200  # the cookie alone is the session
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 200  # -> /login
    # Replaying the old cookie after sign-out does not bring the session back.
    replay = make_client()
    replay.cookies.set("clears_session", cookie or "")
    assert replay.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 401


# --- CSRF -------------------------------------------------------------------------------


def test_forms_and_api_refuse_missing_or_wrong_csrf(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    form = {"patient_id": "P5", "centre": "BCN"}
    assert client.post("/patients/new", data=form).status_code == 403
    assert client.post("/patients/new", data={**form, "csrf_token": "0" * 64}).status_code == 403
    body = {"patient_id": "P5", "centre": "BCN"}
    assert client.post("/api/patients", json=body).status_code == 403
    assert (
        client.post("/api/patients", json=body, headers={"X-CSRF-Token": csrf + "0"}).status_code
        == 403
    )
    assert (
        client.post("/api/patients", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    )


def test_csrf_token_is_per_session(make_client: Client) -> None:
    first, second = make_client(), make_client()
    token = sign_in(first, "inv_bcn")
    sign_in(second, "inv_bcn")
    refused = second.post(
        "/api/patients", json={"patient_id": "P6", "centre": "BCN"}, headers={"X-CSRF-Token": token}
    )
    assert refused.status_code == 403


def test_security_headers(make_client: Client) -> None:
    response = make_client().get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


# --- conflicting edits --------------------------------------------------------------------


@pytest.mark.slow
def test_conflicting_edit_shows_both_values(make_client: Client) -> None:
    first, second = make_client(), make_client()
    csrf1, csrf2 = sign_in(first, "inv_bcn"), sign_in(second, "entry_bcn")
    url = "/patients/P1/records/adverse_events/1/edit"
    base = {"onset_date": "2024-01-10", "term": "headache", "version": "1"}
    saved = first.post(
        url, data={**base, "grade": "2", "csrf_token": csrf1}, follow_redirects=False
    )
    assert saved.status_code == 303
    stale = second.post(url, data={**base, "grade": "3", "csrf_token": csrf2})
    assert stale.status_code == 409
    # the field's label, the value typed and the value stored (tests/web/test_saves.py)
    assert 'id="conflict-grade"' in stale.text
    assert "CTCAE v5.0 grade" in stale.text
    stored = second.get("/api/patients/P1/records/adverse_events/1").json()
    assert stored["data"]["grade"] == 2
    assert stored["version"] == 2


def test_api_conflict_is_409(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    url = "/api/patients/P1/records/flares/1"
    headers = {"X-CSRF-Token": csrf}
    ok = client.patch(
        url, json={"version": 1, "changes": {"severity": "moderate"}}, headers=headers
    )
    assert ok.status_code == 200
    stale = client.patch(
        url, json={"version": 1, "changes": {"severity": "severe"}}, headers=headers
    )
    assert stale.status_code == 409
    assert "severity: yours severe, current moderate" in stale.json()["detail"]
    assert stale.json()["conflicts"] == [
        {"field": "severity", "yours": "severe", "current": "moderate"}
    ]
