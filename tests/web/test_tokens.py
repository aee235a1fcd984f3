"""API tokens on the web: the account page, ``Authorization: Bearer`` on the JSON API.

Seed (tests/web/_setup.py): P1 at BCN owns record id 1 of every table, P2 at LYO record id 2.
The patient routes of the JSON API are enumerated from the app's routers, so a route added
later is covered without editing this file. Expected answers follow the rules of
``clears.web.deps`` and ``clears.registry.tokens``: a token acts on its centres only (404
for others), a read token may only read (403 naming the scope), CSRF is for cookies only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

from clears.registry import Actor, create_token, set_disabled, transaction
from clears.registry._engine import make_engine
from clears.web.app import ROUTERS

Client = Callable[[], TestClient]
TABLES = ("visits", "treatments", "adverse_events", "flares")
SECRET = re.compile(r'<code id="token-secret">(clears_[A-Za-z0-9_-]+)</code>')


def _api_routes() -> Iterator[tuple[str, str]]:
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if route.path.startswith("/api/"):
                for method in sorted((route.methods or set()) - {"HEAD"}):
                    yield method, route.path


PATIENT_ROUTES = [(m, p) for m, p in _api_routes() if "{patient_id}" in p or "{entity_id}" in p]
WRITE_ROUTES = [(m, p) for m, p in _api_routes() if m != "GET"]


def _urls(path: str, patient: str, record: str) -> list[str]:
    if "{entity}" in path:
        return [path.format(entity="patients", entity_id=patient)] + [
            path.format(entity=t, entity_id=record) for t in TABLES
        ]
    tables = TABLES if "{table}" in path else TABLES[:1]
    return [
        path.format(
            patient_id=patient, record_id=record, table=t, job_id="1", photo_id="1", query_id="1"
        )
        for t in tables
    ]


def _token(
    url: str,
    username: str,
    *,
    scope: str = "read",
    centres: tuple[str, ...] = (),
    days: int = 30,
    at: dt.datetime | None = None,
) -> str:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            secret, _ = create_token(
                session,
                actor=Actor.everywhere("setup"),
                username=username,
                label="script",
                scope=scope,
                days=days,
                centres=centres,
                at=at,
            )
    finally:
        engine.dispose()
    return secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _send(client: TestClient, method: str, url: str, headers: dict[str, str]) -> int:
    if method == "GET":
        return client.get(url, headers=headers).status_code
    body: dict[str, object] = {"values": {}} if method == "POST" else {"version": 1, "changes": {}}
    return client.request(method, url, json=body, headers=headers).status_code


def test_enumeration_finds_the_api_patient_routes() -> None:
    # GET and PATCH of a patient, advice, response, audit, records (4), the audit view.
    assert len(PATIENT_ROUTES) >= 10
    assert len(WRITE_ROUTES) >= 4


@pytest.mark.parametrize(("method", "path"), PATIENT_ROUTES)
def test_a_token_of_centre_bcn_gets_404_for_lyo(
    make_client: Client, db_url: str, method: str, path: str
) -> None:
    # A network-wide administrator's token narrowed to BCN: P2 (LYO) is not found, though
    # the administrator signed in would see it.
    client = make_client()
    headers = _bearer(_token(db_url, "admin", scope="write", centres=("BCN",)))
    for url in _urls(path, "P2", "2"):
        assert _send(client, method, url, headers) == 404, (method, url)
    for url in _urls(path, "P1", "2"):
        if "{record_id}" in path or ("{entity_id}" in path and "/patients/" not in url):
            assert _send(client, method, url, headers) == 404, (method, url)
    if method == "GET":
        for url in _urls(path, "P1", "1"):
            assert _send(client, method, url, headers) == 200, url


def test_the_list_holds_only_the_tokens_centres(make_client: Client, db_url: str) -> None:
    client = make_client()
    listed = client.get("/api/patients", headers=_bearer(_token(db_url, "admin", centres=("LYO",))))
    assert listed.status_code == 200
    assert [row["patient_id"] for row in listed.json()["patients"]] == ["P2"]
    everywhere = client.get("/api/patients", headers=_bearer(_token(db_url, "admin")))
    assert sorted(r["patient_id"] for r in everywhere.json()["patients"]) == ["P1", "P2"]


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_a_read_token_is_refused_on_every_write(
    make_client: Client, db_url: str, method: str, path: str
) -> None:
    client = make_client()
    headers = _bearer(_token(db_url, "inv_bcn"))
    url = _urls(path, "P1", "1")[0]
    answer = client.request(method, url, json={"values": {}}, headers=headers)
    assert answer.status_code == 403, url
    assert "scope is read" in answer.json()["detail"]


def test_a_write_token_writes_without_csrf(make_client: Client, db_url: str) -> None:
    client = make_client()
    headers = _bearer(_token(db_url, "entry_bcn", scope="write"))
    added = client.post(
        "/api/patients/P1/records/flares",
        json={"values": {"flare_date": "2024-02-01", "severity": "mild"}},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    read = client.get("/api/patients/P1/records/flares", headers=headers).json()
    assert "2024-02-01" in [r["data"]["flare_date"] for r in read]


def test_cookies_still_need_csrf_and_pages_ignore_bearer(make_client: Client, db_url: str) -> None:
    client = make_client()
    secret = _token(db_url, "inv_bcn", scope="write")
    # Pages: the header is not read, so without a cookie the page asks to sign in.
    page = client.get("/patients", headers=_bearer(secret), follow_redirects=False)
    assert page.status_code == 303
    sign_in(client, "inv_bcn")
    body = {"values": {"flare_date": "2024-03-01", "severity": "mild"}}
    assert client.post("/api/patients/P1/records/flares", json=body).status_code == 403
    # A page form with a bearer header still needs the CSRF token of its cookie.
    form = client.post(
        "/patients/P1/records/flares/new",
        data={"flare_date": "2024-03-01"},
        headers=_bearer(secret),
    )
    assert form.status_code == 403
    # A bad token next to a good cookie is refused: the token alone authenticates.
    assert client.get("/api/patients", headers=_bearer("clears_wrong")).status_code == 401


@pytest.mark.parametrize("header", ["Bearer clears_nope", "Bearer ", "bearer clears_x"])
def test_unknown_tokens_are_401(make_client: Client, header: str) -> None:
    answer = make_client().get("/api/patients", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "expired or revoked" in answer.json()["detail"]


def test_expired_and_disabled_are_refused_at_once(make_client: Client, db_url: str) -> None:
    client = make_client()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    expired = _token(db_url, "inv_bcn", days=2, at=past)
    assert client.get("/api/patients", headers=_bearer(expired)).status_code == 401
    live = _token(db_url, "inv_lyo")
    assert client.get("/api/patients", headers=_bearer(live)).status_code == 200
    engine = make_engine(db_url)
    with transaction(engine) as session:
        set_disabled(session, actor=Actor.everywhere("setup"), username="inv_lyo", disabled=True)
    engine.dispose()
    assert client.get("/api/patients", headers=_bearer(live)).status_code == 401


@pytest.mark.slow
def test_the_page_shows_a_token_once_and_revokes_it(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    assert 'href="/account/tokens"' in client.get("/account/tokens").text
    made = client.post(
        "/account/tokens",
        data={"csrf_token": csrf, "label": "weekly cohort", "scope": "read", "days": "7"},
    )
    assert made.status_code == 200
    found = SECRET.search(made.text)
    assert found is not None
    secret = found.group(1)
    listed = client.get("/account/tokens").text
    assert secret not in listed
    assert "weekly cohort" in listed
    token_id = re.search(r'id="token-(\d+)"', listed)
    assert token_id is not None
    fresh = make_client()
    assert fresh.get("/api/patients/P1", headers=_bearer(secret)).status_code == 200
    assert "never" not in client.get("/account/tokens").text.split("weekly cohort")[1][:400]
    refused = client.post(f"/account/tokens/{token_id.group(1)}/revoke", data={})
    assert refused.status_code == 403  # no CSRF token
    revoked = client.post(f"/account/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 200
    assert "revoked" in revoked.text
    assert fresh.get("/api/patients/P1", headers=_bearer(secret)).status_code == 401


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"label": "x", "scope": "write", "days": "7"}, "the monitor role is read-only"),
        ({"label": "x", "scope": "read", "days": "91"}, "1 to 90 days"),
        ({"label": "x", "scope": "read", "days": "7", "centre": "LYO"}, "centre: is not one"),
    ],
)
def test_the_page_refuses_bad_tokens_naming_why(
    make_client: Client, data: dict[str, str], named: str
) -> None:
    client = make_client()
    csrf = sign_in(client, "monitor_bcn")
    page = client.post("/account/tokens", data={"csrf_token": csrf, **data})
    assert page.status_code == 422
    assert named in page.text
    assert SECRET.search(page.text) is None
    assert 'id="token-' not in client.get("/account/tokens").text
