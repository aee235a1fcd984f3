"""The web app while ``clears import`` holds the registry (SQLite, the import in a child process).

Pages and the API keep answering reads (200, never 503). A visit saved on the form is not
written, and the form comes back (503) with everything typed and when the import should
end; the same form, sent again once the import is over, saves the visit. The JSON API
answers 503 with ``retryable``, ``until`` and ``Retry-After``.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web._setup import sign_in

pytestmark = pytest.mark.slow  # a simulated cohort imported by a child process

REPO = Path(__file__).parents[2]
ENV = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
CLI = [sys.executable, "-c", "from clears.cli.main import run; run()"]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated cohort of 8,000 patients (its centres are not the test users'): its import
    outlasts the requests below (two saves wait up to 2 s each) even on a fast machine."""
    out = tmp_path_factory.mktemp("cohort") / "cohort"
    simulate = [*CLI, "simulate", "--n", "8000", "--seed", "4", "--out", str(out)]
    subprocess.run(simulate, check=True, env=ENV, capture_output=True)
    return out


def _importing(cohort: Path, db_url: str) -> subprocess.Popen[str]:
    """``clears import`` started, once its notice says it holds the registry."""
    child = subprocess.Popen(
        [*CLI, "import", str(cohort), "--db", db_url, "--today", "2030-01-01"],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    notice = Path(db_url.removeprefix("sqlite:///") + "-import")
    deadline = time.monotonic() + 120
    while not _estimated(notice) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _estimated(notice), f"the import never said when it ends ({child.poll()})"
    return child


def _estimated(notice: Path) -> bool:
    """Whether the import's notice (docs/registry.md) gives its expected end yet."""
    try:
        return bool(json.loads(notice.read_text(encoding="utf-8"))["until"])
    except (OSError, ValueError, KeyError):
        return False


def _field(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    return None if found is None else html.unescape(found.group(1))


def test_reads_answer_and_a_blocked_save_keeps_the_form(
    make_client: Callable[[], TestClient], cohort: Path, db_url: str
) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    form_token = _field(client.get("/patients/P1/visits/new").text, "form_token")
    assert form_token
    typed = {"visit_date": "2024-02-05", "anc": "2.1", "sledai": "6"}
    form = {**typed, "csrf_token": csrf, "form_token": form_token}
    child = _importing(cohort, db_url)
    try:
        reads = [client.get(path) for path in ("/patients/P1", "/api/patients/P1", "/patients")]
        refused = client.post("/patients/P1/visits/new", data=form, follow_redirects=False)
        api = client.post(
            "/api/patients/P1/records/visits",
            headers={"X-CSRF-Token": csrf},
            json={"values": {"visit_date": "2024-02-06"}},
        )
        # Everything above happened while the import held the registry: its notice is taken
        # down just before it commits (the process itself lives on while SQLite checkpoints).
        still = _estimated(Path(db_url.removeprefix("sqlite:///") + "-import"))
    finally:
        _, stderr = child.communicate(timeout=600)
    assert child.returncode == 0, stderr
    assert still, "the import ended before the requests: make the cohort larger"
    assert [r.status_code for r in reads] == [200, 200, 200]
    assert refused.status_code == 503
    page = html.unescape(refused.text)
    assert "busy with an import until about" in page
    assert "Everything you typed is kept" in page
    assert {name: _field(refused.text, name) for name in typed} == typed
    assert api.status_code == 503
    body = api.json()
    assert body["retryable"] is True
    assert "until" in body
    assert int(api.headers["Retry-After"]) >= 1
    # Once the import is over, the form sent again (same token) saves the visit once.
    again = {**typed, "csrf_token": csrf, "form_token": _field(refused.text, "form_token")}
    saved = client.post("/patients/P1/visits/new", data=again, follow_redirects=False)
    assert saved.status_code == 303
    visits = client.get("/api/patients/P1/records/visits").json()
    assert [v["data"]["anc"] for v in visits if v["data"]["visit_date"] == "2024-02-05"] == [2.1]
