"""Random handles that the registry keeps only as a digest, each with an expiry.

Signed-in sessions (:mod:`clears.registry._sessions`), API tokens
(:mod:`clears.registry.tokens`, :mod:`clears.registry._tokens_lookup`) and forms kept across
a sign-in (:mod:`clears.registry._kept_forms`) hand the browser or the user a secret and store
only its SHA-256, so someone who reads the database cannot use what they read. This module is
the one place that makes such a secret, computes its stored form, and decides expiry:

- :func:`new_handle`: 256 random bits from :mod:`secrets`, URL-safe (43 characters), with an
  optional prefix (``clears_`` for API tokens);
- :func:`token_hash`: the stored form, the SHA-256 of the handle in hex (64 characters); a
  lookup compares digests through a unique index, never the secret itself;
- :func:`expiry`, :func:`is_live`, :func:`live` and :func:`delete_expired`: a handle is live
  up to and including the instant it expires (``expires_at >= now``); expired rows are
  removed by a ``DELETE`` on ``expires_at`` (through its index, never a scan in Python).

Stored times come back naive from SQLite and aware from PostgreSQL; :func:`is_live` reads
a naive time as UTC.

References
----------
NIST SP 800-63B, section 7.1 (session secrets of at least 64 bits from an approved random
generator); OWASP Session Management Cheat Sheet (session IDs stored hashed, fixed idle
expiry enforced by the server).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, Final

import sqlalchemy as sa

__all__ = [
    "HANDLE_BYTES",
    "delete_expired",
    "expiry",
    "is_live",
    "live",
    "new_handle",
    "token_hash",
    "utc_now",
]

#: Random bytes in a new handle (256 bits).
HANDLE_BYTES: Final = 32


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC (the default clock of every store)."""
    return dt.datetime.now(dt.UTC)


def new_handle(prefix: str = "") -> str:
    """A new unguessable handle: ``prefix`` and :data:`HANDLE_BYTES` random bytes, URL-safe.

    Examples
    --------
    >>> handle = new_handle("clears_")
    >>> handle.startswith("clears_"), len(handle) - len("clears_")
    (True, 43)
    >>> new_handle() == new_handle()
    False
    """
    return prefix + secrets.token_urlsafe(HANDLE_BYTES)


def token_hash(handle: str) -> str:
    """The stored form of a handle: its SHA-256, in hex.

    Examples
    --------
    The SHA-256 of the empty string (FIPS 180-4 test value):

    >>> token_hash("")
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    return hashlib.sha256(handle.encode()).hexdigest()


def expiry(now: dt.datetime, seconds: float) -> dt.datetime:
    """When a handle made or refreshed at ``now`` expires, ``seconds`` later.

    Examples
    --------
    >>> expiry(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 90).isoformat()
    '2026-01-01T00:01:30+00:00'
    """
    return now + dt.timedelta(seconds=seconds)


def is_live(expires_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether a handle expiring at ``expires_at`` (naive means UTC) is live at ``now``.

    Examples
    --------
    >>> at = dt.datetime(2026, 1, 1, 12, 0)
    >>> is_live(at, at.replace(tzinfo=dt.UTC)), is_live(at, expiry(at.replace(tzinfo=dt.UTC), 1))
    (True, False)
    """
    stored = expires_at if expires_at.tzinfo is not None else expires_at.replace(tzinfo=dt.UTC)
    return stored >= now


def live(expires_at: sa.ColumnElement[Any], now: dt.datetime) -> sa.ColumnElement[bool]:
    """The SQL condition of :func:`is_live`: ``expires_at >= now``."""
    return expires_at >= now


def delete_expired(session: Any, table: sa.Table, now: dt.datetime) -> None:
    """Remove the rows of ``table`` whose ``expires_at`` is before ``now``."""
    session.execute(sa.delete(table).where(table.c.expires_at < now))
