"""Cohort exports in the web app: every ``clears export`` format, identified and
de-identified, zipped in memory, for administrators and investigators of their centres only.

The cohort page submits an export job (the worker is played by the test, :func:`_export`);
the JSON API submits the same job (``POST /api/jobs``); its old ``GET /api/cohort/export``
answers 410 with the request to make instead.

Expected file names are those docs/registry.md ("Exports") lists per format, plus the
``export.json`` manifest every export folder gets. Seed (tests/web/_setup.py): P1 at BCN,
P2 at LYO, each with one treatment period, visit, adverse event and flare.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from tests.web._setup import api_job, run_jobs, sign_in

Client = Callable[[], TestClient]


def _export(client: TestClient, url: str, fmt: str, *, deidentified: bool = False) -> Response:
    """An export from the cohort page: submit the job, run it as the worker would, download."""
    csrf = client.get("/api/me").json()["csrf_token"]
    form = {"csrf_token": csrf, "format": fmt, **({"deidentified": "true"} if deidentified else {})}
    submitted = client.post("/cohort/export", data=form, follow_redirects=False)
    assert submitted.status_code == 303, submitted.text
    run_jobs(url)
    return client.get(f"{submitted.headers['location']}/result")


def _get(client: TestClient, url: str, route: str, fmt: str) -> Response:
    if route == "/api/jobs":
        return api_job(client, url, "export", format=fmt)
    return _export(client, url, fmt)


#: docs/registry.md, "Exports" table.
EXPECTED = {
    "csv": {
        "patients.csv",
        "treatments.csv",
        "visits.csv",
        "adverse_events.csv",
        "flares.csv",
        "concomitant_medications.csv",
    },
    "parquet": {
        "patients.parquet",
        "treatments.parquet",
        "visits.parquet",
        "adverse_events.parquet",
        "flares.parquet",
        "concomitant_medications.parquet",
    },
    "redcap": {"redcap_records.csv"},
    "fhir": {"bundle.json"},
    "sdtm": {"dm.csv", "ex.csv", "lb.csv", "ae.csv", "cm.csv"},
}


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _text(name: str, data: bytes) -> str:
    if name.endswith(".parquet"):
        return pd.read_parquet(io.BytesIO(data)).to_csv(index=False)
    return data.decode("utf-8")


def _dates(members: dict[str, bytes]) -> list[dt.date]:
    """The ISO dates of an export's data files (the manifest's own timestamps left out)."""
    found = (
        dt.date.fromisoformat(day)
        for name, data in members.items()
        if not name.endswith("/export.json")
        for day in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", _text(name, data))
    )
    return sorted(found)


def _mentions(members: dict[str, bytes], patient_id: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(patient_id)}\b")
    return any(pattern.search(_text(n, d)) for n, d in members.items())


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("fmt", sorted(EXPECTED))
@pytest.mark.parametrize("route", ["/cohort/export", "/api/jobs"])
def test_each_format_zips_the_expected_files_of_own_centre(
    make_client: Client, db_url: str, fmt: str, route: str
) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    response = _get(client, db_url, route, fmt)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert f'filename="clears-{fmt}.zip"' in response.headers["content-disposition"]
    members = _members(response.content)
    assert set(members) == {f"clears-{fmt}/{name}" for name in EXPECTED[fmt] | {"export.json"}}
    manifest = json.loads(members[f"clears-{fmt}/export.json"])
    assert (manifest["format"], manifest["patients"], manifest["deidentified"]) == (fmt, 1, False)
    # The registry's database address is not handed out; the centres are named instead.
    assert manifest["source"] == "registry (centres BCN)"
    assert _mentions(members, "P1")
    assert not _mentions(members, "P2")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_deidentified_export_has_no_original_patient_id(
    make_client: Client, db_url: str, fmt: str
) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    response = _export(client, db_url, fmt, deidentified=True)
    assert response.status_code == 200, response.text
    assert f'filename="clears-{fmt}-deidentified.zip"' in response.headers["content-disposition"]
    members = _members(response.content)
    assert set(members) == {f"clears-{fmt}/{name}" for name in EXPECTED[fmt] | {"export.json"}}
    manifest = json.loads(members[f"clears-{fmt}/export.json"])
    assert manifest["deidentified"] is True
    assert manifest["method"].startswith("clears de-identification")
    assert not _mentions(members, "P1")
    assert not _mentions(members, "P2")
    # Every date is moved by one shift of -364..-1 days per patient (docs/registry.md), so
    # the de-identified dates are the identified export's dates, each moved by that shift.
    # (Checking only that the seeded 2024-01-01 is absent would fail whenever another
    # seeded date, such as the adverse event's 2024-01-10, is shifted onto it.)
    identified = _dates(_members(_export(client, db_url, fmt).content))
    shifted = _dates(members)
    assert identified
    assert len(shifted) == len(identified)
    (shift,) = {s - i for s, i in zip(shifted, identified, strict=True)}
    assert -364 <= shift.days <= -1


@pytest.mark.slow  # over a second in --durations
def test_deidentified_csv_keeps_one_hashed_patient(make_client: Client, db_url: str) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    members = _members(_export(client, db_url, "csv", deidentified=True).content)
    patients = pd.read_csv(io.BytesIO(members["clears-csv/patients.csv"]))
    (pseudonym,) = patients["patient_id"]
    # SHA-256 in hexadecimal: 64 characters (docs/registry.md, de-identified exports).
    assert re.fullmatch(r"[0-9a-f]{64}", pseudonym)
    visits = pd.read_csv(io.BytesIO(members["clears-csv/visits.csv"]))
    assert list(visits["patient_id"]) == [pseudonym]


@pytest.mark.slow
def test_two_deidentified_downloads_use_different_salts(make_client: Client, db_url: str) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    ids = []
    for _ in range(2):
        members = _members(_export(client, db_url, "csv", deidentified=True).content)
        ids.append(pd.read_csv(io.BytesIO(members["clears-csv/patients.csv"]))["patient_id"][0])
    assert ids[0] != ids[1]


@pytest.mark.slow
def test_administrator_exports_every_centre(make_client: Client, db_url: str) -> None:
    client = make_client()
    sign_in(client, "admin")
    members = _members(api_job(client, db_url, "export", format="sdtm").content)
    manifest = json.loads(members["clears-sdtm/export.json"])
    assert manifest["source"] == "registry (centres BCN, LYO)"
    assert _mentions(members, "P1")
    assert _mentions(members, "P2")


@pytest.mark.slow
def test_lyon_investigator_gets_only_lyon(make_client: Client, db_url: str) -> None:
    client = make_client()
    sign_in(client, "inv_lyo")
    members = _members(_export(client, db_url, "fhir").content)
    assert _mentions(members, "P2")
    assert not _mentions(members, "P1")


@pytest.mark.parametrize("user", ["monitor_bcn", "entry_bcn"])
@pytest.mark.parametrize("deidentified", ["false", "true"])
def test_roles_without_export_are_refused(
    make_client: Client, user: str, deidentified: str
) -> None:
    client = make_client()
    csrf = sign_in(client, user)
    response = client.get(f"/api/cohort/export?format=redcap&deidentified={deidentified}")
    assert response.status_code == 403
    assert "may not export" in response.text
    submitted = client.post(
        "/api/jobs",
        headers={"X-CSRF-Token": csrf},
        json={"kind": "export", "parameters": {"format": "redcap"}},
    )
    assert submitted.status_code == 403
    form = {"csrf_token": csrf, "format": "redcap", "deidentified": deidentified}
    refused = client.post("/cohort/export", data=form, follow_redirects=False)
    assert refused.status_code == 403
    assert "may not export" in refused.text
    assert client.get("/api/jobs").json() == []  # nothing queued
    page = client.get("/cohort")
    assert page.status_code == 200
    assert 'id="exports"' not in page.text


def test_signed_out_is_sent_to_sign_in(make_client: Client) -> None:
    client = make_client()
    assert client.get("/api/cohort/export").status_code == 401
    page = client.get("/cohort", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")


def test_unknown_format_is_refused_with_the_allowed_ones(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    response = client.get("/api/cohort/export?format=xml")
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"] == "query.format"
    assert "'csv', 'parquet', 'redcap', 'fhir' or 'sdtm'" in problem["message"]


def test_cohort_page_links_every_format(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    page = client.get("/cohort").text
    exports = page.split('id="exports"', 1)[1].split("</section>", 1)[0]
    for fmt in EXPECTED:
        button = f'value="{fmt}"><button type="submit" id="export-{fmt}">'
        assert f'<input type="hidden" name="format" {button}' in exports
        assert f'id="export-{fmt}-deidentified"' in exports
    assert exports.count('action="/cohort/export"') == 2 * len(EXPECTED)
    assert 'href="/cohort/report"' in page


@pytest.mark.slow  # every export format
def test_export_writes_nothing_in_the_working_directory(
    make_client: Client, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    client = make_client()
    sign_in(client, "inv_bcn")
    for fmt in EXPECTED:
        assert _export(client, db_url, fmt, deidentified=True).status_code == 200
        assert api_job(client, db_url, "export", format=fmt).status_code == 200
    assert os.listdir(cwd) == []


def test_every_clears_export_format_is_offered_with_a_label() -> None:
    # Independent source: the formats ``clears export`` writes.
    from typing import get_args

    from clears.registry.exports.writer import Format
    from clears.web._exports import ExportFormat
    from clears.web.routes.cohort import EXPORT_LABELS

    assert get_args(ExportFormat) == tuple(f.value for f in Format)
    assert tuple(name for name, _ in EXPORT_LABELS) == tuple(f.value for f in Format)


def test_the_old_export_route_says_how_to_submit_the_job(make_client: Client) -> None:
    client = make_client()
    sign_in(client, "inv_bcn")
    gone = client.get("/api/cohort/export?format=fhir&deidentified=true")
    assert gone.status_code == 410
    body = gone.json()
    assert body["submit"] == {
        "method": "POST",
        "url": "/api/jobs",
        "json": {"kind": "export", "parameters": {"format": "fhir", "deidentified": True}},
    }
    assert "GET /api/jobs/{id}/result" in body["detail"]
