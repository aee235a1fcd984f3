"""Forms kept across a sign-in: what was typed when a save met an ended session.

A clinician who leaves a form open past the idle timeout and presses Save must not lose what
they typed. The web app keeps the submitted fields here, for the user whose form it was and
the path it was sent to, under a random 256-bit handle (the registry stores only its
SHA-256, as for sessions: :mod:`clears.registry._hashed_handles`), and gives the handle to
the sign-in page. After that user signs in, :meth:`KeptFormStore.take` returns the fields
once, and deletes them; another user, a second take, another path or a handle past
:attr:`KeptFormStore.keep_seconds` gets nothing.

The rows live in the registry database, so a form kept by one server process is found by
whichever process serves the sign-in (a value held in one process's memory would not be).
The fields are bounded (:attr:`KeptFormStore.max_bytes`): the table cannot be used to store
arbitrary amounts, and expired rows are removed whenever a form is kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import sqlalchemy as sa

from clears._exceptions import InputError, Problem
from clears.registry._engine import transaction
from clears.registry._hashed_handles import (
    delete_expired,
    expiry,
    is_live,
    live,
    new_handle,
    token_hash,
    utc_now,
)
from clears.registry._models import kept_forms_table

__all__ = ["KEEP_MAX_BYTES", "KEEP_SECONDS", "KeptFormStore"]

#: How long a kept form waits for its user to sign in again (15 minutes).
KEEP_SECONDS: Final = 15 * 60

#: The largest kept form, as UTF-8 JSON (the largest visit form is far below 64 KiB).
KEEP_MAX_BYTES: Final = 256 * 1024


@dataclass(frozen=True)
class KeptFormStore:
    """The kept forms of one registry: keep, then take once.

    Parameters
    ----------
    engine
        The registry's engine; every call is its own short transaction.
    keep_seconds
        A kept form is given back only within this long.
    max_bytes
        The largest form kept (its fields as UTF-8 JSON).
    clock
        The current time (UTC), for tests.
    """

    engine: sa.Engine
    keep_seconds: float = KEEP_SECONDS
    max_bytes: int = KEEP_MAX_BYTES
    clock: Callable[[], dt.datetime] = field(default=utc_now)

    def keep(self, *, username: str, path: str, fields: Mapping[str, str]) -> str:
        """Keep ``fields`` sent to ``path`` for ``username``; return the new random handle.

        Raises
        ------
        InputError
            When the fields are larger than :attr:`max_bytes` (nothing is kept).
        """
        text = json.dumps(dict(fields), ensure_ascii=False, sort_keys=True)
        size = len(text.encode())
        if size > self.max_bytes:
            raise InputError(
                Problem(
                    "form",
                    f"{size} bytes",
                    "is too large to keep across a sign-in",
                    allowed=f"at most {self.max_bytes} bytes",
                )
            )
        handle = new_handle()
        now = self.clock()
        with transaction(self.engine) as session:
            delete_expired(session, kept_forms_table, now)
            session.execute(
                sa.insert(kept_forms_table).values(
                    handle_hash=token_hash(handle),
                    username=username,
                    path=path,
                    fields=text,
                    created_at=now,
                    expires_at=expiry(now, self.keep_seconds),
                )
            )
        return handle

    def take(self, handle: str | None, *, username: str, path: str) -> dict[str, str] | None:
        """The fields kept under ``handle`` for ``username`` at ``path``, removed as they are
        given (single use); ``None`` when there are none, they are another user's or
        another path's, or they expired."""
        if not handle:
            return None
        now = self.clock()
        match = (
            (kept_forms_table.c.handle_hash == token_hash(handle))
            & (kept_forms_table.c.username == username)
            & (kept_forms_table.c.path == path)
        )
        with transaction(self.engine) as session:
            row = session.execute(
                sa.select(kept_forms_table.c.fields, kept_forms_table.c.expires_at).where(match)
            ).first()
            if row is None:
                return None
            # Deleted first: of two requests taking the same handle, one deletes the row.
            deleted = session.execute(sa.delete(kept_forms_table).where(match))
            gone = deleted.rowcount  # type: ignore[attr-defined]
        if gone != 1 or not is_live(row.expires_at, now):
            return None
        loaded = json.loads(row.fields)
        return {str(k): str(v) for k, v in loaded.items()}

    def waiting(self, handle: str | None, *, username: str) -> str | None:
        """The path of the form kept under ``handle`` for ``username`` and not yet expired
        (where to go after signing in), else ``None``; nothing is taken."""
        if not handle:
            return None
        query = (
            sa.select(kept_forms_table.c.path)
            .where(kept_forms_table.c.handle_hash == token_hash(handle))
            .where(kept_forms_table.c.username == username)
            .where(live(kept_forms_table.c.expires_at, self.clock()))
        )
        with transaction(self.engine, write=False) as session:
            path: str | None = session.execute(query).scalar_one_or_none()
        return path
