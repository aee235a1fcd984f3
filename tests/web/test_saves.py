"""Saves through the web forms: nothing lost, nothing stored twice, nothing typed dropped.

The seed (``tests/web/_setup.py``) gives P1 adverse event 1 (headache, grade 1, onset
2024-01-10, version 1) and flare 1. Expected values follow from the merge rule and from
the definitions (CTCAE v5.0: fatigue has grades 1-3; CLASI-A is the sum of the activity
items, Albrecht 2005), never from what the app returned.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

Client = Callable[[], TestClient]

EVENT = "/patients/P1/records/adverse_events/1/edit"
BASE = {"onset_date": "2024-01-10", "term": "headache", "grade": "1", "version": "1"}


def _token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return found.group(1)


def _field(page: str, name: str) -> str:
    """The value a form field shows (input value or selected option)."""
    tag = re.search(rf'<(input|select) name="{name}"[^>]*>', page)
    assert tag, name
    if tag.group(1) == "input":
        value = re.search(r'value="([^"]*)"', tag.group(0))
        return html.unescape(value.group(1)) if value else ""
    rest = page[tag.end() : page.index("</select>", tag.end())]
    chosen = re.search(r'<option value="([^"]*)"\s*selected', rest)
    return chosen.group(1) if chosen else ""


def _stored(client: TestClient, table: str = "adverse_events", record: int = 1) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/patients/P1/records/{table}/{record}").json()
    return found


def _two_users(make_client: Client) -> tuple[TestClient, str, TestClient, str]:
    ana, ben = make_client(), make_client()
    return ana, sign_in(ana, "inv_bcn"), ben, sign_in(ben, "entry_bcn")


@pytest.mark.slow
def test_edits_of_other_fields_are_merged_not_erased(make_client: Client) -> None:
    ana, csrf_a, ben, csrf_b = _two_users(make_client)
    saved = ana.post(EVENT, data={**BASE, "grade": "2", "csrf_token": csrf_a})
    assert saved.status_code == 200  # followed to the patient page
    # Ben's form was read at version 1 and still says grade 1; he only adds the end date.
    merged = ben.post(
        EVENT, data={**BASE, "end_date": "2024-01-12", "csrf_token": csrf_b}, follow_redirects=False
    )
    assert merged.status_code == 303
    data = _stored(ben)
    assert data["version"] == 3
    assert (data["data"]["grade"], data["data"]["end_date"]) == (2, "2024-01-12")


@pytest.mark.slow
def test_a_conflict_shows_label_both_values_and_a_form_on_the_stored_version(
    make_client: Client,
) -> None:
    ana, csrf_a, ben, csrf_b = _two_users(make_client)
    ana.post(EVENT, data={**BASE, "grade": "2", "end_date": "2024-01-12", "csrf_token": csrf_a})
    page = ben.post(EVENT, data={**BASE, "grade": "3", "serious": "true", "csrf_token": csrf_b})
    assert page.status_code == 409
    row = re.search(r'<tr id="conflict-grade">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    assert "CTCAE v5.0 grade" in row.group(1)  # the schema's label of the column
    assert '<td class="yours">3</td>' in row.group(1)
    assert '<td class="current">2</td>' in row.group(1)
    assert "datetime." not in page.text
    assert "serious" not in re.findall(r'id="conflict-(\w+)"', page.text)  # only Ben changed it
    # The form is on the stored version: Ana's end date, Ben's own changes as typed.
    assert _hidden(page.text, "version") == "2"
    assert _field(page.text, "end_date") == "2024-01-12"
    assert (_field(page.text, "grade"), _field(page.text, "serious")) == ("3", "true")
    assert _stored(ben)["version"] == 2  # nothing of Ben's was saved yet
    # Saving the conflict page applies Ben's choice, knowing Ana's value; her date stays.
    again = {
        "onset_date": "2024-01-10",
        "term": "headache",
        "grade": "3",
        "serious": "true",
        "end_date": "2024-01-12",
        "version": "2",
        "form_token": _token(page.text),
        "csrf_token": csrf_b,
    }
    assert ben.post(EVENT, data=again, follow_redirects=False).status_code == 303
    data = _stored(ben)["data"]
    assert (data["grade"], data["serious"], data["end_date"]) == (3, True, "2024-01-12")


@pytest.mark.slow
def test_a_date_conflict_is_shown_as_typed(make_client: Client) -> None:
    ana, csrf_a, ben, csrf_b = _two_users(make_client)
    ana.post(EVENT, data={**BASE, "end_date": "2024-01-11", "csrf_token": csrf_a})
    page = ben.post(EVENT, data={**BASE, "end_date": "2024-01-13", "csrf_token": csrf_b})
    row = re.search(r'<tr id="conflict-end_date">(.*?)</tr>', page.text, re.S)
    assert row
    assert '<td class="yours">2024-01-13</td>' in row.group(1)
    assert '<td class="current">2024-01-11</td>' in row.group(1)


@pytest.mark.slow
def test_a_double_click_stores_the_event_once_and_lands_on_the_same_page(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    url = "/patients/P1/records/adverse_events/new"
    form = {
        "onset_date": "2024-02-01",
        "term": "rash maculo-papular",
        "grade": "2",
        "form_token": _token(client.get(url).text),
        "csrf_token": csrf,
    }
    first = client.post(url, data=form, follow_redirects=False)
    second = client.post(url, data=form, follow_redirects=False)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["location"] == second.headers["location"]
    events = client.get("/api/patients/P1/records/adverse_events").json()
    assert [e["data"]["onset_date"] for e in events].count("2024-02-01") == 1


@pytest.mark.slow
def test_the_same_event_from_a_new_form_is_refused_naming_the_stored_one(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    url = "/patients/P1/records/adverse_events/new"
    # the seed's event 1, typed again in a fresh form
    again = {"onset_date": "2024-01-10", "term": "headache", "grade": "1", "csrf_token": csrf}
    page = client.post(url, data={**again, "form_token": _token(client.get(url).text)})
    assert page.status_code == 409
    assert "adverse_events record 1" in page.text
    assert "patient P1" in page.text
    assert "onset_date 2024-01-10" in page.text
    assert len(client.get("/api/patients/P1/records/adverse_events").json()) == 1


@pytest.mark.slow
def test_typed_totals_are_kept_with_some_items(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    form = {
        "visit_date": "2024-02-05",
        "clasi_scalp_ery": "2",
        "clasi_a": "9",
        "sledai_rash": "2",
        "sledai": "6",
        "csrf_token": csrf,
    }
    saved = client.post("/patients/P1/visits/new", data=form, follow_redirects=False)
    assert saved.status_code == 303
    visits = client.get("/api/patients/P1/records/visits").json()
    (visit,) = [v["data"] for v in visits if v["data"]["visit_date"] == "2024-02-05"]
    assert (visit["clasi_a"], visit["sledai"]) == (9, 6)


@pytest.mark.slow
def test_complete_items_with_another_typed_total_are_refused_naming_both(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    page = client.get("/patients/P1/visits/new").text
    items = set(re.findall(r'<select name="(clasi_[a-z0-9_]+)"', page))
    form = dict.fromkeys(items, "0") | {"clasi_scalp_ery": "3", "clasi_nose_ery": "2"}
    # Albrecht 2005: CLASI-A is the sum of the activity items, here 3 + 2 = 5.
    form |= {"visit_date": "2024-02-06", "clasi_a": "7", "csrf_token": csrf}
    refused = client.post("/patients/P1/visits/new", data=form)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "clasi_a" in text
    assert "got 7" in text
    assert "disagrees with the total of the item-level CLASI columns, 5" in text


def test_a_grade_ctcae_does_not_define_is_refused_on_the_form(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    form = {"onset_date": "2024-02-03", "term": "Fatigue", "grade": "4", "csrf_token": csrf}
    refused = client.post("/patients/P1/records/adverse_events/new", data=form)
    assert refused.status_code == 422
    assert "grade 4 does not exist for Fatigue in CTCAE v5.0" in refused.text
    assert "allowed: 1, 2, 3" in refused.text


def _all_clasi_items(client: TestClient) -> set[str]:
    page = client.get("/patients/P1/visits/new").text
    return set(re.findall(r'<select name="(clasi_[a-z0-9_]+)"', page))


@pytest.mark.slow
def test_editing_an_item_of_a_complete_visit_recomputes_its_total(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    items = dict.fromkeys(_all_clasi_items(client), "0") | {"clasi_scalp_ery": "3"}
    client.post(
        "/patients/P1/visits/new",
        data={**items, "visit_date": "2024-02-07", "csrf_token": csrf},
        follow_redirects=False,
    )
    (visit,) = [
        v
        for v in client.get("/api/patients/P1/records/visits").json()
        if v["data"]["visit_date"] == "2024-02-07"
    ]
    assert visit["data"]["clasi_a"] == 3  # Albrecht 2005: the activity items sum to 3
    url = f"/patients/P1/records/visits/{visit['id']}/edit"
    form = client.get(url).text
    assert _field(form, "clasi_a") == "3"
    # The form sends every field back, the shown total included; only the item changed.
    fields = {name: _field(form, name) for name in [*items, "visit_date", "clasi_a", "clasi_d"]}
    fields |= {"clasi_nose_ery": "2", "version": "1", "reason": "second look", "csrf_token": csrf}
    assert client.post(url, data=fields, follow_redirects=False).status_code == 303
    stored = client.get(f"/api/patients/P1/records/visits/{visit['id']}").json()["data"]
    assert stored["clasi_a"] == 5  # 3 + 2, derived again from the items


@pytest.mark.slow  # over a second in --durations
def test_blanking_an_item_of_a_complete_visit_clears_its_derived_total(
    make_client: Client,
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    items = dict.fromkeys(_all_clasi_items(client), "0") | {"clasi_scalp_ery": "3"}
    client.post(
        "/patients/P1/visits/new",
        data={**items, "visit_date": "2024-02-08", "csrf_token": csrf},
        follow_redirects=False,
    )
    (visit,) = [
        v
        for v in client.get("/api/patients/P1/records/visits").json()
        if v["data"]["visit_date"] == "2024-02-08"
    ]
    url = f"/patients/P1/records/visits/{visit['id']}/edit"
    form = client.get(url).text
    fields = {name: _field(form, name) for name in [*items, "visit_date", "clasi_a", "clasi_d"]}
    fields |= {"clasi_scalp_ery": "", "version": "1", "reason": "not assessed", "csrf_token": csrf}
    assert client.post(url, data=fields, follow_redirects=False).status_code == 303
    stored = client.get(f"/api/patients/P1/records/visits/{visit['id']}").json()["data"]
    # 3 was the total of the items; with one of them blank nothing gives it any more
    assert "clasi_a" not in stored


@pytest.mark.slow  # over a second in --durations
def test_a_visit_conflict_names_the_item_by_its_clasi_label(make_client: Client) -> None:
    ana, csrf_a, ben, csrf_b = _two_users(make_client)
    url = "/patients/P1/records/visits/1/edit"  # the seed visit: totals only, CLASI-A 12
    form = ana.get(url).text
    base = {name: _field(form, name) for name in ("visit_date", "clasi_a", "clasi_d", "anc")}
    base |= {"version": "1", "reason": "correction"}
    ana.post(url, data={**base, "clasi_scalp_ery": "2", "anc": "1.5", "csrf_token": csrf_a})
    page = ben.post(url, data={**base, "clasi_scalp_ery": "3", "csrf_token": csrf_b})
    assert page.status_code == 409
    row = re.search(r'<tr id="conflict-clasi_scalp_ery">(.*?)</tr>', page.text, re.S)
    assert row
    assert "Scalp: Erythema" in row.group(1)  # area and item labels of the CLASI definition
    assert '<td class="yours">3</td>' in row.group(1)
    assert '<td class="current">2</td>' in row.group(1)
    assert _field(page.text, "anc") == "1.5"  # Ana's other change is in Ben's form
    assert _field(page.text, "clasi_a") == "12"  # the typed total is kept
    assert _field(page.text, "reason") == "correction"  # and the reason given


def test_the_core_outcome_set_items_are_on_the_visit_form_and_saved(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    page = client.get("/patients/P1/visits/new").text
    names = set(re.findall(r'<select name="([a-z0-9_]+)"', page))
    core = {"cla_iga", "ptga", "itch_nrs", "pain_nrs", *(f"dlqi_q{n}" for n in range(1, 11))}
    assert core <= names
    form = {"visit_date": "2024-02-07", "cla_iga": "2", "itch_nrs": "7", "dlqi_q3": "9"}
    saved = client.post(
        "/patients/P1/visits/new", data={**form, "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    visits = client.get("/api/patients/P1/records/visits").json()
    (visit,) = [v["data"] for v in visits if v["data"]["visit_date"] == "2024-02-07"]
    assert (visit["cla_iga"], visit["itch_nrs"], visit["dlqi_q3"]) == (2, 7, 9)


def test_a_core_outcome_code_outside_its_levels_is_refused(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    form = {"visit_date": "2024-02-08", "dlqi_q1": "9", "csrf_token": csrf}
    refused = client.post("/patients/P1/visits/new", data=form)
    assert refused.status_code == 422
    assert "dlqi_q1" in refused.text


def test_the_skindex_items_are_on_the_visit_form_and_saved(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    page = client.get("/patients/P1/visits/new").text
    names = set(re.findall(r'<select name="([a-z0-9_]+)"', page))
    assert {f"skindex_q{n}" for n in range(1, 34)} <= names
    assert "Skindex-29+3" in page
    form = {"visit_date": "2024-02-09", "skindex_q1": "4", "skindex_q18": "0", "skindex_q33": "2"}
    saved = client.post(
        "/patients/P1/visits/new", data={**form, "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    visits = client.get("/api/patients/P1/records/visits").json()
    (saved_visit,) = [v for v in visits if v["data"]["visit_date"] == "2024-02-09"]
    visit = saved_visit["data"]
    assert (visit["skindex_q1"], visit["skindex_q18"], visit["skindex_q33"]) == (4, 0, 2)
    # The edit form opens the core outcome card when only Skindex items are given.
    edit = client.get(f"/patients/P1/records/visits/{saved_visit['id']}/edit").text
    card = re.search(r"<details class=\"card\"( open)?>\s*<summary>Core outcome set", edit)
    assert card
    assert card.group(1) == " open"


def test_a_skindex_code_outside_0_to_4_is_refused_and_the_form_kept(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    form = {"visit_date": "2024-02-10", "skindex_q2": "5", "skindex_q3": "1", "csrf_token": csrf}
    refused = client.post("/patients/P1/visits/new", data=form)
    assert refused.status_code == 422
    assert "skindex_q2" in refused.text
    assert "4 (all the time)" in refused.text
    kept = re.search(r'<select name="skindex_q3".*?</select>', refused.text, re.S)
    assert kept
    assert re.search(r'<option value="1"[^>]*selected', kept.group(0))
