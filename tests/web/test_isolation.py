"""Centre isolation on every route: a BCN user gets 404 for anything of LYO.

The routes are enumerated from the app's routers, so a route added later is covered
without editing this file. Seed (tests/web/_setup.py): P1 at BCN owns record id 1 of every
table; P2 at LYO owns record id 2. The per-record audit view (``/audit/{entity}/{entity_id}``)
is enumerated too: ``patients`` with P2, and every record table with id 2.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

from clears.web.app import ROUTERS

Client = Callable[[], TestClient]

FOREIGN = {"patient_id": "P2", "record_id": "2"}
TABLES = ("visits", "treatments", "adverse_events", "flares")


def _routes() -> Iterator[tuple[str, str]]:
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, route.path


SCOPED = [(m, p) for m, p in _routes() if "{patient_id}" in p or "{entity_id}" in p]
UNSCOPED_READS = [(m, p) for m, p in _routes() if "{" not in p and m == "GET"]


def _urls(path: str, **ids: str) -> list[str]:
    if "{entity}" in path:
        patient = ids.get("patient_id", FOREIGN["patient_id"])
        return [path.format(entity="patients", entity_id=patient)] + [
            path.format(entity=t, entity_id=ids.get("record_id", FOREIGN["record_id"]))
            for t in TABLES
        ]
    tables = [t for t in TABLES if "{table}" not in path or _allowed(path, t)]
    return [path.format(**{"table": table, **FOREIGN, **ids}) for table in tables]


def _allowed(path: str, table: str) -> bool:
    # Page forms for new records take the three non-visit tables; visits have their own.
    return not (path.endswith("/records/{table}/new") and table == "visits")


def _send(client: TestClient, method: str, url: str, csrf: str) -> int:
    headers = {"X-CSRF-Token": csrf}
    if method == "GET":
        return client.get(url).status_code
    if url.startswith("/api/"):
        body = {"values": {}} if method == "POST" else {"version": 1, "changes": {}}
        return client.request(method, url, json=body, headers=headers).status_code
    return client.request(method, url, data={"csrf_token": csrf, "version": "1"}).status_code


def test_enumeration_finds_the_scoped_routes() -> None:
    # Guard against an empty parametrisation: pages and API both have patient routes.
    assert len(SCOPED) >= 15
    assert any(p.startswith("/api/") for _, p in SCOPED)
    assert any(not p.startswith("/api/") for _, p in SCOPED)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(("method", "path"), SCOPED)
def test_foreign_patient_is_not_found(make_client: Client, method: str, path: str) -> None:
    client = make_client()
    csrf = sign_in(client, _user_for(path))
    for url in _urls(path):
        assert _send(client, method, url, csrf) == 404, (method, url)


#: Routes only a monitor's role may post (source data verification): checked as the BCN
#: monitor, since the investigator's role is refused (403) before any record is looked up.
MONITOR_ONLY = ("/verify", "/withdraw")


def _user_for(path: str) -> str:
    return "monitor_bcn" if path.endswith(MONITOR_ONLY) else "inv_bcn"


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in SCOPED if "{record_id}" in p])
def test_foreign_record_under_own_patient_is_not_found(
    make_client: Client, method: str, path: str
) -> None:
    client = make_client()
    csrf = sign_in(client, _user_for(path))
    for url in _urls(path, patient_id="P1"):
        assert _send(client, method, url, csrf) == 404, (method, url)


def _readable(content: bytes) -> str:
    """The text a user can read in a response: zip members (exports, DOCX, XLSX)
    decompressed, Parquet members as CSV, and embedded base64 images left out (random
    base64 text can contain any two letters)."""
    if content.startswith(b"PK\x03\x04"):
        parts = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                if name.endswith(".parquet"):
                    import pandas as pd

                    parts.append(pd.read_parquet(io.BytesIO(data)).to_csv())
                else:
                    parts.append(_readable(data))
        return "\n".join(parts)
    text = content.decode("utf-8", errors="replace")
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


def test_readable_finds_ids_in_zips_and_skips_images() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/patients.csv", "patient_id\nP2\n")
    assert "P2" in _readable(buffer.getvalue())
    assert "P2" not in _readable(b'<img src="data:image/png;base64,AP2B=">')


@pytest.mark.parametrize(("method", "path"), UNSCOPED_READS)
def test_lists_never_show_foreign_patients(make_client: Client, method: str, path: str) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    response = client.get(path)
    # Job results are checked for isolation in tests/web/test_jobs.py; the former cohort-wide
    # API reads answer 410 (the request to submit as a job instead), holding no patient data.
    # The administrators' page refuses other roles (403), showing nothing.
    allowed = (200, 303, 410, 403) if path.startswith("/admin/") else (200, 303, 410)
    assert response.status_code in allowed, path
    assert not re.search(r"\bP2\b", _readable(response.content)), path


@pytest.mark.slow  # over a second in --durations
def test_the_same_routes_answer_for_the_owner(make_client: Client) -> None:
    # The 404s above are isolation, not broken routes: LYO's own investigator reads P2.
    client = make_client()
    sign_in(client, "inv_lyo")
    for method, path in SCOPED:
        if method == "GET":
            for url in _urls(path):
                assert client.get(url).status_code == 200, url
