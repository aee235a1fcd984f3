"""Signed-in sessions in the registry database, shared by every server process.

A session is a random 256-bit token in the browser's cookie; the ``user_sessions`` table
keeps only its SHA-256 (someone who reads the database cannot sign in with what they read),
whose account it is, and when it expires: :attr:`SessionStore.idle_seconds` after it was
last used (a session idle for exactly that long is still live). Each request looks its
token up by primary key, joined to the account, in a read-only transaction, so a sign-out
or a disabled account (whose sessions are deleted in the disabling transaction,
:func:`clears.registry.accounts.set_disabled`) is refused by every process from the next
request on.

Writes are kept off the request path: the expiry moves forward at most once every
:attr:`SessionStore.touch_seconds` (a session therefore ends between ``idle_seconds -
touch_seconds`` and ``idle_seconds`` after its last use), and expired rows are deleted when
someone signs in, through the index on ``expires_at`` (never a scan of the table).
:meth:`SessionStore.use` says when a request moved the expiry, so the web app renews the
browser's cookie for as long at that moment (:mod:`clears.web._session_cookie`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from clears.registry._accounts_rules import Account, account_of_row, as_utc
from clears.registry._engine import RegistryBusyError, transaction
from clears.registry._hashed_handles import (
    delete_expired,
    expiry,
    live,
    new_handle,
    token_hash,
    utc_now,
)
from clears.registry._models import user_sessions_table, users_table

__all__ = ["SessionStore", "SessionUse", "token_hash"]


@dataclass(frozen=True)
class SessionUse:
    """One request's use of a live session.

    Attributes
    ----------
    account
        The session's enabled account.
    refreshed
        Whether this use moved the expiry forward (to ``idle_seconds`` from now): the moment
        to renew the browser's cookie for as long.
    """

    account: Account
    refreshed: bool


@dataclass(frozen=True)
class SessionStore:
    """The sessions of one registry: start, look up (refreshing the idle expiry), end.

    Parameters
    ----------
    engine
        The registry's engine; every call is its own short transaction.
    idle_seconds
        A session ends this long after it was last used.
    touch_seconds
        The expiry is moved forward at most this often (default: a tenth of
        ``idle_seconds``, at most a minute).
    clock
        The current time (UTC), for tests.
    """

    engine: sa.Engine
    idle_seconds: float
    touch_seconds: float | None = None
    clock: Callable[[], dt.datetime] = field(default=utc_now)

    def _touch_after(self) -> dt.timedelta:
        seconds = self.touch_seconds
        if seconds is None:
            seconds = min(60.0, self.idle_seconds / 10)
        return dt.timedelta(seconds=seconds)

    def create(self, username: str, *, replacing: str | None = None) -> str:
        """Start a session for ``username`` (an existing account); return its new token.

        ``replacing`` (the browser's old token, if any) is ended in the same transaction, so
        every sign-in gets a new token (no session fixation). Expired sessions are removed.
        """
        token = new_handle()
        now = self.clock()
        with transaction(self.engine) as session:
            delete_expired(session, user_sessions_table, now)
            if replacing:
                _delete(session, replacing)
            user_key = session.execute(
                sa.select(users_table.c.id).where(users_table.c.username == username)
            ).scalar_one()
            session.execute(
                sa.insert(user_sessions_table).values(
                    token_hash=token_hash(token),
                    user_key=user_key,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expiry(now, self.idle_seconds),
                )
            )
        return token

    def get(self, token: str | None) -> Account | None:
        """The enabled account of a live session (refreshing its expiry), else ``None``."""
        use = self.use(token)
        return None if use is None else use.account

    def use(self, token: str | None) -> SessionUse | None:
        """The live session of ``token`` with an enabled account (its expiry refreshed at
        most every ``touch_seconds``), else ``None``."""
        if not token:
            return None
        now = self.clock()
        digest = token_hash(token)
        query = (
            sa.select(users_table, user_sessions_table.c.last_seen_at)
            .join(user_sessions_table, user_sessions_table.c.user_key == users_table.c.id)
            .where(user_sessions_table.c.token_hash == digest)
            .where(live(user_sessions_table.c.expires_at, now))
        )
        with transaction(self.engine, write=False) as session:
            row: Any = session.execute(query).first()
        if row is None or row.disabled:
            return None
        seen = as_utc(row.last_seen_at)
        refreshed = (seen is None or now - seen >= self._touch_after()) and self._touch(digest, now)
        return SessionUse(account_of_row(row), refreshed)

    def _touch(self, digest: str, now: dt.datetime) -> bool:
        """Move the expiry forward (``True`` when moved); skipped while another writer holds
        the database (the session is still valid until its current expiry)."""
        try:
            with transaction(self.engine) as session:
                session.execute(
                    sa.update(user_sessions_table)
                    .where(user_sessions_table.c.token_hash == digest)
                    .where(live(user_sessions_table.c.expires_at, now))
                    .values(last_seen_at=now, expires_at=expiry(now, self.idle_seconds))
                )
        except RegistryBusyError:
            return False
        return True

    def end(self, token: str | None) -> None:
        """End a session (sign-out), in every process at once."""
        if token:
            with transaction(self.engine) as session:
                _delete(session, token)


def _delete(session: Any, token: str) -> None:
    session.execute(
        sa.delete(user_sessions_table).where(user_sessions_table.c.token_hash == token_hash(token))
    )
