"""API tokens in the registry (clears.registry.tokens, clears.registry._tokens_lookup).

Two engines on one migrated database stand for two server processes, with real commits, on
a new SQLite file and on PostgreSQL. Expected values come from the rules in the module
docstring (scope, centres within the user's, required bounded expiry, SHA-256 at rest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.registry._helpers import ADMIN
from tests.registry._own_db import own_database

from clears._exceptions import InputError, NotFoundError
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry._models import AuditEntry, api_tokens_table
from clears.registry._tokens_lookup import TokenStore, narrowed
from clears.registry.accounts import add_account, set_centres, set_disabled
from clears.registry.patients import create_centre
from clears.registry.tokens import TOKEN_PREFIX, TokenScope, create_token, list_tokens, revoke_token

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def engines(request: pytest.FixtureRequest) -> Iterator[tuple[sa.Engine, sa.Engine]]:
    """Two engines (two processes) on one migrated database with centres A, B and C."""
    sqlite_url = f"sqlite:///{request.getfixturevalue('tmp_path') / 'tokens.db'}"
    with own_database(request, sqlite_url) as url:  # PostgreSQL: a database of its own
        pair = (make_engine(url), make_engine(url))
        with transaction(pair[0]) as session:
            known = set(session.execute(sa.text("SELECT code FROM centres")).scalars())
            for code in ("TA", "TB", "TC"):
                if code not in known:
                    create_centre(session, actor=ADMIN, code=code)
        yield pair
        for engine in pair:
            engine.dispose()


def _user(
    engine: sa.Engine, role: str = "investigator", centres: tuple[str, ...] = ("TA", "TB")
) -> str:
    name = f"u{uuid.uuid4().hex[:12]}"
    with transaction(engine) as session:
        add_account(
            session,
            actor=ADMIN,
            username=name,
            role=role,
            centres=centres,
            password="correct horse battery",
        )
    return name


def _create(engine: sa.Engine, name: str, **given: object) -> tuple[str, int]:
    values: dict[str, object] = {"label": "cohort script", "scope": "read", "days": 30} | given
    with transaction(engine) as session:
        secret, token = create_token(
            session,
            actor=Actor(name, frozenset()),
            username=name,
            at=T0,
            **values,  # type: ignore[arg-type]
        )
    return secret, token.id


@pytest.mark.slow
def test_secret_is_shown_once_and_only_its_sha256_is_stored(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    writer, _ = engines
    name = _user(writer)
    secret, token_id = _create(writer, name)
    assert secret.startswith(TOKEN_PREFIX)
    assert len(secret) - len(TOKEN_PREFIX) >= 43  # 32 random bytes in base64url
    with transaction(writer, write=False) as session:
        row = session.execute(
            sa.select(api_tokens_table).where(api_tokens_table.c.id == token_id)
        ).one()
        stored = " ".join(str(v) for v in row)
        entries = session.execute(
            sa.select(AuditEntry.__table__)
            .where(AuditEntry.entity == "api_tokens")
            .where(AuditEntry.entity_id == token_id)
        ).all()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored
    assert len(entries) == 1
    text = " ".join(str(v) for v in entries[0])
    assert secret not in text
    assert row.token_hash not in text
    after = json.loads(entries[0].after) if isinstance(entries[0].after, str) else entries[0].after
    assert after["username"] == name
    assert after["scope"] == "read"
    assert after["centres"] == ["TA", "TB"]
    assert after["expires_at"] == (T0 + dt.timedelta(days=30)).isoformat()


@pytest.mark.slow
def test_another_process_accepts_a_live_token_with_its_scope_and_centres(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    writer, reader = engines
    name = _user(writer)
    secret, _ = _create(writer, name, scope="write", centres=["TA"])
    clock = Clock()
    use = TokenStore(reader, clock=clock).get(secret)
    assert use is not None
    assert use.user.username == name
    assert use.scope is TokenScope.write
    assert use.user.centres == {"TA"}
    assert use.user.actor().can_see("TA")
    assert not use.user.actor().can_see("TB")


@pytest.mark.slow
def test_expired_revoked_unknown_and_disabled_are_refused(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    writer, reader = engines
    name = _user(writer)
    secret, token_id = _create(writer, name, days=2)
    clock = Clock()
    store = TokenStore(reader, clock=clock)
    clock.now = T0 + dt.timedelta(days=2) - dt.timedelta(seconds=1)
    assert store.get(secret) is not None
    clock.now = T0 + dt.timedelta(days=2)
    assert store.get(secret) is None  # expiry is exclusive
    assert store.get(TOKEN_PREFIX + "x" * 43) is None
    assert store.get(secret.removeprefix(TOKEN_PREFIX)) is None
    assert store.get("") is None
    assert store.get(None) is None

    other, other_id = _create(writer, name, days=30)
    clock.now = T0
    assert store.get(other) is not None
    with transaction(writer) as session:
        set_disabled(session, actor=ADMIN, username=name, disabled=True)
    assert store.get(other) is None
    with transaction(writer) as session:
        set_disabled(session, actor=ADMIN, username=name, disabled=False)
    assert store.get(other) is not None
    with transaction(writer) as session:
        revoked = revoke_token(
            session, actor=Actor(name, frozenset()), username=name, token_id=other_id
        )
    assert revoked.revoked_at is not None
    assert store.get(other) is None
    del token_id


@pytest.mark.slow
def test_token_centres_shrink_with_the_users(engines: tuple[sa.Engine, sa.Engine]) -> None:
    writer, reader = engines
    name = _user(writer)
    secret, _ = _create(writer, name)
    with transaction(writer) as session:
        set_centres(session, actor=ADMIN, username=name, centres=["TB"])
    use = TokenStore(reader, clock=Clock()).get(secret)
    assert use is not None
    assert use.user.centres == {"TB"}


@pytest.mark.slow
def test_last_used_is_recorded_at_most_once_a_touch(engines: tuple[sa.Engine, sa.Engine]) -> None:
    writer, reader = engines
    name = _user(writer)
    secret, _ = _create(writer, name)
    clock = Clock()
    store = TokenStore(reader, touch_seconds=60, clock=clock)

    def last_used() -> dt.datetime | None:
        with transaction(writer, write=False) as session:
            (token,) = list_tokens(session, actor=ADMIN, username=name)
        return token.last_used_at

    assert last_used() is None
    store.get(secret)
    assert last_used() == T0
    clock.now = T0 + dt.timedelta(seconds=59)
    store.get(secret)
    assert last_used() == T0
    clock.now = T0 + dt.timedelta(seconds=60)
    store.get(secret)
    assert last_used() == clock.now


@pytest.mark.slow
@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"label": " "}, "label"),
        ({"label": "x" * 65}, "label"),
        ({"scope": "admin"}, "scope"),
        ({"days": 0}, "days"),
        ({"days": 91}, "days"),
        ({"days": 8, "max_days": 7}, "days"),
        ({"centres": ["TC"]}, "centre"),
        ({"centres": ["*"]}, "centre"),
        ({"centres": ["NOPE"]}, "centre"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(
    engines: tuple[sa.Engine, sa.Engine], given: dict[str, object], field: str
) -> None:
    writer, _ = engines
    name = _user(writer)
    with pytest.raises(InputError) as refused:
        _create(writer, name, **given)
    assert [p.field for p in refused.value.problems] == [field]
    with transaction(writer, write=False) as session:
        assert list_tokens(session, actor=ADMIN, username=name) == []


@pytest.mark.slow
def test_read_only_roles_and_disabled_users_get_no_write_or_any_token(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    writer, _ = engines
    monitor = _user(writer, role="monitor")
    with pytest.raises(InputError, match="monitor role is read-only"):
        _create(writer, monitor, scope="write")
    _create(writer, monitor, scope="read")
    with transaction(writer) as session:
        set_disabled(session, actor=ADMIN, username=monitor, disabled=True)
    with pytest.raises(InputError, match="is disabled"), transaction(writer) as session:
        create_token(session, actor=ADMIN, username=monitor, label="x", scope="read", days=1)


def test_a_network_wide_user_may_scope_to_every_centre_or_some() -> None:
    assert narrowed(frozenset({"*"}), frozenset({"*"})) == {"*"}
    assert narrowed(frozenset({"*"}), frozenset({"TA"})) == {"TA"}
    assert narrowed(frozenset({"TA"}), frozenset({"*"})) == {"TA"}
    assert narrowed(frozenset({"TA"}), frozenset({"TB"})) == frozenset()


@pytest.mark.slow
def test_only_the_owner_or_their_manager_sees_and_revokes(
    engines: tuple[sa.Engine, sa.Engine],
) -> None:
    writer, _ = engines
    owner = _user(writer, centres=("TA",))
    stranger = Actor("someone_else", frozenset({"TB"}))
    _, token_id = _create(writer, owner)
    other = _user(writer)
    with transaction(writer) as session:
        with pytest.raises(NotFoundError):
            list_tokens(session, actor=stranger, username=owner)
        with pytest.raises(NotFoundError):
            revoke_token(session, actor=stranger, username=owner, token_id=token_id)
        with pytest.raises(NotFoundError, match="token"):
            revoke_token(session, actor=ADMIN, username=other, token_id=token_id)
    with transaction(writer) as session:
        first = revoke_token(session, actor=ADMIN, username=owner, token_id=token_id)
    with transaction(writer) as session:
        again = revoke_token(session, actor=ADMIN, username=owner, token_id=token_id)
        entries = session.execute(
            sa.select(AuditEntry.action, AuditEntry.reason)
            .where(AuditEntry.entity == "api_tokens")
            .where(AuditEntry.entity_id == token_id)
            .order_by(AuditEntry.id)
        ).all()
    assert again.revoked_at == first.revoked_at
    assert [tuple(e) for e in entries] == [("insert", None), ("update", "revoked")]
