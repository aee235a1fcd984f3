"""``clears serve``: --dev, the printed URL, the users file it finds, production secrets.

uvicorn is replaced by a recorder, so these tests check what would be served without
opening a port (the demo test in tests/report/test_demo.py runs the real server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests._cli import clears
from tests.web._setup import SECRET

from clears.web.settings import DEVELOPMENT_SECRET, Settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls of uvicorn.run; no CLEARS_* variable from the outer environment."""
    for name in (
        "CLEARS_SECRET_KEY",
        "CLEARS_ENVIRONMENT",
        "CLEARS_USERS_FILE",
        "CLEARS_PORT",
        "CLEARS_HOST",
        "CLEARS_DB_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    calls: list[dict[str, Any]] = []

    def run(app: Any, *, host: str, port: int, log_level: str, **options: Any) -> None:
        calls.append({"settings": app.state.clears.settings, "host": host, "port": port, **options})
        app.state.clears.registry.engine.dispose()

    monkeypatch.setattr("uvicorn.run", run)
    return calls


def _settings(calls: list[dict[str, Any]]) -> Settings:
    settings = calls[-1]["settings"]
    assert isinstance(settings, Settings)
    return settings


@pytest.mark.slow
def test_dev_gives_a_fresh_random_secret_and_prints_the_url(
    served: list[dict[str, Any]],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev", "--port", "8123") == 0
    out = capsys.readouterr().out
    assert "Serving the clears web app on http://127.0.0.1:8123/" in out
    assert "sessions end when the server stops" in out
    first = _settings(served)
    assert first.environment == "development"
    assert not first.cookie_secure
    secret = first.secret_key.get_secret_value()
    assert secret != DEVELOPMENT_SECRET
    assert len(secret) >= 32  # token_urlsafe(48) gives 64 characters
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    assert _settings(served).secret_key.get_secret_value() != secret  # new at every run
    assert served[-1]["port"] == 8000


def test_dev_wins_over_a_production_environment(
    served: list[dict[str, Any]], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARS_ENVIRONMENT", "production")
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    assert _settings(served).environment == "development"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_dev_refuses_a_non_loopback_host(
    host: str,
    served: list[dict[str, Any]],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev", "--host", host) == 1
    err = capsys.readouterr().err
    reason = "is not a loopback address; --dev serves plain HTTP to this machine only"
    assert f"host: {reason} (got '{host}')" in err
    assert "allowed: 127.0.0.1, ::1 or localhost" in err
    assert served == []


@pytest.mark.parametrize("host", ["localhost", "::1", "127.0.0.2"])
def test_dev_accepts_loopback_hosts(
    host: str,
    served: list[dict[str, Any]],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev", "--host", host) == 0
    shown = f"[{host}]" if ":" in host else host
    assert f"on http://{shown}:8000/" in capsys.readouterr().out


@pytest.mark.slow
def test_production_still_refuses_placeholder_secrets(
    served: list[dict[str, Any]],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert clears(monkeypatch, "serve", "--db", db_url) == 1
    assert "placeholder secret" in capsys.readouterr().err
    monkeypatch.setenv("CLEARS_SECRET_KEY", "changeme")
    assert clears(monkeypatch, "serve", "--db", db_url) == 1
    assert "placeholder secret" in capsys.readouterr().err
    assert served == []
    monkeypatch.setenv("CLEARS_SECRET_KEY", SECRET)
    assert clears(monkeypatch, "serve", "--db", db_url, "--host", "0.0.0.0") == 0
    settings = _settings(served)
    assert (settings.environment, settings.cookie_secure) == ("production", True)
    assert settings.secret_key.get_secret_value() == SECRET
    assert "on http://0.0.0.0:8000/" in capsys.readouterr().out


def test_port_and_host_from_the_environment(
    served: list[dict[str, Any]],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CLEARS_PORT", "8765")
    monkeypatch.setenv("CLEARS_HOST", "localhost")
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    assert (served[-1]["host"], served[-1]["port"]) == ("localhost", 8765)
    assert "on http://localhost:8765/" in capsys.readouterr().out


@pytest.mark.slow
def test_accounts_counted_and_none_warned(
    served: list[dict[str, Any]],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    err = capsys.readouterr().err
    assert "the registry has no account, so nobody can sign in" in err
    assert f"'clears users add NAME --role administrator --all-centres --db {db_url}'" in err
    args = ("users", "add", "a", "--role", "monitor", "--centre", "BCN", "--password-stdin")
    assert clears(monkeypatch, *args, "--db", db_url, stdin="a long enough password\n") == 0
    capsys.readouterr()
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    assert "Users: 1 account(s) in the registry" in capsys.readouterr().out
    assert len(served) == 2


@pytest.mark.slow
def test_a_default_users_file_beside_accounts_is_named_in_a_warning(
    served: list[dict[str, Any]],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("clears-users.json").write_text('{"users": []}')
    args = ("users", "add", "a", "--role", "monitor", "--centre", "BCN", "--password-stdin")
    assert clears(monkeypatch, *args, "--db", db_url, stdin="a long enough password\n") == 0
    capsys.readouterr()
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev") == 0
    assert "warning: clears-users.json is no longer read (1 account(s) are in the registry)" in (
        capsys.readouterr().err
    )
    assert _settings(served).users_file == Path("clears-users.json")


@pytest.mark.parametrize("how", ["default", "option", "variable"])
def test_a_users_file_without_accounts_is_refused_with_the_import_command(
    how: str,
    served: list[dict[str, Any]],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    file = Path("clears-users.json") if how == "default" else tmp_path / "old.json"
    file.write_text('{"users": []}')
    extra = ["--users", str(file)] if how == "option" else []
    if how == "variable":
        monkeypatch.setenv("CLEARS_USERS_FILE", str(file))
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev", *extra) == 1
    err = capsys.readouterr().err
    assert f"the users file {file} is no longer read" in err
    assert f"has none yet; move the file's accounts in with 'clears users import {file} " in err
    assert f"--db {db_url}'" in err
    assert served == []  # nothing served


@pytest.mark.slow
def test_a_named_users_file_beside_accounts_is_refused(
    served: list[dict[str, Any]],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("users", "add", "a", "--role", "monitor", "--centre", "BCN", "--password-stdin")
    assert clears(monkeypatch, *args, "--db", db_url, stdin="a long enough password\n") == 0
    given = tmp_path / "given.json"
    given.write_text('{"users": []}')
    capsys.readouterr()
    assert clears(monkeypatch, "serve", "--db", db_url, "--dev", "--users", str(given)) == 1
    err = capsys.readouterr().err
    assert f"{db_url} has 1; to add the file's accounts run 'clears users import {given}" in err
    assert "without --users" in err
    assert served == []
