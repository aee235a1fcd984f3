"""Audit view of one record: ``/audit/{entity}/{entity_id}`` (page) and ``/api/audit/...``.

Seed (tests/web/_setup.py): P1 at BCN owns record 1 of every table, P2 at LYO record 2; each
record has one ``insert`` entry. Centre isolation over these routes is in test_isolation.py
(the routes are enumerated there with every entity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import ADMIN, sign_in

from clears.registry._engine import make_engine, transaction
from clears.registry.records import delete_record

Client = Callable[[], TestClient]


@pytest.mark.slow
def test_one_record_shows_only_its_own_entries(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    changed = client.patch(
        "/api/patients/P1/records/flares/1",
        json={"version": 1, "changes": {"severity": "moderate"}, "reason": "re-read notes"},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 200
    entries = client.get("/api/audit/flares/1").json()
    assert [(e["action"], e["entity"], e["entity_id"]) for e in entries] == [
        ("insert", "flares", 1),
        ("update", "flares", 1),
    ]
    assert entries[1]["reason"] == "re-read notes"
    assert entries[0]["id"] < entries[1]["id"]
    # Other records of the same patient are not in it.
    assert [e["entity"] for e in client.get("/api/audit/visits/1").json()] == ["visits"]
    page = client.get("/audit/flares/1")
    assert page.status_code == 200
    assert page.text.count("<td>insert ") == 1
    assert page.text.count("<td>update ") == 1
    assert "re-read notes" in page.text
    assert "Changes to flares 1." in page.text


def test_patient_entity_takes_the_pseudonymous_id(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    entries = client.get("/api/audit/patients/P1").json()
    assert [(e["action"], e["entity"], e["patient_id"]) for e in entries] == [
        ("insert", "patients", "P1")
    ]
    page = client.get("/audit/patients/P1")
    assert page.status_code == 200
    assert page.text.count("<td>insert ") == 1


def test_deleted_record_keeps_its_history(make_client: Client, db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        delete_record(
            session,
            actor=ADMIN,
            table="adverse_events",
            record_id=1,
            version=1,
            reason="entered twice",
            today=dt.date(2024, 2, 1),
        )
    engine.dispose()
    client = make_client()
    sign_in(client, "inv_bcn")
    assert client.get("/api/patients/P1/records/adverse_events/1").status_code == 404
    entries = client.get("/api/audit/adverse_events/1").json()
    assert [e["action"] for e in entries] == ["insert", "delete"]
    assert entries[1]["reason"] == "entered twice"


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(
    "url",
    [
        "/audit/centres/1",  # not a record entity
        "/audit/visits/abc",  # record ids are numbers
        "/audit/visits/%C2%B2",  # a Unicode digit (superscript two) is not a record id
        "/audit/visits/999",  # no such record
        "/audit/visits/99999999999999999999999",  # beyond a 64-bit id
        "/audit/patients/P404",  # no such patient
        "/audit/visits/2",  # LYO's record
        "/audit/patients/P2",  # LYO's patient
        "/api/audit/visits/999",
        "/api/audit/visits/2",
    ],
)
def test_unknown_or_foreign_records_are_not_found(make_client: Client, url: str) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    response = client.get(url)
    assert response.status_code == 404, url
    assert "not found" in response.text
    assert "P2" not in response.text


def test_api_refuses_unknown_entity_with_allowed_values(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    response = client.get("/api/audit/centres/1")
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "path.entity"


@pytest.mark.slow
def test_record_rows_and_patient_audit_link_to_record_audit(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "monitor_bcn")  # read-only users see the audit links too
    page = client.get("/patients/P1").text
    for table in ("treatments", "visits", "adverse_events", "flares"):
        assert f'href="/audit/{table}/1"' in page, table
    assert 'href="/audit/patients/P1"' in page
    history = client.get("/patients/P1/audit").text
    assert 'href="/audit/visits/1"' in history
    assert 'href="/audit/patients/P1"' in history


def test_signed_out_is_sent_to_sign_in(make_client: Client) -> None:
    client = make_client()
    assert client.get("/api/audit/visits/1").status_code == 401
    page = client.get("/audit/visits/1", follow_redirects=False)
    assert page.headers["location"] == "/login"
