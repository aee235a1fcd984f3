"""``clears survey issue|list|revoke`` through the command's entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests._cli import clears
from tests.web._setup import app_for, hash_once, make_database


@pytest.fixture(autouse=True)
def _no_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLEARS_DB_URL", "CLEARS_SURVEY_HOURS", "CLEARS_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A registry with P1 (BCN, visit 1), P2 (LYO, visit 2) and the test accounts."""
    made = make_database(tmp_path / "registry.db")
    app_for(made, hash_once()).state.clears.registry.engine.dispose()
    return made


@pytest.mark.slow
def test_issue_prints_a_working_link_and_writes_the_qr_code(
    monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qr = tmp_path / "link.svg"
    code = clears(
        monkeypatch, "survey", "issue", "--visit", "1", "--user", "entry_bcn",
        "--base-url", "https://clears.example.org", "--qr", str(qr), "--db", url,
    )  # fmt: skip
    out = capsys.readouterr()
    assert code == 0, out.err
    link = next(line for line in out.out.splitlines() if "/survey/" in line)
    assert link.startswith("https://clears.example.org/survey/")
    assert qr.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    client = TestClient(app_for(url, hash_once()), base_url="https://testserver")
    assert client.get(link.removeprefix("https://clears.example.org")).status_code == 200

    assert clears(monkeypatch, "survey", "list", "--visit", "1", "--db", url) == 0
    listed = capsys.readouterr().out
    assert "1 survey link(s)" in listed
    assert link.rsplit("/", 1)[1] not in listed  # the secret is printed once only
    link_id = listed.splitlines()[1].split()[0]
    assert clears(monkeypatch, "survey", "revoke", link_id, "--user", "inv_bcn", "--db", url) == 0
    assert "revoked" in capsys.readouterr().out
    assert client.get(link.removeprefix("https://clears.example.org")).status_code == 410


@pytest.mark.slow
def test_another_centre_or_a_monitor_is_refused(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        clears(monkeypatch, "survey", "issue", "--visit", "1", "--user", "inv_lyo", "--db", url)
        == 1
    )
    assert (
        clears(monkeypatch, "survey", "issue", "--visit", "1", "--user", "monitor_bcn", "--db", url)
        != 0
    )
    capsys.readouterr()
