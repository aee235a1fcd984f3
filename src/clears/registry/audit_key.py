"""The secret key of the audit chain: where it comes from, and the SQLite default key file.

Audit entries are HMAC-SHA256 with a key held outside the database, so that someone who can
write the database but not read the key cannot recompute a valid chain (see
:mod:`clears.registry.audit`). :func:`resolve_audit_key` is the one place that finds it, in
this order:

1. ``CLEARS_AUDIT_KEY``: the key itself (at least 32 characters; its UTF-8 bytes are the key);
2. ``CLEARS_AUDIT_KEY_FILE``: a file holding it (surrounding whitespace ignored);
3. for a SQLite database file, the key file beside it, ``<database>.audit-key``, created
   (random, 64 hexadecimal characters, permissions 0600) at the first audited write when
   ``create`` is true and the trail has no keyed entry yet.

Otherwise (PostgreSQL without a configured key, in-memory SQLite) there is no key and entries
stay unkeyed SHA-256. The default key file beside the database protects copies of the database
alone (a backup, a dump); in production hold the key elsewhere (``CLEARS_AUDIT_KEY_FILE`` on
a path the database administrator cannot read).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from clears._exceptions import ClearsError
from clears.registry._engine import sqlite_path

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "KEY_FILE_SUFFIX",
    "MIN_KEY_LENGTH",
    "AuditKey",
    "AuditKeyError",
    "default_key_file",
    "resolve_audit_key",
]

#: Environment variable holding the key itself.
ENV_KEY: Final = "CLEARS_AUDIT_KEY"

#: Environment variable naming a file that holds the key.
ENV_KEY_FILE: Final = "CLEARS_AUDIT_KEY_FILE"

#: Suffix of the default key file beside a SQLite database (``clears.db.audit-key``).
KEY_FILE_SUFFIX: Final = ".audit-key"

#: Fewest characters a key may have (32 characters: at least 128 bits even as hexadecimal).
MIN_KEY_LENGTH: Final = 32


class AuditKeyError(ClearsError):
    """The audit key is unusable (too short, unreadable) or missing for a keyed trail."""


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The key's bytes and where they came from (for messages; never the key itself)."""

    secret: bytes = field(repr=False)
    source: str


def default_key_file(url: sa.URL | str) -> Path | None:
    """The key file beside a SQLite database file; ``None`` for other databases.

    Examples
    --------
    >>> str(default_key_file("sqlite:////srv/clears/clears.db"))
    '/srv/clears/clears.db.audit-key'
    >>> str(default_key_file("sqlite:///file:/srv/clears/clears.db?mode=rw&uri=true"))
    '/srv/clears/clears.db.audit-key'
    >>> default_key_file("sqlite://") is None
    True
    >>> default_key_file("postgresql+psycopg://clears@db/clears") is None
    True
    """
    database = sqlite_path(sa.make_url(url) if isinstance(url, str) else url)
    return None if database is None else Path(database + KEY_FILE_SUFFIX)


def _checked(text: str, source: str) -> AuditKey:
    key = text.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise AuditKeyError(
            f"{source}: the audit key has {len(key)} characters; allowed: at least "
            f"{MIN_KEY_LENGTH} characters (e.g. 64 hexadecimal digits)"
        )
    return AuditKey(key.encode("utf-8"), source)


def _read(path: Path, source: str) -> AuditKey:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuditKeyError(f"{source}: cannot read the audit key file {path}: {exc}") from exc
    return _checked(text, f"{source} ({path})")


def _create(path: Path) -> AuditKey:
    """Write a new random key to ``path`` with permissions 0600 (an existing file is kept)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path, "key file beside the database")
    except OSError as exc:
        raise AuditKeyError(f"cannot create the audit key file {path}: {exc}") from exc
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return _read(path, "key file beside the database")


def resolve_audit_key(
    url: sa.URL | str,
    *,
    environ: Mapping[str, str] | None = None,
    create: bool = False,
) -> AuditKey | None:
    """The audit key for the database at ``url``, or ``None`` when there is none.

    Parameters
    ----------
    url
        The database URL (its key file, for SQLite, lies beside the database file).
    environ
        The environment to read (default: ``os.environ``).
    create
        Create the SQLite key file when neither variable is set and the file is missing.

    Raises
    ------
    AuditKeyError
        A configured key shorter than :data:`MIN_KEY_LENGTH`, or a key file that cannot be
        read or created.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_KEY):
        return _checked(env[ENV_KEY], ENV_KEY)
    if env.get(ENV_KEY_FILE):
        return _read(Path(env[ENV_KEY_FILE]), ENV_KEY_FILE)
    path = default_key_file(url)
    if path is None:
        return None
    if path.exists():
        return _read(path, "key file beside the database")
    return _create(path) if create else None
