"""Accounts, tokens and the sign-in limit across several server processes on PostgreSQL.

The real command (``clears serve --workers 2``) runs on a PostgreSQL registry; every request
goes on a new connection, so the kernel hands it to either process, and under test settings
each answer names its process (``x-clears-worker-pid``). Each check is repeated until both
processes have answered, so a rule held in one process's memory would show.

- A user disabled with ``clears users disable`` (another process again: the command line)
  is refused by both server processes at once, signed-in session and new sign-in alike.
- An API token scoped to centre BCN (a BCN monitor's) reads BCN's patient through both
  processes and gets 404 for LYO's patient from both; revoked with ``clears tokens
  revoke``, it is refused by both.
- Failed sign-ins counted by one process count in the other: after the address's limit of
  failures, spread over both processes, both refuse the address (429), even with the right
  password.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests.web._backends import postgres_web_registry  # noqa: F401 - a fixture
from tests.web._setup import PASSWORD, SECRET, add_users
from tests.web._workers import once, serving, set_cookies

from clears.cli.serve import WORKER_PID_HEADER

COOKIE = "clears_session"

#: The failures an address may have within the window (``CLEARS_LOGIN_ATTEMPTS``).
ATTEMPTS = 4


@pytest.fixture
def two_processes(postgres_web_registry: str, password_hash: str) -> Iterator[tuple[str, str]]:  # noqa: F811
    """``clears serve --workers 2`` on the PostgreSQL registry: its base URL and the
    registry's URL; stopped at the end."""
    add_users(postgres_web_registry, password_hash)
    # The registry is the module's: start each test with no failed sign-ins counted.
    engine = sa.create_engine(postgres_web_registry)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM sign_in_failures"))
    engine.dispose()
    environment = {"CLEARS_LOGIN_ATTEMPTS": str(ATTEMPTS)}
    with serving(postgres_web_registry, workers=2, job_workers=0, environment=environment) as (
        base,
        _pid,
    ):
        yield base, postgres_web_registry


def _command(url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``clears ARGUMENTS`` in a process of its own on the registry at ``url``."""
    environment = os.environ | {"CLEARS_DB_URL": url, "CLEARS_SECRET_KEY": SECRET}
    done = subprocess.run(
        [sys.executable, "-m", "clears.cli.main", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def _both(check: Callable[[], httpx.Response], limit: int = 200) -> dict[str, int]:
    """Send ``check()`` until both server processes answered; the status each gave last."""
    seen: dict[str, int] = {}
    for _ in range(limit):
        answer = check()
        seen[answer.headers[WORKER_PID_HEADER]] = answer.status_code
        if len(seen) >= 2:
            return seen
    raise AssertionError(f"only process(es) {sorted(seen)} answered in {limit} requests")


def _login_form(base: str) -> tuple[dict[str, str], str]:
    """A fresh sign-in page's cookies and its login token."""
    page = once("GET", f"{base}/login", {})
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    return set_cookies(page), token.group(1)


def _sign_in(base: str, username: str, password: str) -> httpx.Response:
    cookies, token = _login_form(base)
    data = {"username": username, "password": password, "login_token": token}
    return once("POST", f"{base}/login", cookies, data=data, follow_redirects=False)


@pytest.mark.slow
def test_a_disabled_user_is_refused_by_every_process_at_once(
    two_processes: tuple[str, str],
) -> None:
    base, url = two_processes
    signed = _sign_in(base, "inv_bcn", PASSWORD)
    assert signed.status_code == 303, signed.text
    session = {COOKIE: set_cookies(signed)[COOKIE]}

    def me() -> httpx.Response:
        return once("GET", f"{base}/api/me", session)

    assert set(_both(me).values()) == {200}

    _command(url, "users", "disable", "inv_bcn")

    # The very next request to either process is refused: nothing waits for a cache to expire.
    assert set(_both(me).values()) == {401}
    # A new sign-in is refused too (fewer tries than the address's limit of failures).
    refused = [_sign_in(base, "inv_bcn", PASSWORD) for _ in range(ATTEMPTS - 1)]
    assert {answer.status_code for answer in refused} == {401}


@pytest.mark.slow
def test_a_centre_scoped_token_reads_its_centre_only_and_a_revoked_one_nothing(
    two_processes: tuple[str, str],
) -> None:
    base, url = two_processes
    made = _command(url, "tokens", "create", "monitor_bcn", "--label", "t", "--days", "1")
    secret = made.stdout.strip()
    number = re.search(r"token for monitor_bcn:\s+(\d+)", made.stderr)
    assert secret, made.stderr
    assert number is not None, made.stderr
    bearer: dict[str, Any] = {"headers": {"Authorization": f"Bearer {secret}"}}

    def read(patient: str) -> Callable[[], httpx.Response]:
        return lambda: once("GET", f"{base}/api/patients/{patient}", {}, **bearer)

    # Seeded by tests.web._setup.seed: P1 at BCN, P2 at LYO.
    assert set(_both(read("P1")).values()) == {200}
    assert set(_both(read("P2")).values()) == {404}

    _command(url, "tokens", "revoke", "monitor_bcn", number.group(1))
    assert set(_both(read("P1")).values()) == {401}


@pytest.mark.slow
def test_failed_sign_ins_count_in_every_process(two_processes: tuple[str, str]) -> None:
    base, _url = two_processes
    for _ in range(ATTEMPTS):
        failed = _sign_in(base, "inv_lyo", "not the password at all")
        assert failed.status_code == 401

    def right_password() -> httpx.Response:
        return _sign_in(base, "inv_lyo", PASSWORD)

    # Both processes refuse the address, though each saw only some of the failures.
    assert set(_both(right_password).values()) == {429}
