"""What several benchmarks share: the best of repeated timings, the benchmark's account, a port
and a started server, signing in, and a process's CPU time.

The benchmarks run as scripts (``python benchmarks/bench_web.py``), so their folder is on
``sys.path`` and they import this module as ``_common``.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterable

import httpx
import psutil

from clears._exceptions import NotFoundError
from clears.registry import Actor, add_account, get_account, make_engine, transaction

__all__ = [
    "PASSWORD",
    "USERNAME",
    "account",
    "best_of",
    "cpu_seconds",
    "free_port",
    "postgres_database",
    "sign_in",
    "sign_in_async",
    "tree_cpu_seconds",
    "wait_until_up",
]

#: The benchmarks' account and its password (the password rules refuse one holding the name).
USERNAME = "bench"
PASSWORD = "visits recorded under load"

_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs of ``func``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def account(
    url: str, username: str, password: str, centres: Iterable[str], role: str = "investigator"
) -> None:
    """Make sure the registry at ``url`` has the account the benchmark signs in with (a kept
    registry has it from an earlier run)."""
    actor = Actor.everywhere("bench")
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            try:
                get_account(session, actor=actor, username=username)
            except NotFoundError:
                add_account(
                    session,
                    actor=actor,
                    username=username,
                    role=role,
                    centres=centres,
                    password=password,
                )
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until the server at ``base`` answers ``/healthz``; stop the process and exit with a
    message if it ends or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def _login(page: httpx.Response, username: str, password: str) -> dict[str, str]:
    token = _LOGIN_TOKEN.search(page.text)
    if token is None:
        raise SystemExit("no sign-in form")
    return {"username": username, "password": password, "login_token": token.group(1)}


def _signed_in(done: httpx.Response) -> None:
    if done.status_code not in (200, 303):
        raise SystemExit(f"sign-in failed: {done.status_code}")


def sign_in(client: httpx.Client, username: str, password: str) -> str:
    """Sign ``client`` in through the sign-in form; the session's CSRF token."""
    _signed_in(client.post("/login", data=_login(client.get("/login"), username, password)))
    csrf: str = client.get("/api/me").json()["csrf_token"]
    return csrf


async def sign_in_async(client: httpx.AsyncClient, username: str, password: str) -> str:
    """:func:`sign_in` for an asynchronous client."""
    page = await client.get("/login")
    _signed_in(await client.post("/login", data=_login(page, username, password)))
    csrf: str = (await client.get("/api/me")).json()["csrf_token"]
    return csrf


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (``None`` when it has gone)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return float(times.user + times.system)


def tree_cpu_seconds(pid: int) -> float | None:
    """:func:`cpu_seconds` of ``pid`` and every process below it now (a server that runs
    worker processes: ``clears serve --workers N``, its job workers)."""
    own = cpu_seconds(pid)
    if own is None:
        return None
    try:
        below = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return None
    return own + sum(cpu_seconds(child.pid) or 0.0 for child in below)


def postgres_database(server: str, name: str, *, keep: bool = False) -> str:
    """The URL of database ``name`` on the PostgreSQL ``server``: a new, empty one (an
    existing one of that name is dropped first), or with ``keep`` the existing one, created
    only when missing."""
    import sqlalchemy as sa

    engine = make_engine(server)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            found = sa.text("SELECT 1 FROM pg_database WHERE datname = :n")
            exists = connection.execute(found, {"n": name}).first() is not None
            if exists and not keep:
                connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            if not (exists and keep):
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False)
