"""Site-defined fields on the record forms and in the JSON API (examples/site_fields)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import settings, sign_in

from clears._exceptions import InputError
from clears.cohort import SiteFields, load_site_fields
from clears.web.app import app_state

Client = Callable[[], TestClient]
EXAMPLE = Path(__file__).parents[2] / "examples" / "site_fields" / "braunstein.toml"
TODAY = dt.date.today().isoformat()  # an edit of a visit of today needs no reason


def _with_fields(client: TestClient, declared: SiteFields) -> None:
    state = client.app.state.clears  # type: ignore[attr-defined]
    client.app.state.clears = dataclasses.replace(state, site_fields=declared)  # type: ignore[attr-defined]


def _client(make_client: Client, user: str = "entry_bcn") -> tuple[TestClient, str]:
    client = make_client()
    _with_fields(client, load_site_fields(EXAMPLE))
    return client, sign_in(client, user)


def test_the_setting_loads_the_file_and_a_bad_file_stops_the_app(
    db_url: str, tmp_path: Path
) -> None:
    state = app_state(settings(db_url, site_fields=EXAMPLE))
    assert [f.name for f in state.site_fields.of("visits", "LYO")] == [
        "ifn_signature_score",
        "sledai_variant",
    ]
    state.registry.engine.dispose()
    bad = tmp_path / "site.toml"
    bad.write_text('[[visits]]\nname = "anc"\nlabel = "x"\ntype = "number"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"visits\[1\]\.name: is a built-in column of visits"):
        app_state(settings(db_url, site_fields=bad))


def test_the_visit_form_shows_the_centre_fields_with_unit_and_range(make_client: Client) -> None:
    client, _ = _client(make_client)
    form = client.get("/patients/P1/visits/new").text
    assert 'name="site_fields.ifn_signature_score"' in form
    assert "Type I interferon signature score" in form
    assert "(score, 0–100)" in form
    assert re.search(r'<option value="selena"\s*>SELENA-SLEDAI</option>', form)
    assert 'name="site_fields.skin_biopsy_count"' in form  # declared for BCN
    lyo, _ = _client(make_client, "inv_lyo")
    assert 'name="site_fields.skin_biopsy_count"' not in lyo.get("/patients/P2/visits/new").text


def test_an_out_of_range_value_is_refused_and_the_form_keeps_what_was_typed(
    make_client: Client,
) -> None:
    client, csrf = _client(make_client)
    page = client.post(
        "/patients/P1/visits/new",
        data={
            "csrf_token": csrf,
            "visit_date": TODAY,
            "anc": "2.1",
            "site_fields.ifn_signature_score": "140",
            "site_fields.sledai_variant": "selena",
        },
    )
    assert page.status_code == 422
    assert 'href="#field-site_fields.ifn_signature_score"' in page.text
    assert "allowed: a number from 0 to 100 score" in page.text
    assert 'value="140"' in page.text
    assert '<option value="selena" selected>' in page.text
    assert 'value="2.1"' in page.text
    visits = client.get("/api/patients/P1/records/visits").json()
    assert [v["data"]["visit_date"] for v in visits] == ["2024-01-01"]


def test_a_saved_value_is_shown_for_edit_and_a_removed_field_is_kept_read_only(
    make_client: Client,
) -> None:
    client, csrf = _client(make_client)
    saved = client.post(
        "/patients/P1/records/adverse_events/new",
        data={
            "csrf_token": csrf,
            "onset_date": TODAY,
            "term": "rash maculo-papular",
            "grade": "1",
            "site_fields.ae_narrative": "resolved with topical steroid",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    [event] = [
        e
        for e in client.get("/api/patients/P1/records/adverse_events").json()
        if e["data"]["onset_date"] == TODAY
    ]
    assert event["site_fields"] == {"ae_narrative": "resolved with topical steroid"}
    page = client.get("/patients/P1").text
    assert '<span class="kv site-field">ae_narrative: resolved with topical steroid</span>' in page
    edit = client.get(f"/patients/P1/records/adverse_events/{event['id']}/edit").text
    assert 'value="resolved with topical steroid"' in edit
    history = client.get(f"/audit/adverse_events/{event['id']}")
    assert history.status_code == 200
    assert "resolved with topical steroid" in history.text
    # The field is taken out of the file: its value stays, shown read-only, and an edit
    # of the record keeps it.
    _with_fields(client, SiteFields())
    edit = client.get(f"/patients/P1/records/adverse_events/{event['id']}/edit").text
    assert 'name="site_fields.ae_narrative"' not in edit
    assert "no longer declared" in edit
    assert 'id="kept-ae_narrative">resolved with topical steroid<' in edit
    changed = client.post(
        f"/patients/P1/records/adverse_events/{event['id']}/edit",
        data={
            "csrf_token": csrf,
            "version": str(event["version"]),
            "onset_date": TODAY,
            "term": "rash maculo-papular",
            "grade": "2",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    again = client.get(f"/api/patients/P1/records/adverse_events/{event['id']}").json()
    assert again["data"]["grade"] == 2
    assert again["site_fields"] == {"ae_narrative": "resolved with topical steroid"}


def test_the_api_round_trips_typed_site_fields_and_refuses_bad_ones(make_client: Client) -> None:
    client, csrf = _client(make_client)
    headers = {"X-CSRF-Token": csrf}
    added = client.post(
        "/api/patients/P1/records/visits",
        json={
            "values": {"visit_date": TODAY},
            "site_fields": {"ifn_signature_score": 35.5, "sledai_variant": "sledai_2k"},
        },
        headers=headers,
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["site_fields"] == {"ifn_signature_score": 35.5, "sledai_variant": "sledai_2k"}
    changed = client.patch(
        f"/api/patients/P1/records/visits/{body['id']}",
        json={
            "version": body["version"],
            "changes": {},
            "site_fields": {"ifn_signature_score": None, "skin_biopsy_count": 2},
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == body["version"] + 1
    assert changed.json()["site_fields"] == {"sledai_variant": "sledai_2k", "skin_biopsy_count": 2}
    refused = client.post(
        "/api/patients/P1/records/visits",
        json={"values": {"visit_date": TODAY}, "site_fields": {"sledai_variant": "bilag"}},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "site_fields.sledai_variant" in refused.text
    assert "sledai_2k, selena" in refused.text
    patient = client.patch(
        "/api/patients/P1",
        json={"version": 1, "changes": {}, "site_fields": {"anti_ro": "yes"}},
        headers=headers,
    )
    assert patient.status_code == 200, patient.text
    assert client.get("/api/patients/P1").json()["site_fields"] == {"anti_ro": True}
    # Another centre's records stay not found, site fields or not.
    other = client.get("/api/patients/P2/records/visits")
    assert other.status_code == 404
