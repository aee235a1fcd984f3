"""Over-long text through the web API is a 422 naming field, length and limit, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from tests.web._setup import sign_in

from clears.cohort._schema import schema_of

Client = Callable[[], TestClient]
TERM = schema_of("adverse_events")["term"].max_length
REGIMEN = schema_of("treatments")["regimen"].max_length


def test_an_over_long_record_is_refused_with_the_limit(make_client: Client) -> None:
    client = make_client()
    headers = {"X-CSRF-Token": sign_in(client, "inv_bcn")}
    bad = client.post(
        "/api/patients/P1/records/adverse_events",
        headers=headers,
        json={"values": {"onset_date": "2024-01-02", "term": "t" * (TERM + 100), "grade": 1}},
    )
    assert bad.status_code == 422
    (problem,) = bad.json()["problems"]
    assert problem["field"] == "term"
    assert problem["message"] == (
        f"is {TERM + 100} characters long; at most {TERM} characters are allowed"
    )
    regimen = client.post(
        "/api/patients/P1/records/treatments",
        headers=headers,
        json={
            "values": {
                "drug": "lenalidomide",
                "start_date": "2024-03-01",
                "dose_mg_per_day": 5,
                "regimen": "r" * (REGIMEN + 1),
            }
        },
    )
    assert regimen.status_code == 422
    assert [p["field"] for p in regimen.json()["problems"]] == ["regimen"]


def test_an_over_long_patient_id_or_centre_is_refused(make_client: Client) -> None:
    client = make_client()
    headers = {"X-CSRF-Token": sign_in(client, "inv_bcn")}
    long_id = client.post(
        "/api/patients", headers=headers, json={"patient_id": "P" * 70, "centre": "BCN"}
    )
    assert long_id.status_code == 422
    assert long_id.json()["problems"][0]["field"] == "patient_id"
    long_centre = client.post(
        "/api/patients", headers=headers, json={"patient_id": "P70", "centre": "C" * 80}
    )
    assert long_centre.status_code in (403, 422)  # not one of this investigator's centres
    assert long_centre.status_code != 500
