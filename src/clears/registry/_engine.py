"""Where the registry lives and how to talk to it: URL resolution, engines, transactions.

The database URL is, in order: the ``--db`` option (``url`` argument), the ``CLEARS_DB_URL``
environment variable, then ``sqlite:///clears.db`` (a file in the working directory).

SQLite connections turn on foreign keys, wait up to ``busy_timeout`` seconds for a lock, and
start every transaction with ``BEGIN IMMEDIATE`` so that two writers never interleave: the
second waits, and if the lock is still held when the wait ends it gets a
:class:`RegistryBusyError` (retryable; nothing was written). PostgreSQL needs nothing special.
"""

from __future__ import annotations

import os
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
    "RegistryBusyError",
    "make_engine",
    "resolve_url",
    "transaction",
]

#: Environment variable naming the registry database.
ENV_VAR: Final = "CLEARS_DB_URL"

#: The database used when neither ``--db`` nor ``CLEARS_DB_URL`` is given.
DEFAULT_URL: Final = "sqlite:///clears.db"


class RegistryBusyError(ClearsError):
    """Another writer held the database for too long; nothing was written, try again."""


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


def _sqlite_events(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN (so that it can be BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None, *, busy_timeout: float = 10.0) -> sa.Engine:
    """Create an engine for ``url`` (resolved with :func:`resolve_url`).

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``sqlite:///clears.db`` or
        ``postgresql+psycopg://user@host/clears``.
    busy_timeout
        SQLite only: seconds a writer waits for another writer before giving up.
    """
    resolved = resolve_url(url)
    if resolved.startswith("sqlite"):
        engine = sa.create_engine(resolved, connect_args={"timeout": busy_timeout})
        _sqlite_events(engine)
        return engine
    return sa.create_engine(resolved, pool_pre_ping=True)


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text


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
        raise
    except StaleDataError as exc:
        raise ConflictError(
            f"the record was changed by someone else while saving; nothing was written ({exc})"
        ) from exc
