"""A save that meets an ended session keeps what was typed and returns to it after sign-in.

Every route that keeps a form is read from the app's routes (clears.web._kept_forms.keeps),
and each is exercised: the session ends (its registry row deleted, as the idle timeout,
a sign-out elsewhere or a disabled account do), Save answers with the sign-in page saying
what was typed is kept, and the same user, once signed in, is back on the form with every
typed value and nothing saved. Another user gets nothing; the kept form is taken once and
expires; an oversize form is refused; a forged POST plants nothing. All data are synthetic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web._setup import PASSWORD, sign_in

from clears.registry._models import kept_forms_table, user_sessions_table
from clears.web._kept_forms import KEPT_COOKIE, kept_paths
from clears.web.security import csrf_token

Client = Callable[[], TestClient]

#: The record tables whose forms are reached as /records/{table}/...
_TABLES = {
    "/patients/{patient_id}/records/{table}/new": (
        "treatments",
        "adverse_events",
        "flares",
        "concomitant_medications",
    ),
    "/patients/{patient_id}/records/{table}/{record_id}/edit": (
        "visits",
        "treatments",
        "adverse_events",
        "flares",
    ),
}

#: One date field of each table's form, typed with a value that is nowhere in the seed.
_DATE_FIELD = {
    "visits": "visit_date",
    "treatments": "start_date",
    "adverse_events": "onset_date",
    "flares": "flare_date",
    "concomitant_medications": "start_date",
}
_TYPED_DATE = "2025-12-17"


def _engine(client: TestClient) -> sa.Engine:
    engine: sa.Engine = client.app.state.clears.registry.engine  # type: ignore[attr-defined]
    return engine


def _record_id(client: TestClient, table: str) -> int:
    with _engine(client).connect() as connection:
        rows = connection.execute(sa.text(f"SELECT id FROM {table}")).scalars().all()
    return int(rows[0])


def _forms(client: TestClient) -> list[tuple[str, str, str]]:
    """Every kept form of the app as (path template, concrete path, table)."""
    found = []
    for template in kept_paths(client.app.routes):  # type: ignore[attr-defined]
        if template == "/patients/new":
            found.append((template, template, "patients"))
        elif template == "/patients/{patient_id}/visits/new":
            found.append((template, "/patients/P1/visits/new", "visits"))
        else:
            for table in _TABLES[template]:
                path = template.replace("{patient_id}", "P1").replace("{table}", table)
                if "{record_id}" in path:
                    path = path.replace("{record_id}", str(_record_id(client, table)))
                found.append((template, path, table))
    return found


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return found.group(1)


def _typed(table: str) -> dict[str, str]:
    if table == "patients":
        return {"patient_id": "P77", "centre": "BCN"}
    return {_DATE_FIELD[table]: _TYPED_DATE}


def _shows(page: str, table: str) -> bool:
    if table == "patients":
        return 'value="P77"' in page
    return (
        f'name="{_DATE_FIELD[table]}" id="field-{_DATE_FIELD[table]}" value="{_TYPED_DATE}"' in page
    )


def _open_form(client: TestClient, path: str, table: str) -> dict[str, str]:
    """The form's hidden fields plus the typed values, as a browser would send them."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    data = {"csrf_token": _hidden(page.text, "csrf_token")}
    for name in ("form_token", "version"):
        if f'name="{name}"' in page.text:
            data[name] = _hidden(page.text, name)
    return data | _typed(table)


def _end_sessions(client: TestClient, *, drop_cookie: bool) -> None:
    with _engine(client).begin() as connection:
        connection.execute(sa.delete(user_sessions_table))
    if drop_cookie:  # the browser's cookie ran out with the idle timeout
        client.cookies.delete("clears_session")


def _sign_in_from(client: TestClient, page: str, username: str, *, fresh: bool = False) -> Any:
    """Sign in on the page ``page`` (with its kept handle); ``fresh``: with the login token
    of a sign-in page opened now (the old one is spent)."""
    login = client.get("/login").text if fresh else page
    return client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "login_token": _hidden(login, "login_token"),
            "kept": _hidden(page, "kept"),
        },
        follow_redirects=False,
    )


def _kept_rows(client: TestClient) -> int:
    with _engine(client).connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(kept_forms_table)
            ).scalar_one()
        )


def _count(client: TestClient, table: str) -> int:
    with _engine(client).connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_kept_forms_are_the_pages_that_record_patient_data(make_client: Client) -> None:
    client = make_client()
    paths = kept_paths(client.app.routes)  # type: ignore[attr-defined]
    # enrolment, a visit, every other record (new and edited): each a POST with a page
    assert paths == sorted(
        [
            "/patients/new",
            "/patients/{patient_id}/visits/new",
            "/patients/{patient_id}/records/{table}/new",
            "/patients/{patient_id}/records/{table}/{record_id}/edit",
        ]
    )
    assert not any(p.startswith("/api/") for p in paths)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("drop_cookie", [True, False], ids=["cookie-gone", "cookie-sent"])
def test_every_form_comes_back_with_what_was_typed_after_sign_in(
    make_client: Client, drop_cookie: bool
) -> None:
    client = make_client()
    forms = _forms(client)
    assert len(forms) == 1 + 1 + 4 + 4
    for _template, path, table in forms:
        sign_in(client, "inv_bcn")
        data = _open_form(client, path, table)
        before = _count(client, table)
        _end_sessions(client, drop_cookie=drop_cookie)
        answer = client.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 401, (path, answer.status_code)
        assert "What you typed is kept" in answer.text, path
        assert _TYPED_DATE not in answer.text
        assert "P77" not in answer.text
        back = _sign_in_from(client, answer.text, "inv_bcn")
        assert back.status_code == 303, back.text
        assert back.headers["location"] == path
        assert _TYPED_DATE not in back.headers["location"]
        form = client.get(path)
        assert form.status_code == 200
        assert _shows(form.text, table), path
        assert 'id="kept-notice"' in form.text
        assert _hidden(form.text, "csrf_token") != data["csrf_token"]  # a fresh token
        if "version" in data:
            assert _hidden(form.text, "version") == data["version"]
        assert _count(client, table) == before  # not saved: they review and press Save
        assert _kept_rows(client) == 0  # taken


@pytest.mark.slow
def test_the_restored_visit_saves(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    path = "/patients/P1/visits/new"
    data = _open_form(client, path, "visits") | {"clasi_a": "7", "clasi_d": "2"}
    before = _count(client, "visits")
    _end_sessions(client, drop_cookie=True)
    answer = client.post(path, data=data)
    _sign_in_from(client, answer.text, "inv_bcn")
    form = client.get(path).text
    assert 'value="7"' in form
    assert 'value="2"' in form
    saved = client.post(
        path,
        data=data
        | {"csrf_token": _hidden(form, "csrf_token"), "form_token": _hidden(form, "form_token")},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert _count(client, "visits") == before + 1


@pytest.mark.slow
def test_another_user_gets_nothing_and_the_owner_still_does(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    path = "/patients/P1/visits/new"
    data = _open_form(client, path, "visits")
    _end_sessions(client, drop_cookie=True)
    answer = client.post(path, data=data)
    other = _sign_in_from(client, answer.text, "entry_bcn")  # same centre, may write visits
    assert other.headers["location"] == "/patients"
    assert not _shows(client.get(path).text, "visits")
    client.cookies.set(KEPT_COOKIE, _hidden(answer.text, "kept"), path=path)
    assert not _shows(client.get(path).text, "visits")  # the handle alone is not enough
    assert _kept_rows(client) == 1
    client.cookies.delete(KEPT_COOKIE, path=path)
    client.post("/logout", data={"csrf_token": client.get("/api/me").json()["csrf_token"]})
    mine = _sign_in_from(client, answer.text, "inv_bcn", fresh=True)
    assert mine.headers["location"] == path
    assert _shows(client.get(path).text, "visits")


@pytest.mark.slow
def test_the_kept_form_is_taken_once(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    path = "/patients/P1/visits/new"
    data = _open_form(client, path, "visits")
    _end_sessions(client, drop_cookie=True)
    answer = client.post(path, data=data)
    handle = _hidden(answer.text, "kept")
    _sign_in_from(client, answer.text, "inv_bcn")
    assert _shows(client.get(path).text, "visits")
    client.cookies.set(KEPT_COOKIE, handle, path=path)
    assert not _shows(client.get(path).text, "visits")


def test_a_kept_form_expires(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    path = "/patients/P1/visits/new"
    data = _open_form(client, path, "visits")
    _end_sessions(client, drop_cookie=True)
    answer = client.post(path, data=data)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with _engine(client).begin() as connection:
        connection.execute(sa.update(kept_forms_table).values(expires_at=past))
    assert _sign_in_from(client, answer.text, "inv_bcn").headers["location"] == "/patients"
    client.cookies.set(KEPT_COOKIE, _hidden(answer.text, "kept"), path=path)
    assert not _shows(client.get(path).text, "visits")


def test_an_oversize_form_is_not_kept_and_says_so(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    path = "/patients/P1/visits/new"
    # 300 KiB of text: under the 1 MiB body limit, over the 256 KiB a kept form may hold
    data = _open_form(client, path, "visits") | {"notes": "x" * 300 * 1024}
    _end_sessions(client, drop_cookie=True)
    answer = client.post(path, data=data)
    assert answer.status_code == 401
    assert "could not be kept" in answer.text
    assert "at most 262144 bytes" in answer.text
    assert 'name="kept"' not in answer.text
    assert _kept_rows(client) == 0


@pytest.mark.parametrize(
    "token",
    [
        None,
        "0" * 64,
        # a well-formed token naming inv_bcn, signed under another key
        csrf_token("x" * 48, "guess", username="inv_bcn", issued=2_000_000_000),
    ],
    ids=["no-token", "made-up", "other-key"],
)
def test_a_forged_post_without_a_session_plants_nothing(
    make_client: Client, token: str | None
) -> None:
    attacker = make_client()
    data = {"visit_date": "2025-01-01", "clasi_a": "40"}
    if token is not None:
        data["csrf_token"] = token
    answer = attacker.post("/patients/P1/visits/new", data=data, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert _kept_rows(attacker) == 0


def test_a_cross_site_post_is_not_kept_even_with_a_real_token(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    path = "/patients/P1/visits/new"
    data = _open_form(client, path, "visits")
    _end_sessions(client, drop_cookie=True)
    answer = client.post(
        path, data=data, headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/login"
    assert _kept_rows(client) == 0


def test_the_api_still_answers_401(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    _end_sessions(client, drop_cookie=False)
    answer = client.post(
        "/api/patients",
        json={"patient_id": "P78", "centre": "BCN"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 401
    assert answer.json() == {"detail": "sign in first"}
    assert _kept_rows(client) == 0
