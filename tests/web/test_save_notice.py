"""A saved record form lands on the patient's page saying what was saved and what the
data-quality rules now find (issue "Data management": the same rules warn at save time).

The bundled rule ``neutropenia-grade3-without-ae`` (docs/quality.md) warns about a
neutrophil count below 1.0 x 10^9/L with no neutropenia adverse event within 30 days; the
seed's P1 has no such event, so a visit with ANC 0.8 brings one warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from tests.web._setup import sign_in

Client = Callable[[], TestClient]


def _notice(page: str) -> str:
    found = re.search(
        r'<div class="notice" role="status" id="saved-notice">(.*?)</div>', page, re.S
    )
    assert found, "no saved notice"
    return re.sub(r"<[^>]+>", "", found.group(1))


def _warnings(page: str) -> int:
    section = page[page.index('id="quality"') :]
    section = section[: section.index("</section>")]
    return section.count('<tr class="quality-')


def test_a_save_that_brings_a_warning_says_so_and_links_to_it(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    saved = client.post(
        "/patients/P1/visits/new",
        data={"csrf_token": csrf, "visit_date": "2024-05-02", "anc": "0.8"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    assert saved.headers["location"] == "/patients/P1?saved=visits"
    page = client.get(saved.headers["location"]).text
    count = _warnings(page)
    assert count >= 1
    assert "neutropenia-grade3-without-ae" in page
    words = "warning" if count == 1 else "warnings"
    assert _notice(page).startswith("Saved the visit.")
    assert f"find {count} {words} in this patient's records" in _notice(page)
    assert 'href="#quality"' in page[page.index('id="saved-notice"') :]


def test_the_page_says_nothing_unless_a_save_landed_on_it(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    assert 'id="saved-notice"' not in client.get("/patients/P1").text
    # an unknown table in the address is ignored, not echoed
    page = client.get("/patients/P1?saved=<script>").text
    assert 'id="saved-notice"' not in page
    assert "<script>" not in page.split('id="baseline"')[0].split("</h1>")[1]
