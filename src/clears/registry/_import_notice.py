"""Whether an import holds the registry, and until about when: what a waiting writer is told.

An import publishes a notice when it starts and after every chunk it writes: when it
started, the rows written so far out of all it will write, and so, at the rate so far,
when it should end. A save that cannot get the registry's write lock (SQLite) or the audit
head (PostgreSQL) in time reads it, so that its error says "busy with an import until about
14:35" instead of only "busy".

On SQLite the notice is a small JSON file beside the database, ``<file>-import`` (written
whole, then renamed into place); on PostgreSQL it is the importing connection's
``application_name`` (``clears-import s=… u=… d=… t=…``, epoch seconds and row counts), which
every session reads in ``pg_stat_activity`` although the import's transaction is still
open. The import withdraws it when it ends, committed or not (on PostgreSQL a rollback also
restores the name). A notice left by a killed import is ignored: on SQLite once its process
is gone or the file is older than :data:`STALE` seconds (a live import refreshes it after
every chunk), on PostgreSQL with the connection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._engine import sqlite_path

__all__ = ["STALE", "Notice", "estimate", "notice_file", "publish", "running", "withdraw"]

#: Seconds after which a SQLite notice file nobody refreshed is ignored.
STALE: Final = 120.0

_PREFIX: Final = "clears-import"
_NAME: Final = re.compile(rf"^{_PREFIX} s=(\d+) u=(\d*) d=(\d+) t=(\d+)$")


@dataclass(frozen=True, slots=True)
class Notice:
    """A running import: when it started, rows ``done`` of ``total``, its expected end."""

    started: dt.datetime
    until: dt.datetime | None
    done: int
    total: int

    def busy_text(self) -> str:
        """What a writer kept out is told: until about when (server's local time), if known."""
        if self.until is None:
            started = self.started.astimezone().strftime("%H:%M %Z").strip()
            return (
                f"the registry is busy with an import (started at {started}, no estimate of "
                "its end yet); nothing was written, try again in a few minutes"
            )
        until = self.until.astimezone().strftime("%H:%M %Z").strip()
        return (
            f"the registry is busy with an import until about {until}; nothing was written, "
            "try again then"
        )


def estimate(started: dt.datetime, now: dt.datetime, done: int, total: int) -> dt.datetime | None:
    """When ``total`` rows will be written at the rate of the ``done`` so far (``None``: none yet).

    Examples
    --------
    >>> t0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    >>> estimate(t0, t0 + dt.timedelta(minutes=5), 250, 1000).time()
    datetime.time(12, 20)
    >>> estimate(t0, t0, 0, 1000) is None
    True
    """
    if done <= 0:
        return None
    return started + (now - started) * (max(total, done) / done)


def notice_file(url: sa.URL) -> Path | None:
    """The notice file of a SQLite database (``None``: in memory, or another backend)."""
    path = sqlite_path(url)
    return None if path is None else Path(f"{path}-import")


def _epoch(moment: dt.datetime | None) -> str:
    return "" if moment is None else str(int(moment.timestamp()))


def _moment(text: str | int | None) -> dt.datetime | None:
    if text in ("", None):
        return None
    return dt.datetime.fromtimestamp(int(text), dt.UTC)


def publish(session: Session, notice: Notice) -> None:
    """Publish (or refresh) ``notice`` for the registry of ``session``."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "postgresql":
        name = (
            f"{_PREFIX} s={_epoch(notice.started)} u={_epoch(notice.until)} "
            f"d={notice.done} t={notice.total}"
        )
        session.execute(sa.select(sa.func.set_config("application_name", name, False)))
        return
    target = notice_file(url)
    if target is None:
        return
    body = {
        "pid": os.getpid(),
        "started": _epoch(notice.started),
        "until": _epoch(notice.until),
        "done": notice.done,
        "total": notice.total,
    }
    partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(json.dumps(body), encoding="utf-8")
    os.replace(partial, target)


def withdraw(session: Session, *, committed: bool) -> None:
    """Take the notice down; on PostgreSQL only when the transaction can still run SQL
    (``committed``: it is about to commit), since a rollback restores the name itself."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "postgresql":
        if committed:
            session.execute(sa.select(sa.func.set_config("application_name", "", False)))
        return
    target = notice_file(url)
    if target is not None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, alive
        return True
    return True


def _from_file(path: Path, now: float) -> Notice | None:
    try:
        age = now - path.stat().st_mtime
        body = json.loads(path.read_text(encoding="utf-8"))
        pid = int(body["pid"])
        started = _moment(body["started"])
        notice = Notice(started or dt.datetime.now(dt.UTC), _moment(body["until"]),
                        int(body["done"]), int(body["total"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none, half gone, or not ours: no notice rather than an error
    if age > STALE or not _alive(pid):
        return None
    return notice


def _from_postgresql(engine: sa.Engine) -> Notice | None:
    query = sa.text(
        "SELECT application_name FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name LIKE :prefix"
    )
    try:
        with engine.connect() as connection:
            names = connection.execute(query, {"prefix": f"{_PREFIX} %"}).scalars().all()
    except sa.exc.SQLAlchemyError:
        return None
    for name in names:
        found = _NAME.match(str(name))
        if found:
            started, until, done, total = found.groups()
            moment = _moment(started)
            assert moment is not None
            return Notice(moment, _moment(until), int(done), int(total))
    return None


def running(engine: sa.Engine) -> Notice | None:
    """The notice of the import running on ``engine``'s registry, if one is."""
    if engine.url.get_backend_name() == "postgresql":
        return _from_postgresql(engine)
    path = notice_file(engine.url)
    if path is None:
        return None
    return _from_file(path, dt.datetime.now().timestamp())
