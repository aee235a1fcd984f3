"""``clears serve --workers N`` as a real command, for the tests of several server processes.

:func:`serving` starts the command on a free loopback port and waits until it answers;
:func:`once` sends one request on a new connection (so the kernel may hand it to any
process); :func:`children` and :func:`server_processes` read the process tree (psutil).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import psutil
from tests.web._setup import SECRET

__all__ = ["children", "free_port", "once", "server_processes", "serving", "set_cookies"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def serving(
    url: str,
    *,
    workers: int,
    job_workers: int,
    environment: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    """``clears serve --workers N --job-workers M`` under test settings on the registry at
    ``url`` (plus ``environment``): its base URL and the command's pid; stopped (SIGTERM,
    then SIGKILL) at the end."""
    port = free_port()
    variables = os.environ | {
        "CLEARS_SECRET_KEY": SECRET,
        "CLEARS_ENVIRONMENT": "test",
        "CLEARS_DB_URL": url,
        **(environment or {}),
    }
    command = [sys.executable, "-m", "clears.cli.main", "serve", "--workers", str(workers)]
    command += ["--job-workers", str(job_workers), "--port", str(port)]
    server = subprocess.Popen(
        command, env=variables, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"clears serve --workers {workers} stopped"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server processes did not start"
            time.sleep(0.2)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def once(method: str, url: str, cookies: dict[str, str], **options: Any) -> httpx.Response:
    """One request on a new connection, sending ``cookies`` by hand (the session cookie is
    ``Secure``, which a cookie jar keeps off plain http)."""
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    headers = {**({"Cookie": header} if header else {}), **options.pop("headers", {})}
    with httpx.Client(timeout=10) as client:
        return client.request(method, url, headers=headers, **options)


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """The cookies ``response`` sets, by name."""
    found = {}
    for line in response.headers.get_list("set-cookie"):
        name, _, rest = line.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` now (none when ``pid`` has gone)."""
    try:
        return [child.pid for child in psutil.Process(pid).children()]
    except psutil.NoSuchProcess:
        return []


def _is_server_process(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not) as one of uvicorn's
    server processes (started with multiprocessing's *spawn*: ``spawn_main`` on its command
    line)."""
    try:
        process = psutil.Process(pid)
        running = process.status() != psutil.STATUS_ZOMBIE
        return running and any("spawn_main" in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def server_processes(pid: int) -> set[int]:
    """The running server processes under the command ``pid``: uvicorn starts each of
    ``--workers`` with multiprocessing's *spawn* (``spawn_main`` on its command line), the
    job workers are ``clears ... jobs work``."""
    return {child for child in children(pid) if _is_server_process(child)}
