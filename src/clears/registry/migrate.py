"""Create, upgrade and back up the registry database with its Alembic history.

Tables are created by the migrations in :mod:`clears.registry.migrations`, never by
``create_all`` (tests excepted). The Alembic configuration is built in code: no
``alembic.ini`` is needed, and the migrations ship inside the package.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from clears._exceptions import ClearsError, ConflictError
from clears.registry._engine import resolve_url

__all__ = ["alembic_config", "backup", "current_revision", "head_revision", "init", "upgrade"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for ``url`` (resolved as by ``--db``/``CLEARS_DB_URL``)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision of the shipped migration history."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a history
        raise ClearsError("the registry migration history is empty")
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The revision a database is at (``None`` for a database never initialised)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | None = None, *, revision: str = "head") -> str:
    """Upgrade the database at ``url`` to ``revision``; return the revision reached."""
    command.upgrade(alembic_config(url), revision)
    from clears.registry._engine import make_engine

    engine = make_engine(url)
    try:
        reached = current_revision(engine)
    finally:
        engine.dispose()
    return reached or "base"


def init(url: str | None = None) -> str:
    """Create the registry tables in an empty database; refuse one that already has them.

    Raises
    ------
    ConflictError
        The database is already initialised (use :func:`upgrade` instead).
    """
    from clears.registry._engine import make_engine

    engine = make_engine(url)
    try:
        existing = current_revision(engine)
    finally:
        engine.dispose()
    if existing is not None:
        raise ConflictError(
            f"{resolve_url(url)} is already initialised (revision {existing}); "
            "use 'clears db upgrade' to bring it to the newest revision"
        )
    return upgrade(url)


def backup(url: str | None = None, *, out: str | Path | None = None) -> Path:
    """Write a consistent copy of the registry and return its path.

    SQLite databases are copied with SQLite's online backup API (safe while others write);
    PostgreSQL databases are dumped with ``pg_dump`` in its custom format, which must be on
    ``PATH``. The default file name carries the UTC time:
    ``clears-backup-YYYYMMDDTHHMMSSZ.db`` (or ``.dump``).
    """
    resolved = sa.make_url(resolve_url(url))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    if resolved.get_backend_name() == "sqlite":
        source = resolved.database
        if not source or source == ":memory:":
            raise ClearsError("an in-memory SQLite database cannot be backed up")
        if not Path(source).is_file():
            raise ClearsError(f"no SQLite database at {source}")
        target = Path(out) if out else Path(f"clears-backup-{stamp}.db")
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return target
    target = Path(out) if out else Path(f"clears-backup-{stamp}.dump")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise ClearsError("pg_dump is not on PATH; install the PostgreSQL client tools")
    plain = resolved.set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run(
        [pg_dump, "--format=custom", f"--file={target}", plain],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ClearsError(f"pg_dump failed: {result.stderr.strip()}")
    return target
