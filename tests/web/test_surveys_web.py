"""Patient surveys on the web: a writer issues a visit's link (with its QR code), the patient
answers it on the public page once, without an account, and nothing else is reachable.

Seed (tests/web/_setup.py): P1 at BCN owns visit 1, P2 at LYO visit 2. The levels are the
instruments' own: PtGA and each NRS a whole number 0-10 (Guo 2021).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests._browser import artifacts, launched
from tests.web._setup import app_for, served, sign_in

from clears.registry import Actor, make_engine, transaction
from clears.registry.records import get_record
from clears.registry.surveys import list_surveys

Client = Callable[[], TestClient]
ISSUE = "/patients/P1/visits/1/survey"


def _issue(client: TestClient, csrf: str, path: str = ISSUE, language: str = "en") -> str:
    page = client.post(path, data={"csrf_token": csrf, "language": language})
    assert page.status_code == 200, page.text
    url = re.findall(r'value="(https://testserver/survey/[^"]+)"', page.text)
    assert len(url) == 1
    assert "<svg" in page.text  # the QR code, inline
    return url[0].removeprefix("https://testserver")


def _form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _visit(db_url: str, visit_id: int) -> dict[str, object]:
    engine = make_engine(db_url)
    try:
        with transaction(engine, write=False) as session:
            record = get_record(
                session, actor=Actor.everywhere("test"), table="visits", record_id=visit_id
            )
            return dict(record.data)
    finally:
        engine.dispose()


@pytest.fixture
def issued(make_client: Client) -> tuple[TestClient, str]:
    staff = make_client()
    return staff, _issue(staff, sign_in(staff, "entry_bcn"))


def test_a_patient_answers_once_without_an_account(
    make_client: Client, issued: tuple[TestClient, str], db_url: str
) -> None:
    _, path = issued
    patient = make_client()
    page = patient.get(path)
    assert page.status_code == 200
    assert "P1" not in page.text  # no patient identifier on the patient's page
    assert 'href="/patients' not in page.text  # and no way into the app
    assert page.headers["referrer-policy"] == "no-referrer"
    sent = patient.post(
        path,
        data={"form_token": _form_token(page.text), "lang": "en", "ptga": "5", "itch_nrs": "2"},
    )
    assert sent.status_code == 200
    assert "Thank you" in sent.text
    stored = _visit(db_url, 1)
    assert stored["ptga"] == 5
    assert stored["itch_nrs"] == 2
    again = patient.get(path)
    assert again.status_code == 410
    twice = patient.post(path, data={"form_token": "x", "ptga": "9"})
    assert twice.status_code == 410
    assert _visit(db_url, 1)["ptga"] == 5


def test_used_revoked_and_unknown_links_look_the_same(
    make_client: Client, issued: tuple[TestClient, str]
) -> None:
    staff, first = issued
    csrf = sign_in(staff, "entry_bcn")
    second = _issue(staff, csrf)  # revokes the first
    patient = make_client()
    revoked = patient.get(first)
    unknown = patient.get("/survey/" + "A" * 43)
    assert revoked.status_code == unknown.status_code == 410
    assert revoked.text == unknown.text
    assert patient.get(second).status_code == 200


def test_a_bad_answer_keeps_the_choices_and_names_the_question(
    make_client: Client, issued: tuple[TestClient, str], db_url: str
) -> None:
    _, path = issued
    patient = make_client()
    token = _form_token(patient.get(path).text)
    sent = patient.post(
        path, data={"form_token": token, "lang": "en", "ptga": "4", "itch_nrs": "12"}
    )
    assert sent.status_code == 422
    assert "Itch NRS" in sent.text
    assert re.search(r'name="ptga" value="4" checked', sent.text)
    assert "ptga" not in _visit(db_url, 1)
    assert patient.get(path).status_code == 200  # still usable


def test_the_form_needs_its_token(
    make_client: Client, issued: tuple[TestClient, str], db_url: str
) -> None:
    _, path = issued
    patient = make_client()
    patient.get(path)
    sent = patient.post(path, data={"form_token": "forged", "ptga": "3"})
    assert sent.status_code == 400
    assert re.search(r'name="ptga" value="3" checked', sent.text)
    assert "ptga" not in _visit(db_url, 1)


def test_french_and_spanish_wording(make_client: Client, issued: tuple[TestClient, str]) -> None:
    _, path = issued
    patient = make_client()
    assert "Votre questionnaire" in patient.get(path + "?lang=fr").text
    assert "Su cuestionario" in patient.get(path + "?lang=es").text


def test_another_centre_and_a_monitor_cannot_issue(make_client: Client) -> None:
    lyo = make_client()
    assert lyo.post(ISSUE, data={"csrf_token": sign_in(lyo, "inv_lyo")}).status_code == 404
    monitor = make_client()
    refused = monitor.post(ISSUE, data={"csrf_token": sign_in(monitor, "monitor_bcn")})
    assert refused.status_code == 403


def test_guessing_links_is_limited(make_client: Client) -> None:
    patient = make_client()
    answers = [patient.get(f"/survey/guess{n}").status_code for n in range(7)]
    # CLEARS_LOGIN_ATTEMPTS defaults to 5 failures per address in the window.
    assert answers[:5] == [410] * 5
    assert answers[-1] == 429


def test_a_link_is_listed_on_its_visit_only(issued: tuple[TestClient, str], db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine, write=False) as session:
        mine = list_surveys(session, actor=Actor.everywhere("test"), visit_id=1)
        other = list_surveys(session, actor=Actor.everywhere("test"), visit_id=2)
    engine.dispose()
    assert len(mine) == 1
    assert other == []


@pytest.mark.slow
def test_the_survey_at_390_px(db_url: str, password_hash: str, chromium: str) -> None:
    app = app_for(db_url, password_hash)
    with TestClient(app, base_url="https://testserver") as staff:
        path = _issue(staff, sign_in(staff, "entry_bcn"))
    with served(app) as base, launched(chromium) as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(base + path)
        page.click("#q-ptga .point:nth-child(7)")
        page.click("#q-itch_nrs .point:nth-child(4)")
        page.click("#q-pain_nrs .point:nth-child(1)")
        page.screenshot(path="/tmp/survey-390.png", full_page=True)
        page.screenshot(path=str(artifacts("surveys") / "survey-390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("#survey-submit")
        assert "Thank you" in page.inner_text("#survey-message")
    stored = _visit(db_url, 1)
    assert (stored["ptga"], stored["itch_nrs"], stored["pain_nrs"]) == (6, 3, 0)


def test_a_locked_visit_is_refused_in_plain_words(
    make_client: Client, issued: tuple[TestClient, str], db_url: str
) -> None:
    from clears.registry.records import lock_visit

    _, path = issued
    patient = make_client()
    token = _form_token(patient.get(path).text)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        actor = Actor.everywhere("test")
        version = get_record(session, actor=actor, table="visits", record_id=1).version
        lock_visit(session, actor=actor, record_id=1, version=version, reason="closed")
    engine.dispose()
    sent = patient.post(path, data={"form_token": token, "lang": "en", "ptga": "3"})
    assert sent.status_code == 409
    assert "record is closed" in sent.text
    assert "ptga" not in _visit(db_url, 1)


def test_the_dlqi_appears_only_with_the_licensed_wording(
    make_client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = make_client()
    csrf = sign_in(staff, "entry_bcn")
    without = make_client().get(_issue(staff, csrf)).text
    assert "dlqi_q1" not in without
    wording = tmp_path / "wording.toml"
    items = "\n".join(f'q{n} = "licensed item {n}"' for n in range(1, 11))
    wording.write_text(f"[dlqi]\n{items}\n", encoding="utf-8")
    monkeypatch.setenv("CLEARS_INSTRUMENT_WORDING", str(wording))
    page = make_client().get(_issue(staff, csrf)).text
    assert "licensed item 1" in page
    assert 'name="dlqi_q1"' in page
    assert "Français" not in page  # no French wording of the DLQI: English only
