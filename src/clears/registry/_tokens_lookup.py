"""The request-path half of API tokens: a secret in, its user (narrowed to the token) out.

Each request looks the token up by the unique index on its SHA-256, joined to its account,
in a read-only transaction: a revoked or expired token, or one whose user is disabled, is
refused from the next request on, by every server process. The user comes back with the
token's centres intersected with the user's current ones, so the registry's centre scoping
(404 for other centres' patients) applies unchanged. ``last_used_at`` is moved forward at
most once a :attr:`TokenStore.touch_seconds`, in its own short write, skipped while another
writer holds the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from clears.registry._accounts_rules import ALL_CENTRES, Account, account_of_row, as_utc
from clears.registry._engine import RegistryBusyError, transaction
from clears.registry._hashed_handles import token_hash, utc_now
from clears.registry._models import api_tokens_table, users_table
from clears.registry.tokens import TOKEN_PREFIX, TokenScope

__all__ = ["TokenStore", "TokenUse", "narrowed"]


@dataclass(frozen=True, slots=True)
class TokenUse:
    """A request made with a live token: who (narrowed to the token's centres) and scope."""

    user: Account
    scope: TokenScope
    token_id: int


def narrowed(user: frozenset[str], token: frozenset[str]) -> frozenset[str]:
    """The centres a token acts on: its own, within its user's current ones.

    Examples
    --------
    >>> sorted(narrowed(frozenset({"A", "B"}), frozenset({"B", "C"})))
    ['B']
    >>> sorted(narrowed(frozenset({"*"}), frozenset({"A"}))), sorted(narrowed(frozenset({"A"}), frozenset({"*"})))
    (['A'], ['A'])
    """  # noqa: E501 - a doctest line
    if ALL_CENTRES in token:
        return user
    if ALL_CENTRES in user:
        return token
    return user & token


@dataclass(frozen=True)
class TokenStore:
    """API tokens of one registry, looked up on each request.

    Parameters
    ----------
    engine
        The registry's engine; every call is its own short transaction.
    touch_seconds
        ``last_used_at`` is written at most this often per token.
    clock
        The current time (UTC), for tests.
    """

    engine: sa.Engine
    touch_seconds: float = 60.0
    clock: Callable[[], dt.datetime] = field(default=utc_now)

    def get(self, secret: str | None) -> TokenUse | None:
        """The live token's use, else ``None`` (unknown, revoked, expired, user disabled)."""
        if not secret or not secret.startswith(TOKEN_PREFIX):
            return None
        now = self.clock()
        token = api_tokens_table
        query = (
            sa.select(
                users_table,
                token.c.id.label("token_id"),
                token.c.can_write,
                token.c.centres.label("token_centres"),
                token.c.all_centres.label("token_all_centres"),
                token.c.last_used_at,
            )
            .join(token, token.c.user_key == users_table.c.id)
            .where(token.c.token_hash == token_hash(secret))
            .where(token.c.revoked_at.is_(None))
            .where(token.c.expires_at > now)
        )
        with transaction(self.engine, write=False) as session:
            row: Any = session.execute(query).first()
        if row is None or row.disabled:
            return None
        user = account_of_row(row)
        own = _token_centres(row)
        used = as_utc(row.last_used_at)
        if used is None or (now - used).total_seconds() >= self.touch_seconds:
            self._touch(row.token_id, now)
        scope = TokenScope.write if row.can_write else TokenScope.read
        return TokenUse(replace(user, centres=narrowed(user.centres, own)), scope, row.token_id)

    def _touch(self, token_id: int, now: dt.datetime) -> None:
        try:
            with transaction(self.engine) as session:
                session.execute(
                    sa.update(api_tokens_table)
                    .where(api_tokens_table.c.id == token_id)
                    .values(last_used_at=now)
                )
        except RegistryBusyError:
            return


def _token_centres(row: Any) -> frozenset[str]:
    if row.token_all_centres:
        return frozenset({ALL_CENTRES})
    return frozenset(json.loads(row.token_centres))
