"""Cancelling a job while ``clears import`` holds the registry: the job's page again, 503,
saying why and that nothing changed; pressing Cancel after the import cancels it.

The import's hold is simulated as in tests/web/test_security_refusals.py (SQLite's write
lock taken by another connection, and the import's notice beside the database).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import sign_in
from tests.web.test_security_refusals import _import_holding

Client = Callable[[], TestClient]


@pytest.mark.slow  # the refused cancel waits up to 2 s for the writer
def test_a_job_cancelled_while_an_import_runs_comes_back_with_the_reason(
    make_client: Client, db_url: str
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    asked = client.post(
        "/cohort/outcomes",
        data={"criteria": "cortes2012", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    job = asked.headers["location"]
    with _import_holding(db_url):
        page = client.post(f"{job}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert page.status_code == 503
    text = html.unescape(page.text)
    assert "Not cancelled yet" in text
    assert "busy with an import until about" in text
    assert 'id="job-cancel"' in text  # still queued: the button to press again
    again = client.post(f"{job}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == job
    assert 'id="job-cancel"' not in client.get(job).text
