"""The sign-in limiter's answer to one attempt (clears.registry._sessions_limiter).

An address with ``limit`` recent failures is refused until they leave the window; a user
name with that many is only slowed, and only for addresses that failed themselves (the
back-off: ``base`` doubled per failure past ``limit``, at most ``cap``, after the asking
address's own last failure).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.registry._own_db import own_database

from clears.registry._engine import make_engine
from clears.registry._sessions_limiter import SignInLimiter, backoff_seconds

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[sa.Engine]:
    """One migrated database."""
    sqlite_url = f"sqlite:///{request.getfixturevalue('tmp_path') / 'limiter.db'}"
    with own_database(request, sqlite_url) as url:  # PostgreSQL: a database of its own
        built = make_engine(url)
        yield built
        built.dispose()


def _keys() -> tuple[str, str, str]:
    """A fresh user name and two fresh addresses (the PostgreSQL database is shared)."""
    tag = uuid.uuid4().hex
    return f"user:{tag}", f"ip:a-{tag}", f"ip:b-{tag}"


def test_backoff_doubles_past_the_free_failures_up_to_the_cap() -> None:
    # base * 2 ** (failures - free), nothing below free, never above cap.
    assert [backoff_seconds(n, free=3, base=2.0, cap=10.0) for n in range(7)] == [
        0.0,
        0.0,
        0.0,
        2.0,
        4.0,
        8.0,
        10.0,
    ]
    assert backoff_seconds(10**6, free=3, base=2.0, cap=10.0) == 10.0


def test_an_address_at_the_limit_waits_until_its_failures_leave_the_window(
    engine: sa.Engine,
) -> None:
    clock = Clock()
    limiter = SignInLimiter(engine, limit=3, window_seconds=300, clock=clock)
    name, address, _ = _keys()
    for _ in range(3):
        limiter.record_failure([f"user:{uuid.uuid4().hex}", address])  # three names
        clock.advance(10)
    # Failures at 0, 10 and 20 s; now 30 s: blocked until the oldest (0 s) is 300 s old.
    assert limiter.wait_seconds(name=name, address=address) == pytest.approx(270)
    clock.advance(270)
    assert limiter.wait_seconds(name=name, address=address) == 0


def test_a_name_with_many_failures_slows_only_addresses_that_failed(engine: sa.Engine) -> None:
    clock = Clock()
    limiter = SignInLimiter(
        engine, limit=5, window_seconds=300, backoff_base=1.0, backoff_cap=8.0, clock=clock
    )
    name, mine, attacker = _keys()
    for _ in range(4):
        limiter.record_failure([name, attacker])
    limiter.record_failure([name, mine])  # the fifth failure of the name, from mine
    # A fresh address is never made to wait, whatever the name's count.
    assert limiter.wait_seconds(name=name, address=f"ip:{uuid.uuid4().hex}") == 0
    # Five failures of the name: 1 s after this address's own last failure.
    assert limiter.wait_seconds(name=name, address=mine) == pytest.approx(1.0)
    clock.advance(1)
    assert limiter.wait_seconds(name=name, address=mine) == 0
    for _ in range(4):  # the name reaches nine failures: 1 * 2 ** 4 = 16, capped at 8
        limiter.record_failure([name, f"ip:{uuid.uuid4().hex}"])
    limiter.record_failure([name, mine])
    assert limiter.wait_seconds(name=name, address=mine) == pytest.approx(8.0)
    clock.advance(8)
    assert limiter.wait_seconds(name=name, address=mine) == 0


def test_the_back_off_ends_with_the_window(engine: sa.Engine) -> None:
    clock = Clock()
    limiter = SignInLimiter(
        engine, limit=2, window_seconds=60, backoff_base=30.0, backoff_cap=30.0, clock=clock
    )
    name, mine, _ = _keys()
    limiter.record_failure([name, f"ip:{uuid.uuid4().hex}"])
    limiter.record_failure([name, mine])
    assert limiter.wait_seconds(name=name, address=mine) == pytest.approx(30.0)
    clock.advance(61)  # both failures leave the window: nothing left to wait for
    assert limiter.wait_seconds(name=name, address=mine) == 0
