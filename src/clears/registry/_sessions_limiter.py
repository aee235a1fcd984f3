"""Failed sign-ins counted in the registry database, so the limit holds across processes.

Each failure is one ``sign_in_failures`` row under each key it counts against (``user:NAME``
and ``ip:ADDRESS``), stored as the key's SHA-256 (a fixed length whatever was typed as the
name, and no names or addresses kept in the clear). A key is blocked while it has
:attr:`SignInLimiter.limit` rows newer than the window (a sliding window, counted through
the ``(key, at)`` index). Rows older than the window are deleted whenever a failure is
recorded, through the index on ``at``.

The sign-in form asks :meth:`SignInLimiter.wait_seconds` for a user name and an address:

- an *address* with :attr:`SignInLimiter.limit` recent failures is refused until enough of
  them leave the window (whatever name it tries);
- a *user name* with that many recent failures is not blocked but slowed: an address that
  has failures of its own waits :func:`backoff_seconds` (growing with the name's failures,
  capped) after its own last failure, and an address without recent failures is answered at
  once. So a third party who fails as someone else slows only their own attempts, and the
  real user, signing in from their own address, is never locked out by it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import sqlalchemy as sa

from clears.registry._accounts_rules import as_utc
from clears.registry._engine import transaction
from clears.registry._models import sign_in_failures_table

__all__ = ["SignInLimiter", "backoff_seconds", "stored_key"]

_TABLE = sign_in_failures_table


def stored_key(key: str) -> str:
    """How a limiter key is stored: its SHA-256, in hex.

    Examples
    --------
    >>> len(stored_key("user:" + "x" * 500))
    64
    """
    return hashlib.sha256(key.encode()).hexdigest()


def backoff_seconds(failures: int, *, free: int, base: float, cap: float) -> float:
    """Seconds an address waits after its last failure, for a name with ``failures`` recent ones.

    Nothing below ``free`` failures; then ``base`` doubled for each failure past ``free``,
    at most ``cap``.

    Examples
    --------
    >>> [backoff_seconds(n, free=5, base=1.0, cap=60.0) for n in (4, 5, 6, 7, 20)]
    [0.0, 1.0, 2.0, 4.0, 60.0]
    """
    if failures < free:
        return 0.0
    return float(min(cap, base * 2.0 ** min(failures - free, 64)))


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
    backoff_base, backoff_cap
        The back-off of a user name with ``limit`` or more recent failures
        (:func:`backoff_seconds`), in seconds.
    clock
        The current time (UTC), for tests.
    """

    engine: sa.Engine
    limit: int
    window_seconds: float
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
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

    def wait_seconds(self, *, name: str, address: str) -> float:
        """Seconds before a sign-in as ``name`` from ``address`` is tried (0: try it now).

        Parameters
        ----------
        name, address
            The limiter keys of the user name and of the client address (``user:NAME``,
            ``ip:ADDRESS``).
        """
        now = self.clock()
        since = self._since(now)
        with transaction(self.engine, write=False) as session:
            at_address = (
                session.execute(
                    sa.select(_TABLE.c.at)
                    .where(_TABLE.c.key == stored_key(address), _TABLE.c.at > since)
                    .order_by(_TABLE.c.at.desc())
                    .limit(self.limit)
                )
                .scalars()
                .all()
            )
            if not at_address:
                return 0.0
            if len(at_address) >= self.limit:
                # Refused until the limit-th newest failure leaves the window.
                return _seconds(_utc(at_address[-1]) - since)
            failures = session.execute(
                sa.select(sa.func.count())
                .select_from(_TABLE)
                .where(_TABLE.c.key == stored_key(name), _TABLE.c.at > since)
            ).scalar_one()
        delay = backoff_seconds(
            failures, free=self.limit, base=self.backoff_base, cap=self.backoff_cap
        )
        return _seconds(_utc(at_address[0]) + dt.timedelta(seconds=delay) - now)

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


def _utc(at: dt.datetime) -> dt.datetime:
    aware = as_utc(at)
    return at if aware is None else aware


def _seconds(delta: dt.timedelta) -> float:
    return max(0.0, delta.total_seconds())
