"""The data-query JSON API: another centre is 404, a stale version 409, a bad field 422 with
the allowed values, a refused step 422 naming the status, and a correction changes the
record; nothing is written by a refusal."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from tests.web._queries import first_visit, seeded_query
from tests.web._setup import sign_in

from clears.cohort import SCHEMA

Client = Callable[[], TestClient]


def test_another_centre_is_not_found(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url)
    visit, _ = first_visit(db_url)
    client = make_client()
    csrf = sign_in(client, "inv_lyo")
    headers = {"X-CSRF-Token": csrf}
    assert client.get(f"/api/queries/{query.id}").status_code == 404
    assert client.get("/api/queries", params={"centre": "BCN"}).status_code == 404
    assert client.get("/api/patients/P1/queries").status_code == 404
    answer = client.post(
        f"/api/queries/{query.id}/answer", json={"version": 1, "text": "x"}, headers=headers
    )
    assert answer.status_code == 404
    # another centre's patient is 404 whatever the role (an investigator may not open) ...
    body = {"table": "visits", "record_id": visit, "field": "anc", "text": "?"}
    assert client.post("/api/patients/P1/queries", json=body, headers=headers).status_code == 404
    assert client.post("/api/patients/P2/queries", json=body, headers=headers).status_code == 403
    # ... and an administrator of LYO's record on P1 finds no such record of P1
    admin = make_client()
    admin_csrf = sign_in(admin, "admin")
    other, _ = first_visit(db_url, "P2")
    wrong = {**body, "record_id": other}
    opened = admin.post(
        "/api/patients/P1/queries", json=wrong, headers={"X-CSRF-Token": admin_csrf}
    )
    assert opened.status_code == 404
    assert admin.get("/api/patients/P1/queries").json()[0]["id"] == query.id  # only the seed


def test_a_bad_field_is_422_with_the_allowed_values(make_client: Client, db_url: str) -> None:
    visit, _ = first_visit(db_url)
    client = make_client()
    csrf = sign_in(client, "monitor_bcn")
    body = {"table": "flares", "record_id": visit, "field": "anc", "text": "?"}
    response = client.post("/api/patients/P1/queries", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert (problem["field"], problem["value"]) == ("field", "anc")
    # the flares columns of the cohort schema, other than the patient reference
    expected = [c.name for c in SCHEMA["flares"] if c.name != "patient_id"]
    assert problem["allowed"].split(", ") == expected
    assert client.get("/api/patients/P1/queries").json() == []


def test_stale_version_is_409_and_a_refused_step_422(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url)
    entry = make_client()
    headers = {"X-CSRF-Token": sign_in(entry, "entry_bcn")}
    first = entry.post(
        f"/api/queries/{query.id}/answer", json={"version": 1, "text": "ok"}, headers=headers
    )
    assert first.status_code == 200
    assert first.json()["status"] == "answered"
    late = entry.post(
        f"/api/queries/{query.id}/answer", json={"version": 1, "text": "late"}, headers=headers
    )
    assert late.status_code == 409
    assert late.json()["version"] == 2
    again = entry.post(
        f"/api/queries/{query.id}/answer", json={"version": 2, "text": "again"}, headers=headers
    )
    assert again.status_code == 422
    assert "is answered" in again.json()["problems"][0]["message"]
    thread = entry.get(f"/api/queries/{query.id}").json()["messages"]
    assert [m["text"] for m in thread] == ["ANC 1.8?", "ok"]


def test_a_correction_changes_the_record(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url)
    visit, version = first_visit(db_url)
    entry = make_client()
    headers = {"X-CSRF-Token": sign_in(entry, "entry_bcn")}
    body = {"version": 1, "record_version": version, "value": 2.8, "text": "typo"}
    response = entry.post(f"/api/queries/{query.id}/correction", json=body, headers=headers)
    assert response.status_code == 200, response.text
    step = response.json()["messages"][-1]
    assert (step["old_value"], step["new_value"]) == ("1.8", "2.8")
    record = entry.get(f"/api/patients/P1/records/visits/{visit}").json()
    assert record["data"]["anc"] == 2.8
    history = entry.get(f"/api/audit/visits/{visit}")
    assert history.status_code == 200
    assert f"query {query.id}: typo" in history.text  # the record's change names the query


def test_lists_and_counts(make_client: Client, db_url: str) -> None:
    for status in ("open", "answered", "closed", "open"):
        seeded_query(db_url, status)
    client = make_client()
    sign_in(client, "monitor_bcn")
    assert client.get("/api/queries/counts").json() == {
        "BCN": {"open": 2, "answered": 1, "closed": 1}
    }
    page = client.get("/api/queries", params={"centre": "BCN", "limit": 3}).json()
    assert len(page["queries"]) == 3
    assert page["queries"][0]["age_days"] == 0
    rest = client.get(
        "/api/queries", params={"centre": "BCN", "limit": 3, "after": page["next_after"]}
    ).json()
    assert (len(rest["queries"]), rest["next_after"]) == (1, None)
    unresolved = client.get("/api/patients/P1/queries").json()
    assert sorted(q["status"] for q in unresolved) == ["answered", "open", "open"]
