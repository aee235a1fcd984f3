"""Refused saves: an enrolment of a taken id answers the same wherever the id is held (no
existence oracle across centres), and every form a save can be refused on comes back with
everything typed and the reason, the status kept (409 taken, 503 busy with an import)."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

Client = Callable[[], TestClient]

#: A baseline typed on the enrolment form (cohort columns of the patients table).
TYPED = {"sex": "female", "birth_year": "1981"}


def _field(page: str, name: str) -> str | None:
    """The value a form input ``name`` shows, or the option its select has chosen."""
    found = re.search(rf'<input name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    if found is not None:
        return html.unescape(found.group(1))
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', page, flags=re.S)
    chosen = select and re.search(r"<option([^>]*)selected[^>]*>([^<]*)<", select.group(0))
    if not chosen:
        return None
    value = re.search(r'value="([^"]*)"', chosen.group(1))
    return html.unescape(value.group(1) if value else chosen.group(2))


def _alert(page: str) -> str:
    """The text of the page's refusal notices (problems and busy), tags dropped."""
    blocks = re.findall(r'<div class="error" role="alert".*?</div>', page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>|\s+", " ", b)).strip() for b in blocks)


# --- the existence oracle ---------------------------------------------------------------


@pytest.mark.slow
def test_a_taken_id_answers_the_same_whichever_centre_holds_it(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")  # BCN holds P1; LYO holds P2, which BCN cannot see
    assert client.get("/api/patients/P2").status_code == 404
    answers = {}
    for typed in ("P1", "P2", "p2"):
        body = {"patient_id": typed, "centre": "BCN"}
        api = client.post("/api/patients", json=body, headers={"X-CSRF-Token": csrf})
        form = client.post("/patients/new", data={**body, **TYPED, "csrf_token": csrf})
        answers[typed] = (
            api.status_code,
            api.json()["detail"].replace(repr(typed), "<id>"),
            form.status_code,
            _alert(form.text).replace(repr(typed), "<id>").replace(f"(got {typed})", "(got <id>)"),
        )
    assert answers["P1"] == answers["P2"] == answers["p2"]
    status, detail, form_status, alert = answers["P2"]
    assert (status, form_status) == (409, 409)
    assert "cannot be used for a new patient" in detail
    assert "<id>" in alert
    for said in (detail, alert):  # nothing about the holder: not its centre, not its spelling
        assert "LYO" not in said
        assert "already registered" not in said


@pytest.mark.slow  # over a second in --durations
def test_a_taken_id_is_never_a_second_patient(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    for typed in ("P2", "p2", " P2 "):
        body = {"patient_id": typed, "centre": "BCN"}
        assert (
            client.post("/api/patients", json=body, headers={"X-CSRF-Token": csrf}).status_code
            == 409
        )
    admin = make_client()
    sign_in(admin, "admin")
    rows = admin.get("/api/patients", params={"q": "p2"}).json()["patients"]
    assert [(r["patient_id"], r["centre"]) for r in rows] == [("P2", "LYO")]


def test_a_taken_id_keeps_everything_typed_on_the_form(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    page = client.post(
        "/patients/new", data={"patient_id": "P2", "centre": "BCN", **TYPED, "csrf_token": csrf}
    )
    assert page.status_code == 409
    assert _field(page.text, "patient_id") == "P2"
    assert {name: _field(page.text, name) for name in TYPED} == TYPED
    assert 'class="field invalid" for="field-patient_id"' in page.text
    assert "choose another" in _alert(page.text)


# --- a registry busy with an import -----------------------------------------------------


@contextlib.contextmanager
def _import_holding(db_url: str) -> Iterator[None]:
    """The registry held as ``clears import`` holds it: SQLite's write lock taken by another
    connection, and the import's notice beside the database (docs/registry.md) saying it
    ends in ten minutes, so that a save waits 2 s at most and says until when."""
    path = db_url.removeprefix("sqlite:///")
    notice = f"{path}-import"
    now = dt.datetime.now(dt.UTC)
    body = {"pid": os.getpid(), "started": int(now.timestamp()), "done": 1, "total": 2}
    body["until"] = int((now + dt.timedelta(minutes=10)).timestamp())
    with open(notice, "w", encoding="utf-8") as out:
        json.dump(body, out)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        os.remove(notice)


#: Every form whose save the registry can refuse while busy: its URL and what is typed.
FORMS = {
    "enrol": ("/patients/new", {"patient_id": "P9", "centre": "BCN", **TYPED}),
    "visit": ("/patients/P1/visits/new", {"visit_date": "2024-02-05", "anc": "2.1", "sledai": "6"}),
    "record": (
        "/patients/P1/records/adverse_events/new",
        {"onset_date": "2024-02-01", "term": "rash", "grade": "2"},
    ),
    "edit": (
        "/patients/P1/records/flares/1/edit",
        {"flare_date": "2024-01-20", "severity": "severe", "version": "1"},
    ),
}


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_save_while_an_import_runs_keeps_everything_typed(
    make_client: Client, db_url: str, form: str
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    url, typed = FORMS[form]
    with _import_holding(db_url):
        page = client.post(url, data={**typed, "csrf_token": csrf}, follow_redirects=False)
    assert page.status_code == 503
    assert "busy with an import until about" in _alert(page.text)
    assert "Everything you typed is kept" in _alert(page.text)
    assert {name: _field(page.text, name) for name in typed if name != "version"} == {
        name: value for name, value in typed.items() if name != "version"
    }
    # Nothing was written: the same form, sent again after the import, saves once.
    again = client.post(url, data={**typed, "csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 303, _alert(again.text)


#: The forms that start a job (a row the registry writes): URL, what is chosen, and how the
#: page shows that choice again.
JOB_FORMS = {
    "outcomes": ("/cohort/outcomes", {"criteria": "cortes2012"}, "<option selected>cortes2012<"),
    "report": ("/cohort/report", {"format": "docx"}, 'value="docx" checked>'),
    "export": (
        "/cohort/export",
        {"format": "redcap", "deidentified": "true"},
        "the export (redcap, de-identified) was not started",
    ),
}


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("form", sorted(JOB_FORMS))
def test_a_job_asked_for_while_an_import_runs_keeps_the_choice(
    make_client: Client, db_url: str, form: str
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    url, chosen, shown_again = JOB_FORMS[form]
    with _import_holding(db_url):
        page = client.post(url, data={**chosen, "csrf_token": csrf}, follow_redirects=False)
    assert page.status_code == 503
    assert "busy with an import until about" in _alert(page.text)
    assert shown_again in html.unescape(page.text)
    again = client.post(url, data={**chosen, "csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/jobs/")
