"""Who holds a registry: ``clears serve`` holds it shared, ``clears db restore`` alone.

A restore replaces the whole database; a server still running on the old one would go on
writing to a file that is no longer the registry (SQLite) or meet tables dropped under it
(PostgreSQL). So ``clears serve`` holds the registry for as long as it runs, and a restore
first tries, without waiting, to hold it exclusively, refusing and naming the holder when
it cannot:

* SQLite: an advisory lock (``flock``) on the file ``<database>.lock`` beside the database,
  shared by every server, exclusive for a restore. The operating system releases it when
  the process ends, however it ends (``kill -9`` included). The holder's process id comes
  from ``/proc/locks`` (Linux), and its command line from ``/proc/<pid>/cmdline``.
* PostgreSQL: the session-level advisory lock :data:`ADVISORY_KEY`, taken shared by a
  server on a connection it keeps open, and tried exclusively by a restore; the holders'
  sessions are read from ``pg_locks`` and ``pg_stat_activity``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from clears._exceptions import ClearsError
from clears.registry._engine import make_engine, parse_url, shown_url, sqlite_path

__all__ = ["ADVISORY_KEY", "RegistryHeldError", "hold", "lock_file", "sqlite_holders"]

#: PostgreSQL advisory lock key of a registry database (the bytes of "clears" as a number).
ADVISORY_KEY: Final = int.from_bytes(b"clears", "big")


class RegistryHeldError(ClearsError):
    """Another process holds the registry (a server during a restore, or the reverse)."""


def lock_file(database: str | Path) -> Path:
    """The lock file of a SQLite database file: ``<database>.lock`` beside it."""
    return Path(f"{database}.lock")


def _describe(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"process {pid}"
    parts = (part.decode(errors="replace") for part in raw.split(b"\0") if part)
    command = " ".join(" ".join(parts).split())  # one line, whatever the arguments held
    return f"process {pid} ({command[:300]})" if command else f"process {pid}"


def sqlite_holders(path: Path) -> list[str]:
    """The processes holding a ``flock`` on ``path``, from ``/proc/locks`` (Linux only)."""
    try:
        info = path.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    found: list[str] = []
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  READ 1234 08:01:5678 0 EOF" ("->" marks a waiting lock).
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK":
            continue
        if fields[5] == wanted and fields[4].isdigit() and int(fields[4]) != os.getpid():
            found.append(_describe(int(fields[4])))
    return sorted(set(found))


@contextlib.contextmanager
def _hold_sqlite(url: sa.URL, path: str, *, exclusive: bool) -> Iterator[None]:
    file = lock_file(path)
    try:
        try:
            handle = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:  # made by another account: a read-only handle locks too
            handle = os.open(file, os.O_RDONLY)
    except OSError as exc:
        raise RegistryHeldError(
            f"{shown_url(url)}: cannot create the lock file {file} ({exc.strerror})"
        ) from None
    try:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            holders = ", ".join(sqlite_holders(file)) or "another process"
            raise RegistryHeldError(_held_message(url, holders, exclusive=exclusive)) from None
        yield
    finally:
        os.close(handle)  # releases the lock


def _held_message(url: sa.URL, holders: str, *, exclusive: bool) -> str:
    if exclusive:
        return (
            f"{shown_url(url)} is in use by {holders}; stop the server "
            "(clears serve) before restoring; nothing was changed"
        )
    return f"{shown_url(url)} is being restored by {holders}; start the server when it ends"


_HOLDERS_SQL: Final = sa.text(
    "SELECT a.pid, a.application_name, a.client_addr, a.backend_start "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid = :high AND l.objid = :low AND l.objsubid = 1"
)


def _pg_holders(connection: sa.Connection) -> str:
    rows = connection.execute(
        _HOLDERS_SQL, {"high": ADVISORY_KEY >> 32, "low": ADVISORY_KEY & 0xFFFFFFFF}
    ).all()
    shown = [
        f"session {pid} ({name or 'no application name'}, from {addr or 'local socket'}, "
        f"since {started:%Y-%m-%d %H:%M})"
        for pid, name, addr, started in rows
    ]
    return ", ".join(shown) or "another session"


@contextlib.contextmanager
def _hold_postgres(url: sa.URL, *, exclusive: bool) -> Iterator[None]:
    from clears.registry._open import connection_failure

    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        try:
            connection = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise connection_failure(exc, url) from None
        with connection:
            function = "pg_try_advisory_lock" if exclusive else "pg_try_advisory_lock_shared"
            got = connection.execute(
                sa.text(f"SELECT {function}(:key)"), {"key": ADVISORY_KEY}
            ).scalar_one()
            connection.commit()
            if not got:
                raise RegistryHeldError(
                    _held_message(url, _pg_holders(connection), exclusive=exclusive)
                )
            try:
                yield
            finally:
                unlock = "pg_advisory_unlock" if exclusive else "pg_advisory_unlock_shared"
                with contextlib.suppress(sa.exc.DBAPIError):
                    connection.execute(sa.text(f"SELECT {unlock}(:key)"), {"key": ADVISORY_KEY})
                    connection.commit()
    finally:
        engine.dispose()


@contextlib.contextmanager
def hold(url: str | None, *, exclusive: bool) -> Iterator[None]:
    """Hold the registry at ``url`` while the block runs, without waiting for it.

    Parameters
    ----------
    exclusive
        ``False``: a server (any number of them may hold it together); ``True``: a restore
        (nobody else may hold it).

    Raises
    ------
    RegistryHeldError
        Someone else holds it the other way; the message names who.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is None:  # in memory: nobody else can see it
            yield
            return
        if not exclusive:  # a server needs the registry: no lock file beside nothing
            from clears.registry._open import require_sqlite_file

            require_sqlite_file(parsed)
        with _hold_sqlite(parsed, path, exclusive=exclusive):
            yield
        return
    with _hold_postgres(parsed, exclusive=exclusive):
        yield
