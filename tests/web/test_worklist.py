"""The safety worklist page: the user's centres only, most urgent first, cached per patient.

Seed (tests/web/_setup.py): P1 at BCN and P2 at LYO, each on lenalidomide 10 mg/day since
2024-01-01 with one visit that day, so on any later day their blood counts are overdue
(Cortés-Hernández 2012: weekly for the first 8 weeks) and both are on the list.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import ADMIN, app_for, empty_database, sign_in

import clears.web._worklist as cache_module
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import create_centre, create_patient
from clears.registry.records import add_record
from clears.web._worklist import WorklistCache
from clears.web.deps import Registry

Client = Callable[[], TestClient]


def _count_screens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every patient the cache screens (the real function still runs)."""
    seen: list[str] = []
    real = cache_module.worklist_row

    def counting(cohort: Any, patient_id: str, **kwargs: Any) -> Any:
        seen.append(patient_id)
        return real(cohort, patient_id, **kwargs)

    monkeypatch.setattr(cache_module, "worklist_row", counting)
    return seen


def _slow_screening(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make every screening wait until the returned event is set (at most 10 s)."""
    gate = threading.Event()
    real = cache_module.worklist_row

    def slow(cohort: Any, patient_id: str, **kwargs: Any) -> Any:
        gate.wait(10)
        return real(cohort, patient_id, **kwargs)

    monkeypatch.setattr(cache_module, "worklist_row", slow)
    return gate


@pytest.mark.slow
def test_lists_own_centre_with_levels_and_links(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/worklist")
    assert page.status_code == 200
    assert "<h1>Safety worklist" in page.text
    assert 'href="/patients/P1"' in page.text
    assert not re.search(r"\bP2\b", page.text)
    assert 'class="badge level-overdue">OVERDUE' in page.text
    assert "full blood count" in page.text
    assert "No patient needs attention today" not in page.text
    assert client.get("/patients/P1").status_code == 200  # the link leads somewhere


def test_navigation_links_the_worklist(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "monitor_bcn")
    assert 'href="/worklist"' in client.get("/patients").text


def test_signed_out_goes_to_sign_in(make_client: Client) -> None:
    response = make_client().get("/worklist", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.slow
def test_administrator_sees_both_centres_most_urgent_first(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "admin")
    text = client.get("/worklist").text
    assert text.index('href="/patients/P1"') < text.index('href="/patients/P2"')  # same level


@pytest.mark.slow  # over a second in --durations
def test_only_changed_patients_are_screened_again(
    make_client: Client, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _count_screens(monkeypatch)
    bcn, lyo = make_client(), make_client()
    sign_in(bcn, "inv_bcn")
    sign_in(lyo, "inv_lyo")
    bcn.get("/worklist")
    assert seen == ["P1"]
    bcn.get("/worklist")
    assert seen == ["P1"]  # nothing changed: served from the cache
    lyo.get("/worklist")
    assert seen == ["P1", "P2"]
    engine = make_engine(db_url)
    with transaction(engine) as session:
        add_record(
            session,
            actor=ADMIN,
            table="visits",
            patient_id="P1",
            values={"visit_date": dt.date.today().isoformat(), "anc": 0.8},
        )
    engine.dispose()
    page = bcn.get("/worklist")
    lyo.get("/worklist")
    assert seen == ["P1", "P2", "P1"]  # P1's new visit; P2 untouched
    # CTCAE v5.0: ANC < 1.0 ×10⁹/L is grade 3; Cortés-Hernández 2012 stops for grade 3 (a
    # label-based protocol holds): today's count puts P1 above "overdue"
    assert 'class="badge level-stop">STOP' in page.text or "level-hold" in page.text


def test_a_new_day_screens_again(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_screens(monkeypatch)
    registry = Registry(make_engine(db_url))
    cache = WorklistCache("cortes2012")
    actor = Actor("t", frozenset({"BCN"}))
    first = cache.view(registry, actor=actor, as_of=dt.date(2024, 1, 9))
    cache.view(registry, actor=actor, as_of=dt.date(2024, 1, 9))
    cache.view(registry, actor=actor, as_of=dt.date(2024, 1, 10))
    registry.engine.dispose()
    assert seen == ["P1", "P1"]
    assert (first.n_screened, first.n_pending) == (1, 0)
    (row,) = first.rows
    # seed visit 2024-01-01, counts weekly: due 2024-01-08, one day overdue on 2024-01-09
    assert row.patient_id == "P1"
    assert any(m.next_due == dt.date(2024, 1, 8) for m in row.overdue)


def test_slow_screening_shows_an_incomplete_list(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = _slow_screening(monkeypatch)
    registry = Registry(make_engine(db_url))
    cache = WorklistCache("cortes2012")
    actor = Actor.everywhere("t")
    day = dt.date(2024, 1, 9)
    waiting = cache.view(registry, actor=actor, as_of=day, wait=0.05)
    assert (waiting.n_screened, waiting.n_pending, waiting.rows) == (0, 2, ())
    gate.set()
    done = cache.view(registry, actor=actor, as_of=day, wait=10)
    registry.engine.dispose()
    assert (done.n_screened, done.n_pending) == (2, 0)


@pytest.mark.slow
def test_a_changed_patient_keeps_the_earlier_row_while_re_screened(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = Registry(make_engine(db_url))
    cache = WorklistCache("cortes2012")
    actor = Actor.everywhere("t")
    day = dt.date(2024, 1, 9)
    before = cache.view(registry, actor=actor, as_of=day)
    assert [r.patient_id for r in before.rows] == ["P1", "P2"]
    with transaction(registry.engine) as session:
        add_record(
            session,
            actor=ADMIN,
            table="visits",
            patient_id="P1",
            values={"visit_date": "2024-01-09"},
        )
    gate = _slow_screening(monkeypatch)
    during = cache.view(registry, actor=actor, as_of=day, wait=0.05)
    gate.set()
    after = cache.view(registry, actor=actor, as_of=day, wait=10)
    registry.engine.dispose()
    # P1 never drops off the list while its new visit is read; it is marked meanwhile
    assert [r.patient_id for r in during.rows] == ["P1", "P2"]
    assert (during.outdated, during.n_pending) == (frozenset({"P1"}), 1)
    assert (after.outdated, after.n_pending, after.n_screened) == (frozenset(), 0, 2)


@pytest.mark.slow
def test_pending_notice_on_the_page(make_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = _slow_screening(monkeypatch)
    view = WorklistCache.view
    monkeypatch.setattr(
        WorklistCache, "view", lambda self, *a, **k: view(self, *a, **{**k, "wait": 0.05})
    )
    client = make_client()
    sign_in(client, "inv_bcn")
    text = client.get("/worklist").text
    gate.set()
    monkeypatch.undo()  # the real wait again: let the screening end before the app closes
    done = client.get("/worklist").text
    assert 'id="worklist-pending"' in text
    assert "1 patient still being screened" in text
    assert 'id="worklist-pending"' not in done


@pytest.mark.slow  # screens a seeded registry
def test_empty_state(tmp_path: Path, password_hash: str) -> None:
    # A man not yet started, with no visit: nothing is overdue and no rule fires.
    url = f"sqlite:///{tmp_path / 'calm.db'}"
    engine = empty_database(url)
    with transaction(engine) as session:
        create_centre(session, actor=ADMIN, code="BCN")
        create_patient(
            session,
            actor=ADMIN,
            patient_id="Q1",
            centre="BCN",
            values={"sex": "male", "birth_year": 1975},
        )
    engine.dispose()
    app = app_for(url, password_hash)
    with TestClient(app, base_url="https://testserver") as client:
        sign_in(client, "inv_bcn")
        page = client.get("/worklist")
    app.state.clears.registry.engine.dispose()
    assert 'id="worklist-empty"' in page.text
    assert "No patient needs attention today." in page.text
    assert "Screened 1 patient." in page.text
