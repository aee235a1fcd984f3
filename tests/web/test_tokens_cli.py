"""``clears tokens create|list|revoke`` through the command's entry point."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests._cli import clears
from tests.web._setup import app_for, hash_once, make_database


@pytest.fixture(autouse=True)
def _no_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARS_DB_URL", raising=False)
    monkeypatch.delenv("CLEARS_API_TOKEN_MAX_DAYS", raising=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A registry with centres BCN and LYO and the test accounts."""
    made = make_database(tmp_path / "registry.db")
    app_for(made, hash_once()).state.clears.registry.engine.dispose()
    return made


@pytest.mark.slow
def test_create_prints_the_secret_alone_then_list_and_revoke(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = clears(
        monkeypatch, "tokens", "create", "inv_bcn", "--label", "weekly", "--days", "7",
        "--centre", "BCN", "--db", url,
    )  # fmt: skip
    out = capsys.readouterr()
    assert code == 0, out.err
    secret = out.out.strip()
    assert secret.startswith("clears_")
    assert "\n" not in secret
    assert "weekly" in out.err
    client = TestClient(app_for(url, hash_once()), base_url="https://testserver")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/patients/P1", headers=headers).status_code == 200

    assert clears(monkeypatch, "tokens", "list", "inv_bcn", "--db", url) == 0
    listed = capsys.readouterr().out
    assert "1 token(s) of inv_bcn" in listed
    assert "weekly  read  BCN" in listed
    assert secret not in listed
    token_id = listed.splitlines()[1].split()[0]

    assert clears(monkeypatch, "tokens", "revoke", "inv_bcn", token_id, "--db", url) == 0
    assert "revoked" in capsys.readouterr().out
    assert client.get("/api/patients/P1", headers=headers).status_code == 401


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "variable", "named"),
    [
        (("--days", "91"), None, "1 to 90 days"),
        (("--days", "8"), "7", "1 to 7 days"),
        (("--days", "8"), "soon", "CLEARS_API_TOKEN_MAX_DAYS"),
        (("--days", "7", "--scope", "all"), None, "read, write"),
        (("--days", "7", "--centre", "LYO"), None, "is not one of the user's centres"),
    ],
)
def test_bad_requests_are_refused_naming_why(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    variable: str | None,
    named: str,
) -> None:
    if variable is not None:
        monkeypatch.setenv("CLEARS_API_TOKEN_MAX_DAYS", variable)
    code = clears(monkeypatch, "tokens", "create", "inv_bcn", "--label", "x", *options, "--db", url)
    out = capsys.readouterr()
    assert code != 0
    assert named in out.err
    assert "clears_" not in out.out
    assert clears(monkeypatch, "tokens", "list", "inv_bcn", "--db", url) == 0
    assert "0 token(s)" in capsys.readouterr().out
