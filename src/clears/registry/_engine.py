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

A transaction that only reads (``transaction(engine, write=False)``) takes neither lock: on
SQLite it starts with a plain ``BEGIN`` and reads the snapshot write-ahead logging gives it,
however long another writer (a large ``clears import``) holds the write lock, and
``PRAGMA query_only`` refuses any write it tries; on PostgreSQL it is ``READ ONLY``. The web
app reads this way for every ``GET``.

On PostgreSQL a writer waits at most ``busy_timeout`` for a row or table lock
(``SET LOCAL lock_timeout``): a save queued behind the audit head an import holds gets the
same retryable :class:`RegistryBusyError` instead of waiting for the whole import. While an
import runs, the error names it and when it should end (:mod:`._import_notice`).

URLs are printed only through :func:`shown_url`, which masks the password
(``postgresql://u:***@h/db``). Only the ``sqlite`` and ``postgresql`` schemes are accepted
(:func:`parse_url`). ``make_engine(url, must_exist=True)`` opens a SQLite file in SQLite's
``mode=rw``, so a mistyped path is an error instead of a new empty database.

While an import is running (its notice is up, :mod:`._import_notice`), a SQLite writer
waits at most :data:`IMPORT_WAIT` seconds: the import would hold the lock for longer than
any busy timeout, so the error, which says until about when, comes at once.

SQLite files use write-ahead logging (``journal_mode=WAL``) with ``synchronous=NORMAL``: a
committed transaction survives a crash of the process; a power loss or operating-system
crash may lose the last commits but never corrupts the database or leaves half a
transaction. PostgreSQL needs nothing special.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import threading
import time
import urllib.parse
import weakref
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
    """Another writer held the database for too long; nothing was written, try again.

    ``importing``: an import holds the registry; ``until``: when it should end (UTC), once
    it can tell.
    """

    def __init__(
        self, message: str, *, until: dt.datetime | None = None, importing: bool = False
    ) -> None:
        super().__init__(message)
        self.until = until
        self.importing = importing or until is not None


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

#: Execution option of the engines :func:`transaction` reads through (``write=False``).
_READ_ONLY: Final = "clears_read_only"

#: Key of ``Connection.info`` while a read transaction has ``PRAGMA query_only`` on.
_QUERY_ONLY: Final = "clears_query_only"

_BUSY: Final = "the registry is busy with another writer; nothing was written, try again"


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


#: Seconds a SQLite writer waits, at most, while an import holds the registry (it would
#: hold it for longer than any busy timeout: better to say so at once).
IMPORT_WAIT: Final = 2.0


def _import_wait(engine: sa.Engine, busy_timeout: float) -> float:
    """How long a writer waits for the lock: shorter while an import is running."""
    from clears.registry._import_notice import running

    return min(busy_timeout, IMPORT_WAIT) if running(engine) is not None else busy_timeout


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
        if connection.get_execution_options().get(_READ_ONLY):
            # A reader: its own snapshot, no lock; a write in it is an error, not a wait.
            connection.exec_driver_sql("PRAGMA query_only=ON")
            info[_QUERY_ONLY] = True
            connection.exec_driver_sql("BEGIN")
            return
        started = time.monotonic()
        timeout = _import_wait(engine, busy_timeout)
        if _HOLDS not in info:
            if not lock.acquire(timeout):
                raise RegistryBusyError(_BUSY)
            info[_HOLDS] = lock
        # Whatever the in-process wait used is taken off SQLite's own busy wait.
        remaining = max(timeout - (time.monotonic() - started), 0.0)
        try:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(remaining * 1000)}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection: Any, record: Any) -> None:
        # Back in the pool: its transaction has committed or rolled back.
        if record is not None:
            _release(record.info)
            if record.info.pop(_QUERY_ONLY, False) and dbapi_connection is not None:
                dbapi_connection.execute("PRAGMA query_only=OFF")

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
    engine = sa.create_engine(parsed, pool_pre_ping=True)
    _postgresql_events(engine, busy_timeout)
    return engine


def _postgresql_events(engine: sa.Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(busy_timeout * 1000)}")


_READERS: weakref.WeakKeyDictionary[sa.Engine, sa.Engine] = weakref.WeakKeyDictionary()
_READERS_GUARD = threading.Lock()


def _reader(engine: sa.Engine) -> sa.Engine:
    """``engine`` marked for read transactions (same pool and events), made once."""
    with _READERS_GUARD:
        reader = _READERS.get(engine)
        if reader is None:
            reader = engine.execution_options(**{_READ_ONLY: True})
            _READERS[engine] = reader
        return reader


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(
        sign in text
        for sign in ("database is locked", "could not serialize", "deadlock", "lock timeout")
    )


def _busy(engine: sa.Engine, cause: BaseException | None = None) -> RegistryBusyError:
    """The busy error, naming the import that holds the registry when one does."""
    from clears.registry._import_notice import running

    notice = running(engine)
    if notice is None:
        return RegistryBusyError(_BUSY)
    return RegistryBusyError(notice.busy_text(), until=notice.until, importing=True)


def _is_full(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database or disk is full" in text or "no space left" in text


@contextmanager
def transaction(engine: sa.Engine, *, write: bool = True) -> Iterator[Session]:
    """One unit of work: commit at the end, roll everything back on any error.

    Parameters
    ----------
    engine
        The registry's engine.
    write
        ``False`` for a transaction that only reads: it takes no write lock and never waits
        for a writer (SQLite: plain ``BEGIN`` and ``PRAGMA query_only``; PostgreSQL:
        ``READ ONLY``), and any write in it fails.

    Raises
    ------
    RegistryBusyError
        The database stayed locked by another writer (SQLite) or the transaction could not
        be serialised or waited too long for a lock (PostgreSQL); nothing was written and
        the call may be retried. When an import holds the registry the error says until
        about when.
    ConflictError
        A record changed between reading and writing it (optimistic concurrency).
    """
    factory = sessionmaker(engine if write else _reader(engine), expire_on_commit=False)
    try:
        with factory.begin() as session:
            yield session
    except RegistryBusyError as exc:
        if exc.importing:
            raise
        raise _busy(engine) from exc
    except sa.exc.OperationalError as exc:
        if _is_busy(exc):
            raise _busy(engine) from exc
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
