"""API tokens for scripts: made for one user, scoped, shown once, expiring, revocable.

A token lets a script read (or read and write) the JSON API as its user without a browser,
as REDCap's API tokens do. Each token has

- a scope: :attr:`TokenScope.read` (``GET`` and ``HEAD`` only) or :attr:`TokenScope.write`
  (read and write, for roles that may write);
- centres: a subset of its user's (all of them by default); at each use they are narrowed
  again to the user's centres of that moment, so taking a centre from a user takes it from
  their tokens too;
- an expiry, always, at most ``max_days`` days ahead (``api_token_max_days`` in the web
  settings, :data:`DEFAULT_MAX_DAYS` unless set);
- a label for its owner to recognise it by, and the time it was last used.

The secret is ``clears_`` and 256 random bits (:func:`secrets.token_urlsafe`), shown once by
:func:`create_token` and never stored: the table keeps its SHA-256. A salted slow hash
(Argon2, as for passwords) is not needed and would be wrong here: it protects secrets a
person chose, which are guessable, whereas a 256-bit random secret cannot be found from its
SHA-256 by any search, and the lookup runs on every API request, where Argon2's deliberate
cost (tens of milliseconds and memory per request) would be paid on every call. The plain
digest also lets the lookup be one unique-index probe.

Every creation and revocation is one audited write (entity ``api_tokens``) in the same
hash chain as clinical data, recording the owner, label, scope, centres, expiry and
revocation time, never the secret or its hash. A revoked token keeps its row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import InputError, NotFoundError, Problem
from clears.registry import audit
from clears.registry._accounts_rules import (
    ALL_CENTRES,
    account_of_row,
    as_utc,
    centres_of_row,
    manages,
)
from clears.registry._actor import Actor
from clears.registry._hashed_handles import new_handle, token_hash
from clears.registry._models import (
    TOKEN_LABEL_LENGTH,
    api_tokens_table,
    centres_table,
    users_table,
)

__all__ = [
    "DEFAULT_MAX_DAYS",
    "TOKEN_PREFIX",
    "ApiToken",
    "TokenScope",
    "create_token",
    "list_tokens",
    "revoke_token",
]

_ENTITY: Final = "api_tokens"

#: The longest a token may live unless the settings say otherwise, in days.
DEFAULT_MAX_DAYS: Final = 90

#: How every token's secret begins (so that secret scanners and people recognise one).
TOKEN_PREFIX: Final = "clears_"


class TokenScope(StrEnum):
    """What a token may do: ``read`` (GET and HEAD only) or ``write`` (read and write)."""

    read = "read"
    write = "write"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """One token as its owner sees it listed (never its secret or hash).

    ``centres`` holds centre codes, or only ``"*"`` for every centre of its user.
    """

    id: int
    username: str
    label: str
    scope: TokenScope
    centres: frozenset[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    def live(self, at: dt.datetime) -> bool:
        """Whether the token is accepted at ``at`` (not revoked, not expired)."""
        return self.revoked_at is None and at < self.expires_at


def _now(at: dt.datetime | None) -> dt.datetime:
    return (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def _stored(value: dt.datetime) -> dt.datetime:
    """A time of a NOT NULL column, as an aware UTC time."""
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _token_of_row(row: Any, username: str) -> ApiToken:
    centres = centres_of_row(row)
    created, expires = _stored(row.created_at), _stored(row.expires_at)
    return ApiToken(
        id=row.id,
        username=username,
        label=row.label,
        scope=TokenScope.write if row.can_write else TokenScope.read,
        centres=centres,
        created_at=created,
        expires_at=expires,
        last_used_at=as_utc(row.last_used_at),
        revoked_at=as_utc(row.revoked_at),
    )


def _audited(token: ApiToken) -> dict[str, Any]:
    """What the audit trail records of a token: no secret, no hash, no last use."""
    return {
        "username": token.username,
        "label": token.label,
        "scope": token.scope.value,
        "centres": sorted(token.centres),
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def _owner(session: Session, actor: Actor, username: str) -> Any:
    """The account row of ``username``, if it is the actor's own or one the actor manages
    (else :class:`NotFoundError`, the same whether it exists or not)."""
    row = session.execute(sa.select(users_table).where(users_table.c.username == username)).first()
    if row is None or (actor.user != username and not manages(actor, centres_of_row(row))):
        raise NotFoundError(f"user {username!r} does not exist (clears users list shows them)")
    return row


def _centre_problems(
    session: Session, wanted: frozenset[str], owner: frozenset[str]
) -> list[Problem]:
    """The problems of a token's centres: each a centre of the registry and of its user."""
    if ALL_CENTRES in owner:
        allowed = set(session.execute(sa.select(centres_table.c.code)).scalars())
        if wanted == {ALL_CENTRES}:
            return []
    else:
        allowed = set(owner)
    listed = ", ".join(sorted(allowed)) or "none"
    return [
        Problem("centre", code, "is not one of the user's centres", listed)
        for code in sorted(wanted)
        if code not in allowed
    ]


def create_token(
    session: Session,
    *,
    actor: Actor,
    username: str,
    label: str,
    scope: str,
    days: int,
    max_days: int = DEFAULT_MAX_DAYS,
    centres: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> tuple[str, ApiToken]:
    """Make a token for ``username``; return its secret (to show once) and the token.

    Parameters
    ----------
    session, actor
        The transaction, and who makes the token: the user themself, or someone who
        manages their account (``clears tokens`` acts network-wide).
    username
        The token's user: enabled, with a role that may write for a ``write`` token.
    label
        1 to 64 characters to recognise the token by.
    scope
        ``"read"`` or ``"write"`` (:class:`TokenScope`).
    days, max_days
        The token expires ``days`` days from now, 1 to ``max_days``.
    centres
        Centre codes of the user's (none: all of the user's centres; ``["*"]`` for a
        network-wide user means every centre).

    Raises
    ------
    InputError
        Every problem at once (label, scope, expiry, centres, a disabled user, a write token
        for a read-only role). Nothing is written.
    NotFoundError
        No such user the actor may make a token for.
    """
    row = _owner(session, actor, username)
    account = account_of_row(row)
    wanted = frozenset(centres) or account.centres
    problems: list[Problem] = []
    clean = label.strip()
    if not 1 <= len(clean) <= TOKEN_LABEL_LENGTH:
        problems.append(
            Problem("label", label, "is not a token label", f"1-{TOKEN_LABEL_LENGTH} characters")
        )
    if scope not in set(TokenScope):
        problems.append(Problem("scope", scope, "is not a token scope", "read, write"))
    elif scope == TokenScope.write and not account.can_write:
        problems.append(
            Problem("scope", scope, f"the {account.role.value} role is read-only", "read")
        )
    if not 1 <= days <= max_days:
        problems.append(
            Problem("days", days, "is outside the allowed expiry", f"1 to {max_days} days")
        )
    if account.disabled:
        problems.append(Problem("username", username, "is disabled", "an enabled user"))
    problems += _centre_problems(session, wanted, account.centres)
    if problems:
        raise InputError(problems)
    now = _now(at)
    secret = new_handle(TOKEN_PREFIX)
    everywhere = ALL_CENTRES in wanted
    new_id = session.execute(
        sa.insert(api_tokens_table)
        .values(
            token_hash=token_hash(secret),
            user_key=row.id,
            label=clean,
            can_write=scope == TokenScope.write,
            centres=json.dumps([] if everywhere else sorted(wanted)),
            all_centres=everywhere,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        .returning(api_tokens_table.c.id)
    ).scalar_one()
    token = _token_of_row(_token_row(session, new_id), username)
    audit.append(
        session,
        actor=actor,
        changes=[audit.Change("insert", _ENTITY, new_id, None, None, _audited(token))],
        at=now,
    )
    return secret, token


def _token_row(session: Session, token_id: int, user_key: int | None = None) -> Any:
    query = sa.select(api_tokens_table).where(api_tokens_table.c.id == token_id)
    if user_key is not None:
        query = query.where(api_tokens_table.c.user_key == user_key)
    return session.execute(query).first()


def list_tokens(session: Session, *, actor: Actor, username: str) -> list[ApiToken]:
    """The tokens of ``username`` (revoked and expired ones too), newest first.

    Raises
    ------
    NotFoundError
        No such user the actor may see the tokens of.
    """
    row = _owner(session, actor, username)
    rows = session.execute(
        sa.select(api_tokens_table)
        .where(api_tokens_table.c.user_key == row.id)
        .order_by(api_tokens_table.c.id.desc())
    )
    return [_token_of_row(r, username) for r in rows]


def revoke_token(
    session: Session,
    *,
    actor: Actor,
    username: str,
    token_id: int,
    at: dt.datetime | None = None,
) -> ApiToken:
    """Revoke one of ``username``'s tokens: refused from the next request on, everywhere.

    Revoking a revoked token changes nothing and writes nothing.

    Raises
    ------
    NotFoundError
        No such token of that user (or no such user the actor may act for).
    """
    owner = _owner(session, actor, username)
    row = _token_row(session, token_id, owner.id)
    if row is None:
        raise NotFoundError(
            f"token {token_id} of {username!r} does not exist (clears tokens list shows them)"
        )
    before = _token_of_row(row, username)
    if before.revoked_at is not None:
        return before
    now = _now(at)
    session.execute(
        sa.update(api_tokens_table).where(api_tokens_table.c.id == token_id).values(revoked_at=now)
    )
    after = _token_of_row(_token_row(session, token_id), username)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "update", _ENTITY, token_id, None, _audited(before), _audited(after), "revoked"
            )
        ],
        at=now,
    )
    return after
