"""Saves racing through the app (threads, one SQLite registry): one row, clear 409s, no 500.

PostgreSQL races of the same services: ``tests/registry/test_records_races.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import app_for, sign_in

pytestmark = pytest.mark.slow  # concurrent saves against a live server

Client = Callable[[], TestClient]
THREADS = 5


def _at_once(work: Callable[[int], int]) -> list[int]:
    barrier = threading.Barrier(THREADS)
    codes = [0] * THREADS

    def run(n: int) -> None:
        barrier.wait()
        codes[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return codes


def test_identical_api_saves_at_once_end_in_one_row_and_409s(make_client: Client) -> None:
    clients = [make_client() for _ in range(THREADS)]
    tokens = [sign_in(client, "entry_bcn") for client in clients]
    event = {"onset_date": "2024-03-03", "term": "nausea", "grade": 2}

    def save(n: int) -> int:
        response = clients[n].post(
            "/api/patients/P1/records/adverse_events",
            json={"values": event},
            headers={"X-CSRF-Token": tokens[n]},
        )
        if response.status_code == 409:
            assert response.json()["retryable"] is True
        return response.status_code

    assert sorted(_at_once(save)) == [201] + [409] * (THREADS - 1)
    stored = clients[0].get("/api/patients/P1/records/adverse_events").json()
    assert [e["data"]["onset_date"] for e in stored].count("2024-03-03") == 1


def test_one_form_posted_at_once_lands_every_post_on_the_same_page(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "entry_bcn")
    url = "/patients/P1/records/flares/new"
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).text)
    assert token
    form = {
        "flare_date": "2024-03-04",
        "severity": "moderate",
        "form_token": token.group(1),
        "csrf_token": csrf,
    }
    landed: list[str] = []

    def save(_n: int) -> int:
        response = client.post(url, data=form, follow_redirects=False)
        landed.append(response.headers.get("location", ""))
        return response.status_code

    assert _at_once(save) == [303] * THREADS
    assert set(landed) == {"/patients/P1?saved=flares"}
    flares = client.get("/api/patients/P1/records/flares").json()
    assert [f["data"]["flare_date"] for f in flares].count("2024-03-04") == 1


def test_an_api_retry_with_the_same_idempotency_key_returns_the_first_record(
    make_client: Client,
) -> None:
    client = make_client()
    headers = {"X-CSRF-Token": sign_in(client, "entry_bcn"), "Idempotency-Key": "k" * 24}
    body = {"values": {"flare_date": "2024-03-05", "severity": "mild"}}
    first = client.post("/api/patients/P1/records/flares", json=body, headers=headers)
    retry = client.post("/api/patients/P1/records/flares", json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    # another user's request with the same key is that user's own request
    other = make_client()
    headers_other = {"X-CSRF-Token": sign_in(other, "inv_bcn"), "Idempotency-Key": "k" * 24}
    again = other.post("/api/patients/P1/records/flares", json=body, headers=headers_other)
    assert again.status_code == 409  # a copy of the stored flare, refused as such


def test_a_form_token_holds_across_a_restart(db_url: str, password_hash: str) -> None:
    url = "/patients/P1/records/flares/new"
    form = {"flare_date": "2024-03-06", "severity": "mild"}
    first_app = app_for(db_url, password_hash)
    with TestClient(first_app, base_url="https://testserver") as client:
        csrf = sign_in(client, "entry_bcn")
        token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).text)
        assert token
        form |= {"form_token": token.group(1)}
        saved = client.post(url, data={**form, "csrf_token": csrf}, follow_redirects=False)
        assert saved.status_code == 303
    first_app.state.clears.registry.engine.dispose()
    # The server restarts; the browser re-sends the form it never got an answer for.
    second_app = app_for(db_url, password_hash)
    with TestClient(second_app, base_url="https://testserver") as client:
        csrf = sign_in(client, "entry_bcn")
        again = client.post(url, data={**form, "csrf_token": csrf}, follow_redirects=False)
        assert again.status_code == 303
        assert again.headers["location"] == saved.headers["location"]
        flares = client.get("/api/patients/P1/records/flares").json()
    second_app.state.clears.registry.engine.dispose()
    assert [f["data"]["flare_date"] for f in flares].count("2024-03-06") == 1
