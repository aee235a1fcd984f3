"""Where the audit key comes from: the two variables, then the key file beside SQLite."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from clears.registry.audit_key import (
    MIN_KEY_LENGTH,
    AuditKeyError,
    default_key_file,
    resolve_audit_key,
)

LONG = "a" * MIN_KEY_LENGTH


def test_the_key_variable_comes_first(tmp_path: Path) -> None:
    keyfile = tmp_path / "k"
    keyfile.write_text("b" * 40)
    env = {"CLEARS_AUDIT_KEY": LONG, "CLEARS_AUDIT_KEY_FILE": str(keyfile)}
    key = resolve_audit_key(f"sqlite:///{tmp_path / 'c.db'}", environ=env)
    assert key is not None
    assert (key.secret, key.source) == (LONG.encode(), "CLEARS_AUDIT_KEY")
    assert LONG not in repr(key)  # never printed


def test_the_key_file_variable_comes_next_and_is_stripped(tmp_path: Path) -> None:
    keyfile = tmp_path / "k"
    keyfile.write_text("  " + "b" * 40 + "\n")
    key = resolve_audit_key("postgresql://u@h/db", environ={"CLEARS_AUDIT_KEY_FILE": str(keyfile)})
    assert key is not None
    assert key.secret == b"b" * 40


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CLEARS_AUDIT_KEY": "short"}, "CLEARS_AUDIT_KEY: the audit key has 5 characters"),
        ({"CLEARS_AUDIT_KEY_FILE": "/nonexistent/key"}, "cannot read the audit key file"),
    ],
)
def test_unusable_keys_are_refused_with_the_variable(env: dict[str, str], expected: str) -> None:
    with pytest.raises(AuditKeyError, match=expected):
        resolve_audit_key("postgresql://u@h/db", environ=env)


def test_postgresql_without_a_configured_key_has_none() -> None:
    assert resolve_audit_key("postgresql+psycopg://u@h/db", environ={}) is None
    assert resolve_audit_key("sqlite://", environ={}, create=True) is None


def test_sqlite_creates_a_private_key_file_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clears.db'}"
    assert resolve_audit_key(url, environ={}) is None  # not created unless asked
    created = resolve_audit_key(url, environ={}, create=True)
    path = tmp_path / "clears.db.audit-key"
    assert default_key_file(url) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert created is not None
    assert len(created.secret) == 64
    assert int(created.secret, 16) >= 0  # hexadecimal
    again = resolve_audit_key(url, environ={}, create=True)
    assert again is not None
    assert again.secret == created.secret  # an existing file is kept
