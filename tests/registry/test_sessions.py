"""Sessions and the sign-in limiter in the database (clears.registry._sessions*).

Two engines on one database stand for two server processes: what one writes, the other
sees at its next call. Real commits, on a new SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN
from tests.registry._own_db import own_database

from clears.registry import migrate
from clears.registry._engine import make_engine, transaction
from clears.registry._models import sign_in_failures_table, user_sessions_table, users_table
from clears.registry._sessions import SessionStore, token_hash
from clears.registry._sessions_limiter import SignInLimiter, stored_key
from clears.registry.accounts import add_account, set_disabled

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
def engines(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[tuple[sa.Engine, ...]]:
    """Two engines (two processes) on one migrated database."""
    sqlite_url = f"sqlite:///{request.getfixturevalue('tmp_path') / 'sessions.db'}"
    with own_database(request, sqlite_url) as url:  # PostgreSQL: a database of its own
        pair = (make_engine(url), make_engine(url))
        yield pair
        for engine in pair:
            engine.dispose()


def _user(engine: sa.Engine) -> str:
    name = f"u{uuid.uuid4().hex[:12]}"
    with transaction(engine) as session:
        add_account(
            session,
            actor=ADMIN,
            username=name,
            role="monitor",
            centres=["*"],
            password="correct horse battery staple",
        )
    return name


def _count(engine: sa.Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with transaction(engine, write=False) as session:
        return int(
            session.execute(
                sa.select(sa.func.count()).select_from(table).where(*where)
            ).scalar_one()
        )


@pytest.mark.slow
def test_a_session_started_in_one_process_works_and_ends_in_the_other(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    first, second = (SessionStore(e, idle_seconds=600) for e in engines)
    name = _user(engines[0])
    token = first.create(name)
    seen = second.get(token)
    assert seen is not None
    assert seen.username == name
    stored = _count(engines[0], user_sessions_table, user_sessions_table.c.token_hash == token)
    assert stored == 0  # only the token's hash is kept
    assert (
        _count(
            engines[0], user_sessions_table, user_sessions_table.c.token_hash == token_hash(token)
        )
        == 1
    )
    second.end(token)
    assert first.get(token) is None
    assert second.get(token) is None


@pytest.mark.slow  # over a second in --durations
def test_disabling_a_user_ends_their_sessions_everywhere(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    first, second = (SessionStore(e, idle_seconds=600) for e in engines)
    name, other = _user(engines[0]), _user(engines[0])
    tokens = [first.create(name), second.create(name)]
    kept = first.create(other)
    with transaction(engines[1]) as session:
        set_disabled(session, actor=ADMIN, username=name, disabled=True)
    assert [store.get(t) for store in (first, second) for t in tokens] == [None] * 4
    assert second.get(kept) is not None


@pytest.mark.slow
def test_a_new_sign_in_replaces_the_old_token(engines: tuple[sa.Engine, sa.Engine]) -> None:
    store = SessionStore(engines[0], idle_seconds=600)
    name = _user(engines[0])
    old = store.create(name)
    new = store.create(name, replacing=old)
    assert store.get(old) is None
    assert store.get(new) is not None


@pytest.mark.slow
def test_idle_sessions_expire_and_use_moves_the_expiry(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    clock = Clock()
    first = SessionStore(engines[0], idle_seconds=60, touch_seconds=10, clock=clock)
    second = SessionStore(engines[1], idle_seconds=60, touch_seconds=10, clock=clock)
    name = _user(engines[0])
    token = first.create(name)
    clock.advance(50)
    assert second.get(token) is not None  # used at 50 s: now ends at 110 s
    clock.advance(55)
    assert first.get(token) is not None  # 105 s
    clock.advance(61)
    assert first.get(token) is None  # 61 s idle
    assert second.get(token) is None


@pytest.mark.slow
def test_the_expiry_is_written_at_most_once_per_touch_interval(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    clock = Clock()
    store = SessionStore(engines[0], idle_seconds=60, touch_seconds=30, clock=clock)
    token = store.create(_user(engines[0]))
    clock.advance(20)
    assert store.get(token) is not None  # 20 s < 30 s: the expiry stays at 60 s
    clock.advance(41)
    assert store.get(token) is None  # 61 s after the last write of the expiry


@pytest.mark.slow
def test_expired_sessions_are_removed_at_sign_in(engines: tuple[sa.Engine, sa.Engine]) -> None:
    clock = Clock()
    store = SessionStore(engines[0], idle_seconds=60, clock=clock)
    name = _user(engines[0])
    stale = [store.create(name) for _ in range(3)]
    clock.advance(61)
    assert store.get(stale[0]) is None
    mine = sa.select(users_table.c.id).where(users_table.c.username == name).scalar_subquery()
    expired = sa.and_(
        user_sessions_table.c.expires_at < clock.now, user_sessions_table.c.user_key == mine
    )
    assert _count(engines[0], user_sessions_table, expired) == 3  # a lookup deletes nothing
    store.create(name)
    assert _count(engines[0], user_sessions_table, expired) == 0


def test_the_limiter_counts_across_processes_in_a_sliding_window(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    clock = Clock()
    first, second = (SignInLimiter(e, limit=3, window_seconds=60, clock=clock) for e in engines)
    key = f"user:{uuid.uuid4().hex}"
    address = f"ip:{uuid.uuid4().hex}"
    first.record_failure([key, address])
    clock.advance(30)
    second.record_failure([key])
    assert not first.blocked([key])
    first.record_failure([key])
    assert second.blocked([key])
    assert first.blocked([address, key])
    assert not first.blocked([address])
    clock.advance(31)  # the first failure leaves the window
    assert not second.blocked([key])
    second.record_failure([key])
    assert first.blocked([key])
    first.reset([key])
    assert not second.blocked([key])


def test_failures_past_the_window_are_deleted(engines: tuple[sa.Engine, sa.Engine]) -> None:
    clock = Clock()
    limiter = SignInLimiter(engines[0], limit=5, window_seconds=60, clock=clock)
    key = f"ip:{uuid.uuid4().hex}"
    limiter.record_failure([key, f"{key}-b"])
    clock.advance(61)
    limiter.record_failure([f"{key}-c"])
    mine = sign_in_failures_table.c.key.in_([stored_key(k) for k in (key, f"{key}-b", f"{key}-c")])
    assert _count(engines[0], sign_in_failures_table, mine) == 1


def test_keys_are_stored_hashed_whatever_their_length(engines: tuple[sa.Engine, sa.Engine]) -> None:
    limiter = SignInLimiter(engines[0], limit=1, window_seconds=60)
    key = "user:" + "ñ" * 300  # longer than the column: stored as its 64-character hash
    limiter.record_failure([key])
    assert limiter.blocked([key])
    assert _count(engines[0], sign_in_failures_table, sign_in_failures_table.c.key == key) == 0


@pytest.mark.slow
def test_lookup_and_clean_up_read_indexes_not_the_whole_table(tmp_path: object) -> None:
    # SQLite's query plan (EXPLAIN QUERY PLAN): SEARCH through an index, never SCAN.
    url = f"sqlite:///{tmp_path}/plan.db"
    migrate.upgrade(url)
    engine = make_engine(url)
    statements = {
        "lookup": "SELECT users.id FROM users JOIN user_sessions ON user_sessions.user_key = "
        "users.id WHERE user_sessions.token_hash = 'x' AND user_sessions.expires_at >= '2026'",
        "clean-up": "DELETE FROM user_sessions WHERE expires_at < '2026'",
        "count": "SELECT count(*) FROM sign_in_failures WHERE key = 'k' AND at > '2026'",
        "forget": "DELETE FROM sign_in_failures WHERE at <= '2026'",
    }
    try:
        with engine.connect() as connection:
            for name, sql in statements.items():
                plan = " | ".join(
                    str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
                )
                assert "SCAN user_sessions" not in plan, (name, plan)
                assert "SCAN sign_in_failures" not in plan, (name, plan)
                assert "SEARCH" in plan, (name, plan)
    finally:
        engine.dispose()
