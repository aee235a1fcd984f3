"""The patient page shows the data-quality rules' warnings of the patient's records, so a
save that breaks a rule is told at once (docs/quality.md); a site's rules file
(CLEARS_QUALITY_RULES) is applied with the bundled rules, and a bad one stops the app."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import settings, sign_in

from clears._exceptions import InputError
from clears.web.app import app_state

Client = Callable[[], TestClient]


def _warnings(page: str) -> str:
    found = re.search(r'<section class="card" id="quality">(.*?)</section>', page, re.S)
    assert found, page
    return found[1]


def test_a_visit_saved_with_a_grade_3_count_is_warned_until_the_event_is_recorded(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    assert "ANC" not in _warnings(client.get("/patients/P1").text)
    landed = client.post(
        "/patients/P1/visits/new",
        data={"csrf_token": csrf, "visit_date": "2024-02-05", "anc": "0.8"},
    )
    assert landed.status_code == 200
    assert str(landed.url).endswith("/patients/P1?saved=visits")
    shown = _warnings(landed.text)
    # CTCAE v5.0: ANC < 1.0 x10^9/L is grade 3; no neutropenia event within 30 days.
    assert "ANC 0.8 x10^9/L on 2024-02-05 (CTCAE v5.0 grade 3 or 4)" in shown
    assert "visits of 2024-02-05" in shown
    assert "neutropenia-grade3-without-ae" in shown
    saved = client.post(
        "/patients/P1/records/adverse_events/new",
        data={
            "csrf_token": csrf,
            "onset_date": "2024-02-05",
            "term": "Neutrophil count decreased",
            "grade": "3",
        },
    )
    assert saved.status_code == 200
    assert "neutropenia-grade3-without-ae" not in _warnings(saved.text)


def test_errors_come_first_and_name_the_field_by_its_label(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "monitor_bcn")  # every role reads the warnings
    shown = _warnings(client.get("/patients/P1").text)
    # P1 is a woman without reproductive potential recorded (tests/web/_setup.py): an error
    # of the bundled rule reproductive-potential-recorded.
    rows = re.findall(r'<tr class="quality-(\w+)">', shown)
    assert rows[0] == "error"
    assert rows == sorted(rows, key=lambda severity: severity != "error")
    assert "reproductive-potential-recorded" in shown


def test_a_site_rules_file_is_merged_and_a_bad_one_stops_the_app(
    db_url: str, tmp_path: Path
) -> None:
    site = tmp_path / "site.toml"
    site.write_text('disable = ["neutropenia-grade3-without-ae"]\n', encoding="utf-8")
    ids = {rule.id for rule in app_state(settings(db_url, quality_rules=site)).quality_rules}
    assert "neutropenia-grade3-without-ae" not in ids
    assert "thrombocytopenia-grade3-without-ae" in ids
    default = {rule.id for rule in app_state(settings(db_url)).quality_rules}
    assert default - ids == {"neutropenia-grade3-without-ae"}
    site.write_text('disable = ["no-such-rule"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="no-such-rule"):
        app_state(settings(db_url, quality_rules=site))
