"""``clears serve --workers N``: refused on SQLite, several server processes on PostgreSQL.

The PostgreSQL test starts the real command (two server processes and one job worker) and
talks to it over TCP, one connection per request, so the kernel hands requests to either
process; under test settings each answer names its process (``x-clears-worker-pid``). It
signs in through one process and reads through the other, then signs out through one and
is refused by both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from tests._cli import clears
from tests.web._backends import postgres_web_registry  # noqa: F401 - a fixture
from tests.web._setup import PASSWORD, SECRET, add_users, make_database
from tests.web._workers import children, once, serving, set_cookies

from clears.cli.jobs import PARENT_ENV
from clears.cli.serve import WORKER_PID_HEADER

COOKIE = "clears_session"
LOGIN_COOKIE = "clears_login"


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls of uvicorn.run (no server is started)."""
    for name in ("CLEARS_ENVIRONMENT", "CLEARS_DB_URL", "CLEARS_USERS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLEARS_SECRET_KEY", SECRET)
    calls: list[dict[str, Any]] = []

    def run(app: Any, **options: Any) -> None:
        calls.append({"app": app, **options})
        if not isinstance(app, str):
            app.state.clears.registry.engine.dispose()

    monkeypatch.setattr("uvicorn.run", run)
    return calls


@pytest.mark.slow
@pytest.mark.parametrize("count", ["2", "8"])
def test_several_workers_on_sqlite_are_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    recorded: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    count: str,
) -> None:
    url = make_database(tmp_path / "clears.db")
    code = clears(monkeypatch, "serve", "--workers", count, "--job-workers", "0", "--db", url)
    err = capsys.readouterr().err
    assert code != 0
    assert "--workers" in err
    assert count in err
    assert "SQLite" in err
    assert "PostgreSQL" in err
    assert recorded == []


@pytest.mark.slow
def test_one_worker_on_sqlite_serves_as_before(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, recorded: list[dict[str, Any]]
) -> None:
    url = make_database(tmp_path / "clears.db")
    assert clears(monkeypatch, "serve", "--workers", "1", "--job-workers", "0", "--db", url) == 0
    (call,) = recorded
    assert not isinstance(call["app"], str)
    assert "workers" not in call


@pytest.fixture
def two_processes(postgres_web_registry: str, password_hash: str) -> Iterator[tuple[str, int]]:  # noqa: F811
    """``clears serve --workers 2 --job-workers 1`` on the PostgreSQL registry: its base URL
    and the command's pid; stopped (SIGTERM, then SIGKILL) at the end."""
    add_users(postgres_web_registry, password_hash)
    with serving(postgres_web_registry, workers=2, job_workers=1) as served:
        yield served


def _until_both(check: Any, limit: int = 200) -> dict[str, Any]:
    """Call ``check()`` (returning (pid, value)) until two pids answered; their values."""
    seen: dict[str, Any] = {}
    for _ in range(limit):
        pid, value = check()
        seen[pid] = value
        if len(seen) >= 2:
            return seen
    raise AssertionError(f"only process(es) {sorted(seen)} answered in {limit} requests")


@pytest.mark.slow  # over a second in --durations
def test_two_processes_share_sessions_and_sign_out(two_processes: tuple[str, int]) -> None:
    base, server_pid = two_processes
    page = once("GET", f"{base}/login", {})
    login = set_cookies(page)
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    signed = once(
        "POST",
        f"{base}/login",
        login,
        data={"username": "inv_bcn", "password": PASSWORD, "login_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    session = {COOKIE: set_cookies(signed)[COOKIE]}
    signed_by = signed.headers[WORKER_PID_HEADER]

    def me() -> tuple[str, object]:
        answer = once("GET", f"{base}/api/me", session)
        return answer.headers[WORKER_PID_HEADER], (answer.status_code, answer.json())

    answers = _until_both(me)
    assert signed_by in answers
    for status, body in answers.values():
        assert status == 200
        assert body["username"] == "inv_bcn"
    csrf = next(iter(answers.values()))[1]["csrf_token"]

    out = once("POST", f"{base}/logout", session, data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code in (200, 303)

    def refused() -> tuple[str, int]:
        answer = once("GET", f"{base}/api/me", session)
        return answer.headers[WORKER_PID_HEADER], answer.status_code

    assert set(_until_both(refused).values()) == {401}

    # The job worker watches the command itself (the server processes' supervisor).
    workers = [p for p in children(server_pid) if "jobs" in psutil.Process(p).cmdline()]
    assert len(workers) == 1
    assert psutil.Process(workers[0]).environ().get(PARENT_ENV) == str(server_pid)
