"""Where the registry lives and how to talk to it: URL resolution, engines, transactions.

The database URL is, in order: the ``--db`` option (``url`` argument), the ``CLEARS_DB_URL``
environment variable, then ``sqlite:///clears.db`` (a file in the working directory).

SQLite connections turn on foreign keys, wait up to ``busy_timeout`` seconds for a lock, and
start every transaction with ``BEGIN IMMEDIATE`` so that two writers never interleave: the
second waits, and if the lock is still held when the wait ends it gets a
:class:`RegistryBusyError` (retryable; nothing was written). Within one process, writers of
the same database file first queue on an in-process lock (:class:`_WriterLock`), taken just
before ``BEGIN IMMEDIATE`` and released when the connection goes back to the pool (after
its COMMIT or ROLLBACK): they wake as soon as the previous one finishes instead of polling
SQLite's busy handler, which sleeps in growing steps of up to 100 ms. Other processes still
meet ``BEGIN IMMEDIATE`` and the busy timeout; the whole wait, lock and busy handler
together, is at most ``busy_timeout``.

URLs are printed only through :func:`shown_url`, which masks the password
(``postgresql://u:***@h/db``). Only the ``sqlite`` and ``postgresql`` schemes are accepted
(:func:`parse_url`). ``make_engine(url, must_exist=True)`` opens a SQLite file in SQLite's
``mode=rw``, so a mistyped path is an error instead of a new empty database.

SQLite files use write-ahead logging (``journal_mode=WAL``) with ``synchronous=NORMAL``: a
committed transaction survives a crash of the process; a power loss or operating-system
crash may lose the last commits but never corrupts the database or leaves half a
transaction. PostgreSQL needs nothing special.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from clears._exceptions import ClearsError, ConflictError

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "SCHEMES",
    "RegistryBusyError",
    "RegistryFullError",
    "make_engine",
    "parse_url",
    "resolve_url",
    "shown_url",
    "sqlite_path",
    "transaction",
    "writer_lock",
]

#: Environment variable naming the registry database.
ENV_VAR: Final = "CLEARS_DB_URL"

#: The database used when neither ``--db`` nor ``CLEARS_DB_URL`` is given.
DEFAULT_URL: Final = "sqlite:///clears.db"


#: Database backends (URL schemes, before any ``+driver``) the registry runs on.
SCHEMES: Final = ("sqlite", "postgresql")


class RegistryBusyError(ClearsError):
    """Another writer held the database for too long; nothing was written, try again."""


class RegistryFullError(ClearsError):
    """The disk (or the database's size limit) was full; the transaction was rolled back."""


def resolve_url(url: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """Return the database URL: ``url``, else ``$CLEARS_DB_URL``, else the default.

    Examples
    --------
    >>> resolve_url("sqlite:///x.db", environ={"CLEARS_DB_URL": "sqlite:///y.db"})
    'sqlite:///x.db'
    >>> resolve_url(None, environ={"CLEARS_DB_URL": "sqlite:///y.db"})
    'sqlite:///y.db'
    >>> resolve_url(None, environ={})
    'sqlite:///clears.db'
    """
    env = os.environ if environ is None else environ
    if url:
        return url
    return env.get(ENV_VAR) or DEFAULT_URL


def shown_url(url: str | sa.URL) -> str:
    """``url`` as printed to people: the password masked, the rest as given.

    Examples
    --------
    >>> shown_url("postgresql+psycopg://u:secret@h/db")
    'postgresql+psycopg://u:***@h/db'
    >>> shown_url("sqlite:///clears.db")
    'sqlite:///clears.db'
    >>> shown_url("not a url://u:secret@h")
    'not a url://u:***@h'
    """
    if isinstance(url, sa.URL):
        return url.render_as_string(hide_password=True)
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        # Unparsable: mask whatever sits between "user:" and "@" all the same.
        return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


def parse_url(url: str | None = None) -> sa.URL:
    """Resolve (:func:`resolve_url`) and parse a database URL; refuse unknown schemes.

    Raises
    ------
    ClearsError
        Not a URL, or a scheme other than :data:`SCHEMES`; the message shows the URL with
        its password masked.

    Examples
    --------
    >>> parse_url("sqlite:///x.db").get_backend_name()
    'sqlite'
    >>> parse_url("sqlit:///x.db")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clears._exceptions.ClearsError: sqlit:///x.db: unknown URL scheme 'sqlit'; allowed: ...
    """
    resolved = resolve_url(url)
    try:
        parsed = sa.make_url(resolved)
    except sa.exc.ArgumentError:
        raise ClearsError(
            f"{shown_url(resolved)}: not a database URL; allowed: sqlite:///FILE or "
            "postgresql://USER@HOST/DATABASE"
        ) from None
    scheme = parsed.get_backend_name()
    if scheme not in SCHEMES:
        raise ClearsError(
            f"{shown_url(parsed)}: unknown URL scheme {scheme!r}; allowed: {', '.join(SCHEMES)}"
        )
    return parsed


def sqlite_path(url: sa.URL) -> str | None:
    """The file of a SQLite URL (``None`` for an in-memory database or another backend)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        path = urllib.parse.unquote(database[len("file:") :].split("?", 1)[0])
        return path or None
    return database


class _WriterLock:
    """The in-process write lock of one SQLite database file (shared by its engines)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self, timeout: float) -> bool:
        return self._lock.acquire(timeout=max(timeout, 0.0))

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()


_WRITER_LOCKS: dict[str, _WriterLock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()

#: Key of ``Connection.info`` (the pooled connection's record) while it holds the lock.
_HOLDS: Final = "clears_writer_lock"


def writer_lock(engine: sa.Engine) -> _WriterLock:
    """The in-process write lock of ``engine``'s SQLite database.

    One lock per database file (resolved path), so every engine of this process on that
    file queues on it; an in-memory database gets a lock per engine.
    """
    database = sqlite_path(engine.url)
    key = os.path.realpath(database) if database is not None else f"engine:{id(engine)}"
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, _WriterLock())


def _release(info: dict[Any, Any]) -> None:
    held: _WriterLock | None = info.pop(_HOLDS, None)
    if held is not None:
        held.release()


def _sqlite_events(engine: sa.Engine, busy_timeout: float) -> None:
    lock = writer_lock(engine)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN (so that it can be BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Persistent once set ("memory" for :memory:). A read-only file, or another
        # connection in the way, keeps its current mode rather than failing to connect.
        with contextlib.suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # per connection; durable on crash
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        info = connection.info
        started = time.monotonic()
        if _HOLDS not in info:
            if not lock.acquire(busy_timeout):
                raise RegistryBusyError(
                    "the registry is busy with another writer; nothing was written, try again"
                )
            info[_HOLDS] = lock
        # Whatever the in-process wait used is taken off SQLite's own busy wait.
        remaining = max(busy_timeout - (time.monotonic() - started), 0.0)
        try:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(remaining * 1000)}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool: its transaction has committed or rolled back.
        if record is not None:
            _release(record.info)

    @event.listens_for(engine, "detach")
    def _detach(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            _release(record.info)


def make_engine(
    url: str | None = None, *, busy_timeout: float = 10.0, must_exist: bool = False
) -> sa.Engine:
    """Create an engine for ``url`` (resolved with :func:`resolve_url`).

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``sqlite:///clears.db`` or
        ``postgresql+psycopg://user@host/clears``.
    busy_timeout
        SQLite only: seconds a writer waits for another writer before giving up.
    must_exist
        SQLite only: open the file in SQLite's ``mode=rw``, so that connecting to a file
        that does not exist fails instead of creating an empty database.

    Raises
    ------
    ClearsError
        ``url`` is not a URL, or its scheme is not one of :data:`SCHEMES`.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if must_exist and path is not None:
            # The engine keeps the URL as given (printed, keyed on); only the connection
            # is opened through a mode=rw URI, which fails instead of creating the file.
            uri = f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=rw"

            def connect() -> sqlite3.Connection:
                return sqlite3.connect(uri, uri=True, timeout=busy_timeout, check_same_thread=False)

            engine = sa.create_engine(parsed, creator=connect)
        else:
            engine = sa.create_engine(parsed, connect_args={"timeout": busy_timeout})
        _sqlite_events(engine, busy_timeout)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text


def _is_full(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database or disk is full" in text or "no space left" in text


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[Session]:
    """One unit of work: commit at the end, roll everything back on any error.

    Raises
    ------
    RegistryBusyError
        The database stayed locked by another writer (SQLite) or the transaction could not
        be serialised (PostgreSQL); nothing was written and the call may be retried.
    ConflictError
        A record changed between reading and writing it (optimistic concurrency).
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    try:
        with factory.begin() as session:
            yield session
    except sa.exc.OperationalError as exc:
        if _is_busy(exc):
            raise RegistryBusyError(
                "the registry is busy with another writer; nothing was written, try again"
            ) from exc
        if _is_full(exc):
            raise RegistryFullError(
                "the disk is full (or the database reached its size limit); the transaction "
                "was rolled back and nothing was written; free space and try again"
            ) from exc
        raise
    except StaleDataError as exc:
        raise ConflictError(
            f"the record was changed by someone else while saving; nothing was written ({exc})"
        ) from exc
