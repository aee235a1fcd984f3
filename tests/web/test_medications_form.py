"""Recording a concomitant medication from the patient page (cohort tables v2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

Client = Callable[[], TestClient]


@pytest.mark.slow  # over a second in --durations
def test_record_a_medication_list_it_edit_it_and_audit_it(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    page = client.get("/patients/P1")
    assert 'href="/patients/P1/records/concomitant_medications/new"' in page.text
    form = client.get("/patients/P1/records/concomitant_medications/new")
    assert form.status_code == 200
    # The drug is a choice of the vocabulary; the unit a choice with mg/day first.
    assert '<option value="aspirin"' in form.text
    assert '<option value="hydroxychloroquine"' in form.text
    assert '<option value="mg/day"' in form.text
    saved = client.post(
        "/patients/P1/records/concomitant_medications/new",
        data={
            "csrf_token": csrf,
            "drug": "aspirin",
            "start_date": "2024-01-01",
            "dose": "100",
            "dose_unit": "mg/day",
            "indication": "thromboprophylaxis",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    stored = client.get("/api/patients/P1/records/concomitant_medications").json()
    assert [(r["data"]["drug"], r["data"]["dose"]) for r in stored] == [("aspirin", 100.0)]
    record = stored[0]["id"]
    page = client.get("/patients/P1")
    assert 'id="table-concomitant_medications"' in page.text
    assert "drug: aspirin" in page.text
    assert f'href="/patients/P1/records/concomitant_medications/{record}/edit"' in page.text
    edit = client.get(f"/patients/P1/records/concomitant_medications/{record}/edit")
    assert edit.status_code == 200
    assert 'value="100' in edit.text
    history = client.get(f"/audit/concomitant_medications/{record}")
    assert history.status_code == 200
    assert "aspirin" in history.text


def test_a_rejected_medication_keeps_the_values_and_names_the_field(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    page = client.post(
        "/patients/P1/records/concomitant_medications/new",
        data={
            "csrf_token": csrf,
            "drug": "prednisone",
            "start_date": "2024-03-01",
            "end_date": "2024-02-01",  # before the start
            "dose": "5",
            "dose_unit": "mg/day",
        },
    )
    assert page.status_code == 422
    assert 'href="#field-end_date"' in page.text
    assert '<option value="prednisone" selected>' in page.text
    assert client.get("/api/patients/P1/records/concomitant_medications").json() == []


def test_another_centre_cannot_record_a_medication(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_lyo")
    assert client.get("/patients/P1/records/concomitant_medications/new").status_code == 404
