"""JSON API: live CLASI scoring, enrolment and records, advice, response, audit, outcomes."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.web._setup import api_job, sign_in

Client = Callable[[], TestClient]


def test_live_clasi_partial_totals(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    # Albrecht 2005 scoring: activity = scalp erythema 2 + scale 1 + ears erythema 1 +
    # alopecia 3 = 7 (mild, Klein 2011: 0-9); damage = dyspigmentation 1 x 2 (lasts >= 12
    # months) + scalp scarring 3 = 5.
    payload = {
        "areas": {
            "scalp": {"erythema": 2, "scale": 1},
            "ears": {"erythema": 1, "dyspigmentation": 1},
        },
        "alopecia": 3,
        "scalp_scarring": 3,
        "dyspigmentation_lasts_12_months": True,
    }
    result = client.post("/api/score/clasi", json=payload, headers={"X-CSRF-Token": csrf})
    assert result.status_code == 200
    body = result.json()
    assert (body["activity"], body["damage"], body["severity"], body["partial"]) == (
        7,
        5,
        "mild",
        True,
    )
    assert body["reference"]["doi"]


def test_live_clasi_severity_edge(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    # Klein 2011 bands: 9 mild, 10 moderate. Erythema 3 + scale 2 = 5 per area; two areas
    # give 10, and scale 1 on the second gives 9.
    nine = {"areas": {"scalp": {"erythema": 3, "scale": 2}, "ears": {"erythema": 3, "scale": 1}}}
    ten = {"areas": {"scalp": {"erythema": 3, "scale": 2}, "ears": {"erythema": 3, "scale": 2}}}
    headers = {"X-CSRF-Token": csrf}
    assert client.post("/api/score/clasi", json=nine, headers=headers).json()["severity"] == (
        "mild"
    )
    assert client.post("/api/score/clasi", json=ten, headers=headers).json()["severity"] == (
        "moderate"
    )


def test_live_clasi_rejects_out_of_range_with_field(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    bad = {"areas": {"scalp": {"scarring": 1}}}
    result = client.post("/api/score/clasi", json=bad, headers={"X-CSRF-Token": csrf})
    assert result.status_code == 422
    assert result.json()["problems"][0]["field"] == "areas.scalp.scarring"


@pytest.mark.slow
def test_enrol_add_records_and_read_back(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    headers = {"X-CSRF-Token": csrf}
    created = client.post(
        "/api/patients",
        headers=headers,
        json={"patient_id": "P20", "centre": "BCN", "values": {"sex": "male", "sle": True}},
    )
    assert created.status_code == 201
    assert created.json()["data"] == {"sex": "male", "sle": True}
    duplicate = client.post(
        "/api/patients", headers=headers, json={"patient_id": "P20", "centre": "BCN"}
    )
    assert duplicate.status_code == 409
    other_centre = client.post(
        "/api/patients", headers=headers, json={"patient_id": "P21", "centre": "LYO"}
    )
    assert other_centre.status_code == 422
    assert other_centre.json()["problems"][0]["field"] == "centre"
    dose = client.post(
        "/api/patients/P20/records/treatments",
        headers=headers,
        json={"values": {"drug": "lenalidomide", "start_date": "2024-03-01", "dose_mg_per_day": 5}},
    )
    assert dose.status_code == 201
    listed = client.get("/api/patients/P20/records/treatments").json()
    assert [r["data"]["dose_mg_per_day"] for r in listed] == [5.0]
    listed = client.get("/api/patients", params={"q": "P20"}).json()["patients"]
    assert [row["patient_id"] for row in listed] == ["P20"]


def test_invalid_record_lists_every_problem(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    bad = client.post(
        "/api/patients/P1/records/adverse_events",
        headers={"X-CSRF-Token": csrf},
        json={"values": {"onset_date": "2024-13-01", "term": "rash", "grade": 9, "colour": "red"}},
    )
    assert bad.status_code == 422
    fields = sorted(p["field"] for p in bad.json()["problems"])
    assert fields == ["colour", "grade", "onset_date"]


@pytest.mark.slow
def test_advice_response_audit_and_outcomes(make_client: Client, db_url: str) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    advice = client.get("/api/patients/P1/advice?as_of=2024-02-01").json()
    assert advice["protocol"].startswith("cortes2012")
    assert advice["ctcae_version"] == "CTCAE v5.0"
    assert all(item["reference"] for item in advice["monitoring"])
    response = client.get("/api/patients/P1/response?criteria=klein2011").json()
    assert response["criteria"].startswith("klein2011")
    entries = client.get("/api/patients/P1/audit").json()
    assert [e["entity"] for e in entries] == [
        "patients",
        "treatments",
        "visits",
        "adverse_events",
        "flares",
    ]
    table = api_job(client, db_url, "outcomes", criteria="cortes2012")
    assert table.status_code == 200
    rows = pd.read_csv(io.BytesIO(table.content))
    assert rows["patient_id"].tolist() == ["P1"]
    assert set(rows["criteria"]) == {"cortes2012"}
    assert client.get("/api/cohort/outcomes?criteria=nonsense").status_code == 422
    gone = client.get("/api/cohort/outcomes?criteria=cortes2012")
    assert gone.status_code == 410
    assert gone.json()["submit"]["json"] == {
        "kind": "outcomes",
        "parameters": {"criteria": "cortes2012"},
    }


def test_monitor_reads_but_cannot_write_via_api(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "monitor_bcn")
    assert client.get("/api/patients/P1").status_code == 200
    refused = client.post(
        "/api/patients", headers={"X-CSRF-Token": csrf}, json={"patient_id": "P30", "centre": "BCN"}
    )
    assert refused.status_code == 403


@pytest.mark.slow
def test_openapi_schema_lists_the_api() -> None:
    from tests.web._setup import settings

    from clears.web.app import create_app

    schema = create_app(settings("sqlite://")).openapi()
    assert "/api/patients/{patient_id}/records/{table}" in schema["paths"]
    assert "PatientCreate" in schema["components"]["schemas"]
