"""One save per submitted form: tokens claimed in the transaction that saves.

A rendered form carries a fresh random token (:func:`new_token`). The save claims it
(:func:`claim`) in its own transaction before writing: the first claim inserts the token and
the save goes on; a later claim of the same token (a double click on Save, a retry after a
lost response, another process) finds it and gets back where the first save landed, and
writes nothing. If the save fails the transaction rolls back and the token is free again,
so the corrected form can be sent with it.

Two claims racing for one token meet at the table's primary key: on SQLite the second
transaction waits for the write lock and then finds the token; on PostgreSQL its insert
waits for the first transaction and then fails as a duplicate key, which is read as
"already saved" once the first has committed.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._actor import Actor
from clears.registry._models import form_tokens_table

__all__ = ["claim", "new_token", "settle"]

#: Where a claimed save lands until :func:`settle` records its result.
_PENDING = "(pending)"


def new_token() -> str:
    """A fresh, unguessable token for one rendered form (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def _stored(session: Session, token: str) -> str | None:
    result: str | None = session.execute(
        sa.select(form_tokens_table.c.result).where(form_tokens_table.c.token == token)
    ).scalar_one_or_none()
    return result


def claim(session: Session, *, actor: Actor, token: str) -> str | None:
    """Claim ``token`` for the save about to run in ``session``'s transaction.

    Returns
    -------
    str or None
        ``None`` when the token is new (go on and save, then :func:`settle`); otherwise the
        result the earlier save recorded (do not save again).
    """
    earlier = _stored(session, token)
    if earlier is not None:
        return earlier
    row = {
        "token": token,
        "actor": actor.user,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "result": _PENDING,
    }
    try:
        with session.begin_nested():
            session.execute(sa.insert(form_tokens_table).values(**row))
    except sa.exc.IntegrityError:
        # Another transaction inserted it first and has committed by now (its insert is
        # what this one waited for).
        return _stored(session, token) or _PENDING
    return None


def settle(session: Session, *, token: str, result: str) -> None:
    """Record where the save of ``token`` landed (a page, a record id)."""
    session.execute(
        sa.update(form_tokens_table)
        .where(form_tokens_table.c.token == token)
        .values(result=result[:200])
    )
