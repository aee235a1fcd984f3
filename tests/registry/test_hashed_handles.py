"""Random handles kept as digests, with an expiry (clears.registry._hashed_handles)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from clears.registry._hashed_handles import (
    HANDLE_BYTES,
    delete_expired,
    expiry,
    is_live,
    live,
    new_handle,
    token_hash,
)

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def test_the_stored_form_is_the_sha256_of_the_handle() -> None:
    # FIPS 180-2, appendix B.1: SHA-256("abc").
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_handle_is_256_random_bits_url_safe_after_its_prefix() -> None:
    handles = {new_handle("clears_") for _ in range(50)}
    assert len(handles) == 50
    for handle in handles:
        body = handle.removeprefix("clears_")
        assert handle.startswith("clears_")
        # base64url without padding: ceil(32 * 8 / 6) = 43 characters (RFC 4648, section 5).
        assert HANDLE_BYTES == 32
        assert len(body) == 43
        assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    ("offset", "alive"),
    [(dt.timedelta(0), True), (dt.timedelta(microseconds=1), False), (-dt.timedelta(1), True)],
    ids=["at the instant", "a microsecond after", "a day before"],
)
def test_a_handle_is_live_up_to_and_including_its_expiry(offset: dt.timedelta, alive: bool) -> None:
    ends = expiry(T0, 15 * 60)
    assert ends == dt.datetime(2026, 3, 1, 9, 45, tzinfo=dt.UTC)
    assert is_live(ends, ends + offset) is alive
    # SQLite gives the time back without its zone: it is read as UTC.
    assert is_live(ends.replace(tzinfo=None), ends + offset) is alive


def test_the_sql_condition_and_the_delete_agree_with_is_live() -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "handles",
        metadata,
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
    )
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    rows = {"past": T0 - dt.timedelta(seconds=1), "now": T0, "later": T0 + dt.timedelta(hours=1)}
    with engine.begin() as connection:
        values = [{"name": name, "expires_at": at} for name, at in rows.items()]
        connection.execute(sa.insert(table), values)
        found = connection.execute(sa.select(table.c.name).where(live(table.c.expires_at, T0)))
        assert sorted(found.scalars()) == ["later", "now"]
        delete_expired(connection, table, T0)
        assert sorted(connection.execute(sa.select(table.c.name)).scalars()) == ["later", "now"]
    engine.dispose()
