"""Cohort-wide work as background jobs in the web app: submit, progress, result, scope.

The worker is played by the test: :class:`clears.registry.JobWorker` with the app's runners,
run in the test between requests (in production it is a separate process, tests/registry/
test_jobs_worker.py). Expected contents come from building the same thing independently:
the BCN cohort read with :func:`clears.registry.exporter.export_cohort` and passed to
:func:`clears.outcomes.derive`. Seed (tests/web/_setup.py): P1 at BCN, P2 at LYO.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.web._setup import run_jobs, sign_in

from clears.registry import Actor, make_engine
from clears.registry.exporter import export_cohort

Client = Callable[[], TestClient]


def _submit(client: TestClient, csrf: str, path: str, **form: str) -> str:
    response = client.post(path, data={"csrf_token": csrf, **form}, follow_redirects=False)
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    assert re.fullmatch(r"/jobs/\d+", location), location
    return location


@pytest.mark.slow
def test_outcome_table_job_from_the_cohort_page(make_client: Client, db_url: str) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    cohort_page = client.get("/cohort")
    assert 'action="/cohort/outcomes"' in cohort_page.text
    location = _submit(client, csrf, "/cohort/outcomes", criteria="cortes2012")
    waiting = client.get(location)
    assert waiting.status_code == 200
    assert 'id="job-status" class="status-queued">queued<' in waiting.text
    assert '<script src="/static/jobs.js" defer></script>' in waiting.text
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting.text
    assert client.get("/static/jobs.js").status_code == 200  # script-src 'self' allows it
    job_id = int(location.rsplit("/", 1)[1])
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "queued"
    assert client.get(f"/api/jobs/{job_id}/result").status_code == 409

    assert run_jobs(db_url) == 1
    done = client.get(location)
    assert 'class="status-done">done<' in done.text
    assert "<script" not in done.text.split("</head>")[0]  # no more polling
    assert "<td>P1</td>" in done.text
    assert not re.search(r"\bP2\b", done.text)
    download = client.get(f"/jobs/{job_id}/result")
    assert download.status_code == 200
    assert 'filename="clears-outcomes-cortes2012.csv"' in download.headers["content-disposition"]
    got = pd.read_csv(io.BytesIO(download.content))
    from clears.outcomes import derive

    reference = derive(
        export_cohort(actor=Actor("ref", frozenset({"BCN"})), url=db_url), criteria=["cortes2012"]
    )
    assert list(got.columns) == list(reference.columns)
    assert got["patient_id"].tolist() == reference["patient_id"].tolist() == ["P1"]
    shown = client.get(f"/api/jobs/{job_id}").json()
    assert (shown["status"], shown["progress"], shown["downloaded_by"]) == ("done", 1.0, "inv_bcn")
    assert shown["result"]["size"] == len(download.content)


def test_a_second_identical_submission_returns_the_queued_job(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    first = _submit(client, csrf, "/cohort/export", format="fhir", deidentified="true")
    again = _submit(client, csrf, "/cohort/export", format="fhir", deidentified="true")
    other = _submit(client, csrf, "/cohort/export", format="fhir")
    assert first == again != other
    assert [j["id"] for j in client.get("/api/jobs").json()] == [
        int(other.rsplit("/", 1)[1]),
        int(first.rsplit("/", 1)[1]),
    ]


@pytest.mark.slow  # over a second in --durations
def test_another_users_job_is_not_found_and_results_hold_only_the_submitters_centres(
    make_client: Client, db_url: str
) -> None:
    lyo = make_client()
    lyo_csrf = sign_in(lyo, "inv_lyo")
    location = _submit(lyo, lyo_csrf, "/cohort/export", format="csv")
    job_id = int(location.rsplit("/", 1)[1])
    run_jobs(db_url)
    bcn = make_client()
    bcn_csrf = sign_in(bcn, "inv_bcn")
    for path in (
        location,
        f"{location}/result",
        f"/api/jobs/{job_id}",
        f"/api/jobs/{job_id}/result",
    ):
        assert bcn.get(path).status_code == 404, path
    cancel = bcn.post(f"{location}/cancel", data={"csrf_token": bcn_csrf}, follow_redirects=False)
    assert cancel.status_code == 404
    assert bcn.get("/api/jobs").json() == []
    assert "P2" not in bcn.get("/jobs").text
    # LYO's own export holds LYO's patient only.
    archive = zipfile.ZipFile(io.BytesIO(lyo.get(f"{location}/result").content))
    patients = archive.read("clears-csv/patients.csv").decode()
    assert re.search(r"\bP2\b", patients)
    assert not re.search(r"\bP1\b", patients)
    # A network-wide user sees every job.
    admin = make_client()
    sign_in(admin, "admin")
    assert [j["id"] for j in admin.get("/api/jobs").json()] == [job_id]


@pytest.mark.slow
def test_exports_need_an_exporting_role(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "monitor_bcn")
    assert (
        client.post("/cohort/export", data={"csrf_token": csrf, "format": "csv"}).status_code == 403
    )
    api = client.post(
        "/api/jobs", json={"kind": "export", "parameters": {}}, headers={"X-CSRF-Token": csrf}
    )
    assert api.status_code == 403
    assert client.get("/api/jobs").json() == []
    assert 'id="exports"' not in client.get("/cohort").text
    # Reading is allowed: a monitor may build the outcome table.
    location = _submit(client, csrf, "/cohort/outcomes", criteria="klein2011")
    assert client.get(location).status_code == 200


@pytest.mark.slow  # over a second in --durations
def test_json_api_submit_checks_csrf_and_parameters(make_client: Client, db_url: str) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    body = {"kind": "report", "parameters": {"format": "xlsx"}}
    assert client.post("/api/jobs", json=body).status_code == 403  # no CSRF token
    bad = client.post(
        "/api/jobs",
        json={"kind": "report", "parameters": {"format": "pdf"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert bad.status_code == 422
    [problem] = bad.json()["problems"]
    assert (problem["field"], problem["value"], problem["allowed"]) == (
        "parameters.format",
        "pdf",
        '"html", "docx", "xlsx"',
    )
    made = client.post("/api/jobs", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 202
    job = made.json()
    assert made.headers["location"] == f"/api/jobs/{job['id']}"
    assert (job["kind"], job["status"], job["parameters"]["format"]) == ("report", "queued", "xlsx")
    assert (job["submitted_by"], job["centres"]) == ("inv_bcn", ["BCN"])
    run_jobs(db_url)
    job = client.get(f"/api/jobs/{job['id']}").json()
    # The bare seed builds a report (nothing evaluable yet, which the report says).
    assert job["status"] == "done", job["error"]
    result = client.get(f"/api/jobs/{job['id']}/result")
    assert result.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


@pytest.mark.slow  # a whole report through a job
def test_html_report_opens_in_a_sandbox(make_client: Client, db_url: str) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    assert 'action="/cohort/report"' in client.get("/cohort/report").text
    location = _submit(client, csrf, "/cohort/report", format="html")
    run_jobs(db_url)
    page = client.get(location)
    assert 'id="job-open"' in page.text
    opened = client.get(f"{location}/result?inline=true")
    assert opened.status_code == 200
    assert opened.headers["content-disposition"].startswith("inline")
    policy = opened.headers["content-security-policy"]
    assert "sandbox" in policy
    assert "script-src" not in policy  # default-src 'none': no script at all
    assert opened.text.startswith("<!DOCTYPE html>")
    assert "registry (centres BCN)" in opened.text
    assert not re.search(r"\bP2\b", re.sub(r"base64,[A-Za-z0-9+/=]+", "", opened.text))
    # The app's own pages keep the strict policy.
    assert "sandbox" not in page.headers["content-security-policy"]


def test_cancel_from_the_job_page(make_client: Client, db_url: str) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    location = _submit(client, csrf, "/cohort/outcomes", criteria="clasi50")
    refused = client.post(f"{location}/cancel", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    cancelled = client.post(f"{location}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert (cancelled.status_code, cancelled.headers["location"]) == (303, location)
    assert 'class="status-cancelled">cancelled<' in client.get(location).text
    assert run_jobs(db_url) == 0  # nothing left to run


@pytest.mark.slow
def test_a_failed_job_shows_why(make_client: Client, db_url: str) -> None:
    from clears.registry import transaction
    from clears.registry.records import delete_record

    # No treatment period left at BCN: the outcome table cannot be derived.
    engine = make_engine(db_url)
    with transaction(engine) as session:
        delete_record(
            session,
            actor=Actor.everywhere("setup"),
            table="treatments",
            record_id=1,
            version=1,
            reason="test",
        )
    engine.dispose()
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    location = _submit(client, csrf, "/cohort/outcomes", criteria="aitmehdi2021")
    run_jobs(db_url)
    page = client.get(location)
    assert 'class="status-failed">failed<' in page.text
    assert "no treatment period is recorded" in page.text
    assert client.get(f"{location}/result").status_code == 409


@pytest.mark.parametrize("path", ["/jobs", "/jobs/1", "/api/jobs"])
def test_signed_out(make_client: Client, path: str) -> None:
    response = make_client().get(path, follow_redirects=False)
    assert response.status_code == (401 if path.startswith("/api/") else 303)


@pytest.mark.parametrize("job_id", ["0", str(2**31), str(2**70), "x"])
def test_job_numbers_outside_the_stored_range_are_refused(make_client: Client, job_id: str) -> None:
    # jobs.id is a 32-bit integer on PostgreSQL: 1 to 2**31 - 1.
    client = make_client()
    sign_in(client, "inv_bcn")
    for path in (f"/api/jobs/{job_id}", f"/api/jobs/{job_id}/result", f"/jobs/{job_id}"):
        assert client.get(path).status_code == 422, path
    assert client.get(f"/api/jobs/{2**31 - 1}").status_code == 404
