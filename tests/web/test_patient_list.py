"""The patient list page and ``GET /api/patients`` (H-INT-66, 68, 71..73).

The seeded registry (tests/web/_setup.py) has P1 at BCN and P2 at LYO, each on lenalidomide
10 mg/day since 2024-01-01 with a visit on 2024-01-01, so each has overdue monitoring today.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web._setup import ADMIN, app_for, empty_database, sign_in

from clears.registry._engine import transaction
from clears.registry.patients import create_centre, create_patient
from clears.registry.records import add_record

Client = Callable[[], TestClient]
LINK = re.compile(r'<li><a href="/patients/([^"]*)">([^<]*)</a>')


def _shown(page: str) -> list[str]:
    return [html.unescape(name) for _, name in LINK.findall(page)]


def _href(page: str, link_id: str) -> str | None:
    found = re.search(rf'id="{link_id}" href="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_page_lists_the_users_patients_with_treatment_visit_and_screening(
    make_client: Client,
) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/patients").text
    assert _shown(page) == ["P1"]
    assert "On lenalidomide 10 mg/day" in page
    assert "Last visit 2024-01-01" in page
    assert "Not yet screened" in page  # nobody opened the worklist today
    assert 'id="list-count">Showing 1–1 of 1 patient.' in page
    assert 'name="q"' in page
    assert 'id="filter-alerts"' in page


def test_search_is_a_case_insensitive_id_prefix_and_says_when_nothing_matches(
    make_client: Client,
) -> None:
    client = make_client()
    sign_in(client, "admin")
    assert _shown(client.get("/patients", params={"q": "p"}).text) == ["P1", "P2"]
    assert _shown(client.get("/patients", params={"q": "p2"}).text) == ["P2"]
    empty = client.get("/patients", params={"q": "Q9", "filter": "incomplete"}).text
    assert _shown(empty) == []
    assert "No patient matches an id starting with “Q9” with incomplete forms." in empty


def test_a_count_beyond_the_limit_says_more_than_on_the_page_and_the_api(
    make_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clears.web._patient_list.COUNT_LIMIT", 1)
    client = make_client()
    sign_in(client, "admin")
    assert 'id="list-count">Showing 1–2 of more than 1 patients.' in client.get("/patients").text
    page = client.get("/api/patients").json()
    assert (page["total"], page["total_capped"], len(page["patients"])) == (1, True, 2)
    alone = client.get("/api/patients", params={"q": "p2"}).json()
    assert (alone["total"], alone["total_capped"]) == (1, False)


def test_next_and_previous_links_keep_the_query_and_visit_every_patient_once(
    make_client: Client,
) -> None:
    client = make_client()
    sign_in(client, "admin")
    url: str | None = "/patients?q=p&sort=centre&limit=1&filter=on_treatment"
    seen, pages = [], []
    while url is not None:
        page = client.get(url)
        assert page.status_code == 200
        seen += _shown(page.text)
        pages.append(url)
        url = _href(page.text, "next")
        if url is not None:
            for kept in ("q=p", "sort=centre", "limit=1", "filter=on_treatment"):
                assert kept in url
    assert seen == ["P1", "P2"]  # BCN before LYO
    last = client.get(pages[-1]).text
    assert 'id="list-count">Showing 2–2 of' not in last  # a filter: no total promised
    assert 'id="list-count">Showing 2–2' in last
    back = _href(last, "previous")
    assert back is not None
    assert _shown(client.get(back).text) == ["P1"]


@pytest.mark.slow
def test_a_screening_filter_counts_the_patients_not_yet_screened(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    before = client.get("/patients", params={"filter": "overdue"}).text
    assert _shown(before) == []
    assert "1 patient matching the other choices has no safety screening for today" in before
    unscreened = _href(before, "show-unscreened")
    assert unscreened is not None
    assert _shown(client.get(unscreened).text) == ["P1"]
    assert client.get("/worklist").status_code == 200  # screens P1 and stores the counts
    after = client.get("/patients", params={"filter": "overdue"}).text
    assert _shown(after) == ["P1"]
    assert 'id="unscreened-note"' not in after
    assert re.search(r'class="badge level-overdue">\d+ overdue', after)


def test_bad_parameters_are_422_naming_the_parameter_on_the_page_and_the_api(
    make_client: Client,
) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/patients", params={"sort": "name", "limit": "ten"})
    assert page.status_code == 422
    assert "limit: is not a whole number (got “ten”); allowed: 1 to 200 rows per page" in page.text
    assert "sort: is not a sort (got “name”); allowed: id, last_visit, centre" in page.text
    api = client.get("/api/patients", params={"filter": "alerts,bogus", "cursor": "xyz"})
    assert api.status_code == 422
    problems = {p["field"]: p for p in api.json()["problems"]}
    assert set(problems) == {"filter", "cursor"}
    assert "on_treatment, alerts, overdue, incomplete, unscreened" in problems["filter"]["allowed"]


@pytest.mark.slow
def test_a_bcn_user_never_sees_lyo_on_the_page_or_in_the_api(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    for params in ({}, {"q": "P2"}, {"sort": "centre"}, {"filter": "on_treatment"}):
        assert "P2" not in _shown(client.get("/patients", params=params).text)
        rows = client.get("/api/patients", params=params).json()["patients"]
        assert {r["centre"] for r in rows} <= {"BCN"}
    assert client.get("/patients", params={"centre": "LYO"}).status_code == 422
    refused = client.get("/api/patients", params={"centre": "LYO"})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["allowed"] == "BCN"


def test_the_api_pages_with_cursors(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "admin")
    first = client.get("/api/patients", params={"limit": 1, "sort": "last_visit"}).json()
    assert [r["patient_id"] for r in first["patients"]] == ["P1"]
    assert (first["first"], first["total"], first["previous_cursor"]) == (1, 2, None)
    assert first["patients"][0] | {"screened": None} == {
        "patient_id": "P1",
        "centre": "BCN",
        "on_treatment": True,
        "drug": "lenalidomide",
        "dose_mg_per_day": 10.0,
        "last_visit": "2024-01-01",
        "incomplete_forms": 0,
        "screened": None,
        "alerts": None,
        "overdue": None,
    }
    params = {"limit": 1, "sort": "last_visit", "cursor": first["next_cursor"]}
    second = client.get("/api/patients", params=params).json()
    assert [r["patient_id"] for r in second["patients"]] == ["P2"]
    assert (second["first"], second["next_cursor"]) == (2, None)


@contextmanager
def _counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _registry(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    engine = empty_database(url)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
        for i in range(n):
            pid = f"P{i:03d}"
            create_patient(session, actor=ADMIN, patient_id=pid, centre="BCN")
            add_record(
                session,
                actor=ADMIN,
                table="visits",
                patient_id=pid,
                values={"visit_date": "2024-01-01", "clasi_scalp_ery": 1},
            )
    engine.dispose()
    return url


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("path", ["/patients", "/api/patients"])
def test_the_list_issues_the_same_queries_for_20_and_200_patients(
    tmp_path: Path, password_hash: str, path: str
) -> None:
    counts = []
    for n in (20, 200):
        app = app_for(_registry(tmp_path / f"r{n}.db", n), password_hash)
        with TestClient(app, base_url="https://testserver") as client:
            sign_in(client, "inv_bcn")
            client.get(path)  # warm: the pool's first connection runs its set-up pragmas
            with _counting(app.state.clears.registry.engine) as statements:
                for params in ({}, {"filter": "incomplete", "sort": "last_visit"}):
                    assert client.get(path, params=params).status_code == 200
            counts.append(len(statements))
        app.state.clears.registry.engine.dispose()
    assert counts[0] == counts[1]
