"""Pages: patient list, enrolment with kept values, visit form, patient page, audit, cohort."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

Client = Callable[[], TestClient]


def test_patient_list_shows_only_own_centre(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/patients")
    assert page.status_code == 200
    assert 'href="/patients/P1"' in page.text
    assert "P2" not in page.text


def test_enrol_rejected_keeps_values_and_points_at_field(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    # birth_year 1800 is below the schema minimum 1900 (clears.cohort SCHEMA, patients).
    page = client.post(
        "/patients/new",
        data={
            "csrf_token": csrf,
            "patient_id": "P7",
            "centre": "BCN",
            "birth_year": "1800",
            "smoking": "former",
        },
    )
    assert page.status_code == 422
    assert 'href="#field-birth_year"' in page.text
    assert 'id="field-birth_year" value="1800"' in page.text
    assert '<option value="former" selected>' in page.text
    assert 'value="P7"' in page.text
    assert client.get("/api/patients/P7").status_code == 404


@pytest.mark.slow
def test_enrol_then_record_visit_and_see_it(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    saved = client.post(
        "/patients/new",
        data={"csrf_token": csrf, "patient_id": "P8", "centre": "BCN", "sex": "female"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/patients/P8"
    form = client.get("/patients/P8/visits/new")
    assert form.status_code == 200
    # The body map offers the 13 areas of the definition (Albrecht 2005).
    assert form.text.count('class="area"') == 13
    visit = client.post(
        "/patients/P8/visits/new",
        data={
            "csrf_token": csrf,
            "visit_date": "2024-02-01",
            "clasi_scalp_ery": "2",
            "clasi_scalp_scale": "1",
            "anc": "0.8",
        },
        follow_redirects=False,
    )
    assert visit.status_code == 303, visit.text
    stored = client.get("/api/patients/P8/records/visits").json()
    assert stored[0]["data"]["clasi_scalp_ery"] == 2
    page = client.get("/patients/P8")
    # ANC 0.8 x10^9/L: CTCAE v5.0 neutrophil count decreased grade 3 (<1.0-0.5).
    assert "anc CTCAE grade 3" in page.text


@pytest.mark.slow  # over a second in --durations
def test_rejected_visit_keeps_everything_typed(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    # Scalp erythema has levels 0-3 (Albrecht 2005); 7 is refused.
    page = client.post(
        "/patients/P1/visits/new",
        data={
            "csrf_token": csrf,
            "visit_date": "2024-02-01",
            "clasi_scalp_ery": "7",
            "clasi_ears_ery": "2",
            "platelets": "150",
        },
    )
    assert page.status_code == 422
    assert 'href="#field-clasi_scalp_ery"' in page.text
    assert 'id="field-platelets" value="150"' in page.text
    assert '<option value="2" selected>' in page.text


@pytest.mark.slow
def test_patient_page_has_advice_with_sources_and_response(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/patients/P1?criteria=cortes2012")
    assert page.status_code == 200
    assert 'id="advice"' in page.text
    assert "doi:10.1186/ar4111" in page.text
    assert "Under <strong>cortes2012" in page.text
    assert "CTCAE v5.0" in page.text


def test_audit_page_lists_changes(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/patients/P1/audit")
    assert page.status_code == 200
    # Seeded: the patient, then treatment, visit, adverse event and flare inserts.
    assert page.text.count("<td>insert ") == 5


def test_cohort_page_offers_the_jobs(make_client: Client) -> None:
    # The outcome table and the exports run as jobs (tests/web/test_jobs.py,
    # tests/web/test_exports.py); the page itself reads no patient data.
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/cohort?criteria=klein2011")
    assert page.status_code == 200
    assert "<option selected>klein2011</option>" in page.text
    assert 'action="/cohort/outcomes"' in page.text
    assert 'action="/cohort/export"' in page.text
    assert "centres BCN" in page.text
    assert "P2" not in page.text


@pytest.mark.slow
def test_monitor_cannot_write_or_export(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "monitor_bcn")
    assert client.get("/patients/P1").status_code == 200
    export = client.post("/cohort/export", data={"csrf_token": csrf, "format": "csv"})
    assert export.status_code == 403
    refused = client.post(
        "/patients/new", data={"csrf_token": csrf, "patient_id": "P9", "centre": "BCN"}
    )
    assert refused.status_code == 403
    assert client.get("/api/patients/P9").status_code == 404


def test_the_presets_offered_are_the_bundled_ones_default_first() -> None:
    # Independent source: the criteria package's own list of bundled presets.
    from clears.criteria import BUNDLED
    from clears.web._presets import PRESETS

    assert sorted(PRESETS) == sorted(BUNDLED)
    assert PRESETS[0] == "aitmehdi2021"
