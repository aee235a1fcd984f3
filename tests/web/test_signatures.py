"""Signing and unlocking on the pages and the API (21 CFR Part 11 §11.50, §11.200).

Who may call each new route is walked from the declared table
(:data:`clears.registry.PERMISSIONS`): every role allowed gets 2xx/3xx, every other 403.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.web._setup import PASSWORD, sign_in

from clears.registry import PERMISSIONS, Action, Role

Client = Callable[[], TestClient]

#: The test user of each role (tests/web/_setup.py): all see BCN's patient P1.
USERS = {
    Role.administrator: "admin",
    Role.investigator: "inv_bcn",
    Role.data_entry: "entry_bcn",
    Role.monitor: "monitor_bcn",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {visit}: P1's visit
    action: Action
    api: bool
    body: dict[str, Any]


def _routes() -> list[Route]:
    sign = {"meaning": "approval", "password": PASSWORD}
    unlock = {"reason": "value corrected"}
    return [
        Route("GET", "/patients/P1/signatures", Action.read, False, {}),
        Route("GET", "/patients/P1/visits/{visit}/signatures", Action.read, False, {}),
        Route("POST", "/patients/P1/sign", Action.sign, False, sign),
        Route("POST", "/patients/P1/visits/{visit}/sign", Action.sign, False, sign),
        Route("POST", "/patients/P1/unlock", Action.unlock, False, unlock),
        Route("POST", "/patients/P1/visits/{visit}/unlock", Action.unlock, False, unlock),
        Route("GET", "/api/patients/P1/signatures", Action.read, True, {}),
        Route("POST", "/api/patients/P1/sign", Action.sign, True, sign),
        Route("POST", "/api/patients/P1/visits/{visit}/sign", Action.sign, True, sign),
        Route("POST", "/api/patients/P1/unlock", Action.unlock, True, unlock),
        Route("POST", "/api/patients/P1/visits/{visit}/unlock", Action.unlock, True, unlock),
    ]


class Users:
    """One signed-in client per role, and P1's visit."""

    def __init__(self, make_client: Client) -> None:
        self.clients: dict[Role, tuple[TestClient, str]] = {}
        for role, name in USERS.items():
            client = make_client()
            self.clients[role] = (client, sign_in(client, name))
        visits = self.api(Role.investigator, "GET", "/api/patients/P1/records/visits").json()
        self.visit = int(visits[0]["id"])

    def api(self, role: Role, method: str, path: str, body: Any = None) -> Response:
        client, csrf = self.clients[role]
        return client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})

    def form(self, role: Role, path: str, data: dict[str, Any]) -> Response:
        client, csrf = self.clients[role]
        return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)

    def page(self, role: Role, path: str) -> str:
        return self.clients[role][0].get(path).text

    def version(self, route: Route) -> int:
        """The version of the record the route signs, as read now."""
        if "{visit}" in route.path:
            found = self.api(Role.investigator, "GET", "/api/patients/P1/records/visits")
            return int(next(v for v in found.json() if v["id"] == self.visit)["version"])
        return int(self.api(Role.investigator, "GET", "/api/patients/P1").json()["version"])

    def signed(self, route: Route) -> bool:
        """Whether the route's record has an active signature."""
        entity = "visits" if "{visit}" in route.path else "patients"
        found = self.api(Role.investigator, "GET", "/api/patients/P1/signatures").json()
        return any(s["entity"] == entity and s["active"] for s in found)

    def lock(self, route: Route) -> None:
        """Sign the route's record as the investigator (so there is something to unlock)."""
        path = "/api/patients/P1/sign"
        if "{visit}" in route.path:
            path = f"/api/patients/P1/visits/{self.visit}/sign"
        body = {"meaning": "review", "password": PASSWORD, "version": self.version(route)}
        assert self.api(Role.investigator, "POST", path, body).status_code == 201


@pytest.mark.parametrize("route", _routes(), ids=lambda r: f"{r.method} {r.path}")
def test_each_route_lets_through_exactly_the_roles_of_the_table(
    make_client: Client, route: Route
) -> None:
    users = Users(make_client)
    path = route.path.format(visit=users.visit)
    allowed = PERMISSIONS[route.action]
    for role in sorted(Role, key=lambda r: r in allowed):  # the refused roles first
        if route.action is Action.unlock and not users.signed(route):
            users.lock(route)
        body = dict(route.body)
        if route.action is Action.sign:
            body["version"] = users.version(route)
        if route.method == "GET":
            answer = users.clients[role][0].get(path, follow_redirects=False)
        elif route.api:
            answer = users.api(role, route.method, path, body)
        else:
            answer = users.form(role, path, body)
        if role in allowed:
            assert 200 <= answer.status_code < 400, (role, answer.text)
        else:
            assert answer.status_code == 403, (role, answer.text)


def _alert(page: str) -> str:
    blocks = re.findall(r'<div class="error" role="alert".*?</div>', page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>|\s+", " ", b)).strip() for b in blocks)


def test_a_signed_visit_shows_the_manifestation_and_refuses_edits_until_unlocked(
    make_client: Client,
) -> None:
    users = Users(make_client)
    visit = users.visit
    version = users.version(_routes()[3])
    signed = users.form(
        Role.investigator,
        f"/patients/P1/visits/{visit}/sign",
        {"meaning": "approval", "password": PASSWORD, "version": version},
    )
    assert signed.status_code == 303
    shown = re.compile(
        r"Signed by inv_bcn \(investigator\) on \d{4}-\d\d-\d\d \d\d:\d\d UTC — approval"
    )
    view = users.page(Role.investigator, f"/patients/P1/visits/{visit}/signatures")
    assert shown.search(html.unescape(view))
    assert 'id="edit-visit"' not in view
    patient = users.page(Role.investigator, "/patients/P1")
    assert f"/records/visits/{visit}/edit" not in patient  # no edit link, "locked" instead
    assert shown.search(html.unescape(patient))
    # an edit is refused with who signed and when; nothing changed
    edit = users.api(
        Role.investigator,
        "PATCH",
        f"/api/patients/P1/records/visits/{visit}",
        {"version": version + 1, "changes": {"anc": 2.0}, "reason": "typo"},
    )
    assert edit.status_code == 422
    message = edit.json()["problems"][0]["message"]
    assert message.startswith(f"visit {visit} was signed by inv_bcn on ")
    assert message.endswith("(approval); an administrator must unlock it, giving a reason")
    # the administrator sees Unlock; a blank reason is refused, a reason unlocks
    admin_view = users.page(Role.administrator, f"/patients/P1/visits/{visit}/signatures")
    assert 'class="unlock-form' in admin_view
    assert 'class="unlock-form' not in view
    blank = users.form(Role.administrator, f"/patients/P1/visits/{visit}/unlock", {"reason": " "})
    assert blank.status_code == 422
    assert "is required to unlock a signed or locked record" in _alert(blank.text)
    done = users.form(
        Role.administrator, f"/patients/P1/visits/{visit}/unlock", {"reason": "anc corrected"}
    )
    assert done.status_code == 303
    patient = users.page(Role.investigator, "/patients/P1")
    assert f"/records/visits/{visit}/edit" in patient
    history = users.api(Role.investigator, "GET", "/api/patients/P1/signatures").json()
    assert [(s["active"], s["withdrawn_by"], s["withdrawal_reason"]) for s in history] == [
        (False, "admin", "anc corrected")
    ]


def test_a_wrong_password_keeps_the_meaning_never_echoes_and_is_limited(
    make_client: Client,
) -> None:
    users = Users(make_client)
    path = f"/patients/P1/visits/{users.visit}/sign"
    typed = "not my password at all"
    version = users.version(_routes()[3])
    for _ in range(5):  # the sign-in limit of the test settings (CLEARS_LOGIN_ATTEMPTS)
        refused = users.form(
            Role.investigator, path, {"meaning": "review", "password": typed, "version": version}
        )
        assert refused.status_code == 422
        assert "is not your password; nothing was signed" in _alert(refused.text)
        assert typed not in refused.text
        assert re.search(r'value="review" required checked', refused.text)
    assert users.api(Role.investigator, "GET", "/api/patients/P1/signatures").json() == []
    blocked = users.form(
        Role.investigator, path, {"meaning": "review", "password": PASSWORD, "version": version}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "too many failed sign-ins or signatures" in blocked.text
    api = users.api(
        Role.investigator,
        "POST",
        "/api/patients/P1/sign",
        {"meaning": "review", "password": PASSWORD, "version": 1},
    )
    assert api.status_code == 429
    # counted as failed sign-ins: signing in from the same address is refused too
    fresh = make_client()
    from tests.web._setup import login_token

    login = fresh.post(
        "/login",
        data={"username": "inv_bcn", "password": PASSWORD, "login_token": login_token(fresh)},
        follow_redirects=False,
    )
    assert login.status_code == 429


def test_the_api_signs_refuses_a_wrong_password_and_lists(make_client: Client) -> None:
    users = Users(make_client)
    wrong = users.api(
        Role.investigator,
        "POST",
        "/api/patients/P1/sign",
        {"meaning": "approval", "password": "wrong password here", "version": 1},
    )
    assert wrong.status_code == 422
    assert [p["field"] for p in wrong.json()["problems"]] == ["password"]
    assert "wrong password here" not in wrong.text
    meaning = users.api(
        Role.investigator,
        "POST",
        "/api/patients/P1/sign",
        {"meaning": "liking", "password": PASSWORD, "version": 1},
    )
    assert meaning.status_code == 422
    assert meaning.json()["problems"][0]["allowed"] == "authorship, review, approval"
    made = users.api(
        Role.investigator,
        "POST",
        "/api/patients/P1/sign",
        {"meaning": "authorship", "password": PASSWORD, "version": 1},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["entity"], body["signer"], body["meaning"], body["active"]) == (
        "patients",
        "inv_bcn",
        "authorship",
        True,
    )
    assert body["manifestation"].startswith("Signed by inv_bcn (investigator) on ")
    assert (
        users.api(Role.monitor, "GET", "/api/patients/P1/signatures").json()[0]["id"] == body["id"]
    )
    # the patient's whole record is locked: adding a flare is refused
    flare = users.api(
        Role.investigator,
        "POST",
        "/api/patients/P1/records/flares",
        {"values": {"flare_date": "2024-05-01", "severity": "mild"}},
    )
    assert flare.status_code == 422
    assert (
        "the record of patient P1 was signed by inv_bcn" in flare.json()["problems"][0]["message"]
    )


def test_another_centre_is_not_found(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_lyo")
    body = {"meaning": "approval", "password": PASSWORD, "version": 1}
    headers = {"X-CSRF-Token": csrf}
    assert client.post("/api/patients/P1/sign", json=body, headers=headers).status_code == 404
    assert client.get("/patients/P1/signatures").status_code == 404
    assert client.get("/api/patients/P1/signatures").status_code == 404


def test_an_edit_form_saved_after_the_signature_is_refused_with_what_was_typed(
    make_client: Client,
) -> None:
    users = Users(make_client)
    visit = users.visit
    client, csrf = users.clients[Role.investigator]
    url = f"/patients/P1/records/visits/{visit}/edit"
    opened = client.get(url)  # the form is opened before the signature
    assert opened.status_code == 200
    users.lock(_routes()[3])
    typed = {"visit_date": "2024-01-01", "anc": "2.4", "version": "1", "reason": "recount"}
    saved = client.post(url, data={**typed, "csrf_token": csrf}, follow_redirects=False)
    assert saved.status_code == 422
    alert = _alert(saved.text)
    assert f"visit {visit} was signed by inv_bcn on " in alert
    assert "an administrator must unlock it, giving a reason" in alert
    assert re.search(r'name="anc"[^>]*value="2.4"', saved.text)  # what was typed is kept
    stored = users.api(Role.investigator, "GET", f"/api/patients/P1/records/visits/{visit}")
    assert stored.json()["data"]["anc"] == 1.8  # the seeded value, unchanged
