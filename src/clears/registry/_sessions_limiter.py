"""Failed sign-ins counted in the registry database, so the limit holds across processes.

Each failure is one ``sign_in_failures`` row under each key it counts against (``user:NAME``
and ``ip:ADDRESS``), stored as the key's SHA-256 (a fixed length whatever was typed as the
name, and no names or addresses kept in the clear). A key is blocked while it has
:attr:`SignInLimiter.limit` rows newer than the window (a sliding window, counted through
the ``(key, at)`` index). Rows older than the window are deleted whenever a failure is
recorded, through the index on ``at``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import sqlalchemy as sa

from clears.registry._engine import transaction
from clears.registry._models import sign_in_failures_table

__all__ = ["SignInLimiter", "stored_key"]

_TABLE = sign_in_failures_table


def stored_key(key: str) -> str:
    """How a limiter key is stored: its SHA-256, in hex.

    Examples
    --------
    >>> len(stored_key("user:" + "x" * 500))
    64
    """
    return hashlib.sha256(key.encode()).hexdigest()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SignInLimiter:
    """At most ``limit`` failures per key within ``window_seconds``, across processes.

    Parameters
    ----------
    engine
        The registry's engine; each call is one short transaction.
    limit, window_seconds
        The limit and the sliding window.
    clock
        The current time (UTC), for tests.
    """

    engine: sa.Engine
    limit: int
    window_seconds: float
    clock: Callable[[], dt.datetime] = field(default=_utc_now)

    def _since(self, now: dt.datetime) -> dt.datetime:
        return now - dt.timedelta(seconds=self.window_seconds)

    def blocked(self, keys: Collection[str]) -> bool:
        """Whether any of ``keys`` has reached the limit within the window."""
        since = self._since(self.clock())
        with transaction(self.engine, write=False) as session:
            for key in keys:
                count = session.execute(
                    sa.select(sa.func.count())
                    .select_from(_TABLE)
                    .where(_TABLE.c.key == stored_key(key), _TABLE.c.at > since)
                ).scalar_one()
                if count >= self.limit:
                    return True
        return False

    def record_failure(self, keys: Collection[str]) -> None:
        """Count one failed attempt against each of ``keys``; forget those past the window."""
        now = self.clock()
        with transaction(self.engine) as session:
            session.execute(sa.delete(_TABLE).where(_TABLE.c.at <= self._since(now)))
            rows = [{"key": stored_key(key), "at": now} for key in keys]
            session.execute(sa.insert(_TABLE), rows)

    def reset(self, keys: Collection[str]) -> None:
        """Forget the failures of ``keys`` (after a successful sign-in)."""
        with transaction(self.engine) as session:
            stored = [stored_key(key) for key in keys]
            session.execute(sa.delete(_TABLE).where(_TABLE.c.key.in_(stored)))
