"""Every per-patient page and route sends as many SQL statements in a registry of 3 patients
as in one of 30: what a request costs in the database depends on the patient, not on the
registry (hazard H-INT-76).

Statements are counted with a SQLAlchemy ``before_cursor_execute`` listener on the app's
engine, one request at a time. Both registries hold the same patient ``P01`` (the same
records, written in the same order) among look-alike patients, so a route that reads or
loops over other patients' rows, or runs a query per patient, shows as a count that grows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session
from tests.web._setup import ADMIN, app_for, empty_database, sign_in

from clears.registry._engine import transaction
from clears.registry.patients import create_centre, create_patient
from clears.registry.records import add_record

pytestmark = pytest.mark.slow  # counts the queries of every route over a seeded registry

SIZES = (3, 30)
OTHER_TABLES = ("treatments", "adverse_events", "flares", "concomitant_medications")


def _one_patient(session: Session, pid: str, centre: str) -> None:
    """A patient with a treatment period, two visits, an adverse event, a flare and a
    concomitant medication (synthetic values)."""
    create_patient(
        session,
        actor=ADMIN,
        patient_id=pid,
        centre=centre,
        values={"sex": "female", "birth_year": 1975},
    )
    rows: list[tuple[Any, dict[str, Any]]] = [
        ("treatments", {"drug": "lenalidomide", "start_date": "2024-01-01", "dose_mg_per_day": 10}),
        ("visits", {"visit_date": "2024-01-01", "clasi_a": 12, "clasi_d": 3, "anc": 1.8}),
        ("visits", {"visit_date": "2024-02-01", "clasi_a": 8, "clasi_d": 3, "anc": 2.0}),
        ("adverse_events", {"onset_date": "2024-01-10", "term": "headache", "grade": 1}),
        ("flares", {"flare_date": "2024-01-20", "severity": "mild"}),
        ("concomitant_medications", {"drug": "hydroxychloroquine", "start_date": "2023-06-01"}),
    ]
    for table, values in rows:
        add_record(session, actor=ADMIN, table=table, patient_id=pid, values=values)


def _registry(path: Path, size: int) -> str:
    url = f"sqlite:///{path}"
    engine = empty_database(url)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
        create_centre(session, actor=ADMIN, code="LYO")
        for n in range(1, size + 1):
            _one_patient(session, f"P{n:02d}", "BCN" if n % 3 else "LYO")
    engine.dispose()
    return url


def _form_token(page: Response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _requests(
    client: TestClient, csrf: str, visit: int
) -> Iterator[tuple[str, Callable[[], Response]]]:
    """(name, request) for every per-patient route, reads first, then writes; a write's form
    is fetched (not counted) just before it is sent."""
    base = "/patients/P01"
    api = "/api/patients/P01"
    reads = {
        "page": base,
        "page p01 (lower case)": "/patients/p01",
        "page criteria": f"{base}?criteria=klein2011",
        "audit page": f"{base}/audit",
        "visit form": f"{base}/visits/new",
        "visit edit form": f"{base}/records/visits/{visit}/edit",
        **{f"{t} form": f"{base}/records/{t}/new" for t in OTHER_TABLES},
        "api patient": api,
        "api advice": f"{api}/advice",
        "api response": f"{api}/response",
        "api audit": f"{api}/audit",
        **{f"api {t}": f"{api}/records/{t}" for t in ("visits", *OTHER_TABLES)},
        "api visit": f"{api}/records/visits/{visit}",
        "visit photographs": f"{base}/visits/{visit}/photos",
        "photographs page": f"{base}/photos",
        "photographs compared": f"{base}/photos/compare",
        "api visit photographs": f"{api}/visits/{visit}/photos",
    }
    for name, path in reads.items():
        yield name, lambda path=path: client.get(path)
    headers = {"X-CSRF-Token": csrf}
    new = {"csrf_token": csrf, "visit_date": "2024-03-01", "clasi_a": "5"}
    token = _form_token(client.get(f"{base}/visits/new"))
    yield "visit save", lambda: client.post(f"{base}/visits/new", data={**new, "form_token": token})
    version = client.get(f"{api}/records/visits/{visit}").json()["version"]
    edit = {"csrf_token": csrf, "version": str(version), "visit_date": "2024-01-01"}
    edit |= {"clasi_a": "11", "clasi_d": "3", "anc": "1.8", "reason": "corrected"}
    token = _form_token(client.get(f"{base}/records/visits/{visit}/edit"))
    yield (
        "visit edit save",
        lambda: client.post(
            f"{base}/records/visits/{visit}/edit", data={**edit, "form_token": token}
        ),
    )
    flare = {"values": {"flare_date": "2024-03-05", "severity": "moderate"}}
    yield "api add", lambda: client.post(f"{api}/records/flares", json=flare, headers=headers)
    version = client.get(f"{api}/records/visits/{visit}").json()["version"]
    change = {"version": version, "changes": {"anc": 1.9}, "reason": "lab corrected"}
    yield (
        "api update",
        lambda: client.patch(f"{api}/records/visits/{visit}", json=change, headers=headers),
    )


def _counts(url: str, password_hash: str) -> dict[str, int]:
    """Statements sent for each request of :func:`_requests` (each must succeed)."""
    app = app_for(url, password_hash)
    engine: sa.Engine = app.state.clears.registry.engine
    sent = [0]

    def count(*_args: object, **_kwargs: object) -> None:
        sent[0] += 1

    counts: dict[str, int] = {}
    with TestClient(app, base_url="https://testserver") as client:
        csrf = sign_in(client, "admin")
        visit = client.get("/api/patients/P01/records/visits").json()[0]["id"]
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            for name, send in _requests(client, csrf, visit):
                before = sent[0]
                answer = send()
                counts[name] = sent[0] - before
                assert answer.status_code in (200, 201, 303), (name, answer.text[:500])
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    return counts


@pytest.fixture(scope="module")
def counts(
    tmp_path_factory: pytest.TempPathFactory, password_hash: str
) -> dict[int, dict[str, int]]:
    """Statements per request in registries of 3 and 30 patients."""
    folder = tmp_path_factory.mktemp("bounds")
    return {n: _counts(_registry(folder / f"r{n}.db", n), password_hash) for n in SIZES}


ROUTES = [
    "page",
    "page p01 (lower case)",
    "page criteria",
    "audit page",
    "visit form",
    "visit edit form",
    *(f"{t} form" for t in OTHER_TABLES),
    "api patient",
    "api advice",
    "api response",
    "api audit",
    *(f"api {t}" for t in ("visits", *OTHER_TABLES)),
    "api visit",
    "visit photographs",
    "photographs page",
    "photographs compared",
    "api visit photographs",
    "visit save",
    "visit edit save",
    "api add",
    "api update",
]


def test_every_route_is_counted(counts: dict[int, dict[str, int]]) -> None:
    assert set(counts[SIZES[0]]) == set(ROUTES)
    assert all(n > 0 for n in counts[SIZES[0]].values())  # the listener saw each request


@pytest.mark.parametrize("route", ROUTES)
def test_statements_do_not_grow_with_the_registry(
    counts: dict[int, dict[str, int]], route: str
) -> None:
    small, large = (counts[n][route] for n in SIZES)
    assert small == large, (
        f"{route}: {small} statements with {SIZES[0]} patients, {large} with {SIZES[1]}"
    )
