"""Form status, verification, dashboard and missing data on the web and the JSON API.

Every route of the two status routers is listed in ``ROUTES`` with the action it needs;
each role is walked through each one from :data:`clears.registry.PERMISSIONS`: a role the
table allows gets 2xx/3xx, any other 403.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

from clears.registry import PERMISSIONS, Action, Role
from clears.web.routes import api_status
from clears.web.routes import status as status_routes

Client = Callable[[], TestClient]

#: The BCN user of each role (tests/web/_setup.py), and the network administrator.
USERS = {
    Role.investigator: "inv_bcn",
    Role.data_entry: "entry_bcn",
    Role.monitor: "monitor_bcn",
    Role.administrator: "admin",
}


@dataclass(frozen=True)
class Call:
    """One route: method, path template ({visit} is P1's visit), body, and its action."""

    method: str
    path: str
    route: str
    action: Action
    form: dict[str, Any] | None = None
    json: dict[str, Any] | None = None


_RECORD = "/patients/P1/records/visits/{visit}"
_API = "/api/status/records/visits/{visit}"

ROUTES = (
    Call("GET", "/status", "/status", Action.read),
    Call("GET", "/status/missing", "/status/missing", Action.read),
    Call(
        "GET",
        _RECORD + "/status",
        "/patients/{patient_id}/records/{table}/{record_id}/status",
        Action.read,
    ),
    Call(
        "POST",
        _RECORD + "/status",
        "/patients/{patient_id}/records/{table}/{record_id}/status",
        Action.set_form_status,
        form={"status": "incomplete"},
    ),
    Call(
        "POST",
        _RECORD + "/verify",
        "/patients/{patient_id}/records/{table}/{record_id}/verify",
        Action.verify,
        form={"field": "visit_date"},
    ),
    Call(
        "POST",
        _RECORD + "/withdraw",
        "/patients/{patient_id}/records/{table}/{record_id}/withdraw",
        Action.verify,
        form={"field": "visit_date"},
    ),
    Call("GET", _API, "/api/status/records/{table}/{record_id}", Action.read),
    Call(
        "PUT",
        _API,
        "/api/status/records/{table}/{record_id}",
        Action.set_form_status,
        json={"status": "incomplete"},
    ),
    Call(
        "POST",
        _API + "/verifications",
        "/api/status/records/{table}/{record_id}/verifications",
        Action.verify,
        json={"fields": ["visit_date"]},
    ),
    Call(
        "DELETE",
        _API + "/verifications?field=visit_date",
        "/api/status/records/{table}/{record_id}/verifications",
        Action.verify,
    ),
    Call("GET", "/api/status/grid?centre=BCN", "/api/status/grid", Action.read),
    Call("GET", "/api/status/missing", "/api/status/missing", Action.read),
    Call("GET", "/api/patients/P1/missing", "/api/patients/{patient_id}/missing", Action.read),
)


def _visit(client: TestClient) -> tuple[int, int]:
    [visit] = client.get("/api/patients/P1/records/visits").json()
    return int(visit["id"]), int(visit["version"])


def _send(client: TestClient, csrf: str, call: Call) -> int:
    visit, version = _visit(client)
    path = call.path.format(visit=visit)
    if call.form is not None:
        data = {**call.form, "csrf_token": csrf, "version": str(version)}
        response = client.post(path, data=data, follow_redirects=False)
    elif call.method == "DELETE":
        response = client.delete(path, headers={"X-CSRF-Token": csrf})
    elif call.json is not None:
        body = {**call.json, "version": version}
        response = client.request(call.method, path, json=body, headers={"X-CSRF-Token": csrf})
    else:
        response = client.get(path, follow_redirects=False)
    return response.status_code


def test_the_table_names_every_status_route() -> None:
    declared = {(c.method, c.route) for c in ROUTES}
    routes = [*status_routes.router.routes, *api_status.router.routes]
    present = {(method, r.path) for r in routes if isinstance(r, APIRoute) for method in r.methods}
    assert present == declared


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_is_allowed_or_refused_as_the_table_says(make_client: Client, role: Role) -> None:
    client = make_client()
    csrf = sign_in(client, USERS[role])
    for call in ROUTES:
        status = _send(client, csrf, call)
        if role in PERMISSIONS[call.action]:
            assert 200 <= status < 400, (call, status)
        else:
            assert status == 403, (call, status)


def test_another_centres_record_is_not_found(make_client: Client) -> None:
    bcn = make_client()
    sign_in(bcn, "inv_bcn")
    visit, version = _visit(bcn)
    lyo = make_client()
    csrf = sign_in(lyo, "inv_lyo")
    assert lyo.get(f"/api/status/records/visits/{visit}").status_code == 404
    assert lyo.get(f"/patients/P1/records/visits/{visit}/status").status_code == 404
    put = lyo.put(
        f"/api/status/records/visits/{visit}",
        json={"status": "incomplete", "version": version},
        headers={"X-CSRF-Token": csrf},
    )
    assert put.status_code == 404
    # P2's own path with P1's record id is not found either.
    assert lyo.get(f"/patients/P2/records/visits/{visit}/status").status_code == 404


def _text(page: str, element_id: str) -> str:
    """The text of the ``div`` with ``element_id``, tags dropped."""
    found = re.search(rf'<div[^>]*id="{element_id}"[^>]*>(.*?)</div>', page, flags=re.S)
    assert found, page
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip()


def test_complete_is_refused_naming_the_missing_fields_and_keeping_the_reason_typed(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    visit, version = _visit(client)  # the seeded visit has no CLASI items
    path = f"/patients/P1/records/visits/{visit}/status"
    refused = client.post(
        path, data={"csrf_token": csrf, "version": version, "status": "complete", "reason": ""}
    )
    assert refused.status_code == 422
    alert = _text(refused.text, "problems")
    assert "cannot be complete: required fields missing" in alert
    assert "clasi_scalp_ery" in alert
    assert "sledai_seizure" in alert
    typed = client.post(
        path,
        data={"csrf_token": csrf, "version": version, "status": "bogus", "reason": "not done"},
    )
    assert typed.status_code == 422
    assert 'value="not done"' in typed.text
    saved = client.post(
        path,
        data={"csrf_token": csrf, "version": version, "status": "complete", "reason": "not done"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert client.get(f"/api/status/records/visits/{visit}").json()["status"] == "complete"


def test_an_edit_after_verification_is_shown_on_the_patient_page(make_client: Client) -> None:
    monitor = make_client()
    m_csrf = sign_in(monitor, "monitor_bcn")
    visit, version = _visit(monitor)
    marked = monitor.post(
        f"/api/status/records/visits/{visit}/verifications",
        json={"version": version, "fields": ["visit_date", "clasi_a"]},
        headers={"X-CSRF-Token": m_csrf},
    )
    assert marked.status_code == 200, marked.text
    assert {m["field"] for m in marked.json()["marks"]} == {"visit_date", "clasi_a"}
    writer = make_client()
    w_csrf = sign_in(writer, "inv_bcn")
    current = writer.get(f"/api/patients/P1/records/visits/{visit}").json()
    patched = writer.patch(
        f"/api/patients/P1/records/visits/{visit}",
        json={"version": current["version"], "changes": {"clasi_a": 7}, "reason": "recount"},
        headers={"X-CSRF-Token": w_csrf},
    )
    assert patched.status_code == 200, patched.text
    # the answer to the change says which verification it cleared, and only that one
    (said,) = patched.json()["cleared_verifications"]
    assert said.startswith("the verification of clasi_a by monitor_bcn on")
    again = writer.patch(
        f"/api/patients/P1/records/visits/{visit}",
        json={"version": current["version"] + 1, "changes": {"clasi_a": 8}, "reason": "again"},
        headers={"X-CSRF-Token": w_csrf},
    )
    assert again.json()["cleared_verifications"] == []  # nothing verified was left to clear
    status = writer.get(f"/api/status/records/visits/{visit}").json()
    active = [m["field"] for m in status["marks"] if m["cleared_at"] is None]
    cleared = [m for m in status["marks"] if m["cleared_at"] is not None]
    assert active == ["visit_date"]
    assert [(m["field"], m["cleared_by"]) for m in cleared] == [("clasi_a", "inv_bcn")]
    page = writer.get("/patients/P1").text
    notice = _text(page, "cleared-verifications")
    assert "the verification of clasi_a by monitor_bcn on" in notice
    assert "by inv_bcn" in notice


def test_the_dashboard_and_missing_page_show_the_centres_forms(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    visit, version = _visit(client)
    client.put(
        f"/api/status/records/visits/{visit}",
        json={"status": "incomplete", "version": version},
        headers={"X-CSRF-Token": csrf},
    )
    page = client.get("/status").text
    assert "Record status · BCN" in page
    assert f'href="/patients/P1/records/visits/{visit}/status"' in page
    assert "cell status status-incomplete" in page
    assert "P2" not in page  # LYO's patient
    counts = re.search(r'id="status-counts">(.*?)</p>', page, flags=re.S)
    assert counts is not None
    assert "incomplete 1" in re.sub(r"<[^>]+>|\s+", " ", counts.group(1))
    missing = client.get("/status/missing").text
    # The seeded flare has no source, the adverse event no seriousness (tests/web/_setup.py).
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td>", missing)
    assert ("flares", "source", "1", "1") in rows
    assert ("adverse events", "serious", "1", "1") in rows
    assert client.get("/status?centre=LYO").status_code == 422


def test_a_baseline_change_says_which_verification_it_cleared(make_client: Client) -> None:
    monitor = make_client()
    m_csrf = sign_in(monitor, "monitor_bcn")
    patient = monitor.get("/api/patients/P1").json()
    marked = monitor.post(
        f"/api/status/records/patients/{patient['id']}/verifications",
        json={"version": patient["version"], "fields": ["birth_year"]},
        headers={"X-CSRF-Token": m_csrf},
    )
    assert marked.status_code == 200, marked.text
    writer = make_client()
    w_csrf = sign_in(writer, "inv_bcn")
    changed = writer.patch(
        "/api/patients/P1",
        json={"version": patient["version"], "changes": {"birth_year": 1971}, "reason": "ID card"},
        headers={"X-CSRF-Token": w_csrf},
    )
    assert changed.status_code == 200, changed.text
    (said,) = changed.json()["cleared_verifications"]
    assert said.startswith("the verification of birth_year by monitor_bcn on")
