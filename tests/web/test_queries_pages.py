"""Data-query pages: the patient page's section offers each role its steps, a refused save
keeps what was typed (422, nothing written), another centre's query is 404, and the centre
list shows ages and pages through the queries."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from tests.web._queries import first_visit, seeded_query
from tests.web._setup import sign_in

Client = Callable[[], TestClient]


def test_the_patient_page_offers_each_role_its_steps(make_client: Client, db_url: str) -> None:
    waiting = seeded_query(db_url, "open", text="first")
    answered = seeded_query(db_url, "answered", text="second")
    seeded_query(db_url, "closed", text="third")
    entry = make_client()
    sign_in(entry, "entry_bcn")
    page = entry.get("/patients/P1").text
    assert 'id="queries"' in page
    assert "third" not in page  # closed: not on the patient page
    assert f'id="query-{waiting.id}-answer"' in page
    assert f'id="query-{waiting.id}-correct"' in page
    assert f'id="query-{answered.id}-close"' not in page
    assert 'id="open-query-form"' not in page
    monitor = make_client()
    sign_in(monitor, "monitor_bcn")
    page = monitor.get("/patients/P1").text
    assert f'id="query-{answered.id}-close"' in page
    assert f'id="query-{answered.id}-reopen"' in page
    assert f'id="query-{waiting.id}-answer"' not in page
    assert 'id="open-query-form"' in page
    assert 'href="/queries" id="nav-queries"' in page


def test_a_refused_open_keeps_what_was_typed(make_client: Client, db_url: str) -> None:
    visit, _ = first_visit(db_url)
    client = make_client()
    csrf = sign_in(client, "monitor_bcn")
    typed = {
        "target": f"visits:{visit}",
        "field": "severity",  # a field of flares, not of visits
        "text": "Is this <the> value?",
        "proposed_value": "moderate",
        "csrf_token": csrf,
    }
    response = client.post("/patients/P1/queries", data=typed, follow_redirects=False)
    assert response.status_code == 422
    body = response.text
    assert "is not a field of visits" in body
    assert "clasi_a" in body  # the allowed values are listed
    assert html.escape("Is this <the> value?", quote=False) in body
    assert 'value="moderate"' in body
    assert f'value="visits:{visit}" selected' in body
    assert client.get("/api/patients/P1/queries").json() == []


def test_a_refused_step_keeps_the_text_and_saves_nothing(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url)
    _, version = first_visit(db_url)
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    form = {
        "version": "1",
        "record_version": str(version),
        "value": "lots",
        "text": "my careful explanation",
        "csrf_token": csrf,
    }
    response = client.post(f"/queries/{query.id}/correction", data=form, follow_redirects=False)
    assert response.status_code == 422
    assert "my careful explanation" in response.text
    assert 'value="lots"' in response.text
    stale = client.post(
        f"/queries/{query.id}/answer",
        data={"version": "7", "text": "late answer", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert stale.status_code == 409
    assert "late answer" in stale.text
    assert client.get(f"/api/queries/{query.id}").json()["status"] == "open"


def test_a_step_lands_back_on_the_patient_page(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url)
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    form = {"version": "1", "text": "checked", "back": "patient", "csrf_token": csrf}
    response = client.post(f"/queries/{query.id}/answer", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/patients/P1#queries"


def test_another_centre_query_page_is_404(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url)
    client = make_client()
    csrf = sign_in(client, "inv_lyo")
    assert client.get(f"/queries/{query.id}").status_code == 404
    form = {"version": "1", "text": "x", "csrf_token": csrf}
    assert client.post(f"/queries/{query.id}/answer", data=form).status_code == 404


def test_the_list_pages_with_ages_and_a_status_filter(make_client: Client, db_url: str) -> None:
    made = [seeded_query(db_url, text=f"question {n}") for n in range(52)]
    seeded_query(db_url, "closed", text="a closed one")
    client = make_client()
    sign_in(client, "monitor_bcn")
    first = client.get("/queries", params={"centre": "BCN", "status": "open"}).text
    rows = re.findall(r'<tr class="query status-open" id="query-(\d+)">', first)
    assert [int(r) for r in rows] == [q.id for q in made[:50]]  # oldest first, 50 a page
    assert "<td>0</td>" in first  # opened today: 0 days old
    found = re.search(r'id="next-page" href="([^"]+)"', first)
    assert found
    second = client.get(html.unescape(found.group(1))).text
    rows = re.findall(r'<tr class="query status-open" id="query-(\d+)">', second)
    assert [int(r) for r in rows] == [q.id for q in made[50:]]
    assert "a closed one" not in second
    assert 'id="next-page"' not in second
    assert "open: <strong>52</strong>" in first
    assert 'href="/patients/P1#queries"' in first


def test_the_patient_audit_page_shows_the_query_steps(make_client: Client, db_url: str) -> None:
    query = seeded_query(db_url, "answered")
    client = make_client()
    sign_in(client, "monitor_bcn")
    page = client.get("/patients/P1/audit")
    assert page.status_code == 200
    assert page.text.count("data_queries") >= 2  # opened, then answered
    assert "data_query_messages" in page.text
    assert f"{query.text}" in html.unescape(page.text)
