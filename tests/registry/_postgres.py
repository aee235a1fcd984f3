"""A throwaway PostgreSQL server for the registry tests.

Order of attempts: ``$CLEARS_TEST_POSTGRES_URL`` (a server someone already runs); else a
cluster started with Debian's ``initdb``/``pg_ctl`` on a free loopback port in a temporary
folder, installing the ``postgresql`` package first (``tests/_system.py``) when it is
missing. ``initdb`` refuses to run as root, so the cluster belongs to the ``postgres`` user.
Every failure is returned as a reason, for a visible skip (or a failure in CI).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests import _system

ENV_URL = "CLEARS_TEST_POSTGRES_URL"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _install() -> str | None:
    return _system.install("postgresql")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def postgres_server() -> Iterator[tuple[str | None, str]]:
    """Yield ``(url, reason)``: a server URL, or ``None`` and why there is none."""
    given = os.environ.get(ENV_URL)
    if given:
        yield given, ""
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        reason = _install()
        bin_dir = _bin_dir()
        if bin_dir is None:
            yield None, reason or "initdb not found after installing postgresql"
            return
    folder = Path(tempfile.mkdtemp(prefix="clears-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    log = folder / "server.log"
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    init = subprocess.run(_as_postgres(initdb), capture_output=True, text=True, check=False)
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        yield None, f"initdb failed: {init.stderr.strip()[-500:]}"
        return
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(bin_dir / "pg_ctl")
    start = [pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
    started = subprocess.run(_as_postgres(start), capture_output=True, text=True, check=False)
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        yield None, f"pg_ctl start failed: {started.stderr.strip()[-500:]}"
        return
    try:
        time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ""
    finally:
        stop = [pg_ctl, "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(_as_postgres(stop), capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def empty_postgres(purpose: str) -> Iterator[str]:
    """Yield the URL of a PostgreSQL server whose ``public`` schema is empty; without a server,
    skip locally and fail in CI (:func:`tests._system.unavailable`), naming ``purpose``."""
    from clears.registry._engine import make_engine

    with postgres_server() as (url, reason):
        if url is None:
            _system.unavailable(f"no PostgreSQL server for {purpose}: {reason}")
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        yield url
