"""Create, upgrade and back up the registry database with its Alembic history.

Tables are created by the migrations in :mod:`clears.registry.migrations`, never by
``create_all`` (tests excepted). The Alembic configuration is built in code: no
``alembic.ini`` is needed, and the migrations ship inside the package.

Before :func:`upgrade` changes anything it runs the data checks (``PRECHECKS``, see
:mod:`clears.registry._prechecks`) of every pending revision and refuses, listing each
offending row, if existing data would break a constraint a revision adds.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from clears._exceptions import ClearsError, ConflictError, InputError, Problem
from clears.registry._engine import make_engine, resolve_url, shown_url
from clears.registry._prechecks import Offence, Precheck, offences

__all__ = [
    "alembic_config",
    "backup",
    "current_revision",
    "head_revision",
    "history",
    "init",
    "pending_offences",
    "upgrade",
]

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


def history() -> list[str]:
    """Every revision of the shipped history, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [found.revision for found in reversed(list(script.walk_revisions()))]


def pending_offences(engine: sa.Engine, *, revision: str = "head") -> list[Offence]:
    """Rows of the database that a revision between its current one and ``revision`` forbids.

    Runs every pending revision's ``PRECHECKS`` (read only; nothing is changed).
    """
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        try:
            pending = list(script.iterate_revisions(revision, current or "base"))
        except (CommandError, RevisionError) as exc:
            raise ClearsError(
                f"cannot upgrade from revision {current or 'base'} to {revision}: {exc}"
            ) from None
        found: list[Offence] = []
        for step in reversed(pending):
            checks: tuple[Precheck, ...] = getattr(step.module, "PRECHECKS", ())
            found.extend(offences(connection, step.revision, checks))
    return found


def _refuse(url: str | None, found: list[Offence]) -> InputError:
    return InputError(
        [
            Problem(
                f"{o.table}.{o.column}",
                o.value,
                f"row id {o.row_id}"
                + (f" (patient {o.patient_id})" if o.patient_id is not None else "")
                + (f" at centre {o.centre}" if o.centre is not None else "")
                + f" breaks a constraint of revision {o.revision}; nothing was upgraded in "
                f"{shown_url(resolve_url(url))}: correct the row, then upgrade again",
                o.allowed,
            )
            for o in found
        ]
    )


def current_revision(engine: sa.Engine) -> str | None:
    """The revision a database is at (``None`` for a database never initialised)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str | None = None, *, revision: str = "head", existing: bool = False) -> str:
    """Upgrade the database at ``url`` to ``revision``; return the revision reached.

    Parameters
    ----------
    existing
        Require an existing registry (what ``clears db upgrade`` does): a missing SQLite
        file or a database without the registry tables is refused instead of created.

    Raises
    ------
    InputError
        Existing rows break a constraint of a pending revision; each is listed (table,
        row id, patient, column, value, what is allowed) and nothing is changed.
    RegistryOpenError
        ``existing`` and there is no registry at ``url``.
    """
    from clears.registry._open import open_registry

    engine = open_registry(url, revision=None) if existing else make_engine(url)
    try:
        found = pending_offences(engine, revision=revision)
    finally:
        engine.dispose()
    if found:
        raise _refuse(url, found)
    command.upgrade(alembic_config(url), revision)
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
    from clears.registry._open import stored_revision

    engine = make_engine(url)
    try:
        existing = stored_revision(engine)
    finally:
        engine.dispose()
    if existing is not None:
        raise ConflictError(
            f"{shown_url(resolve_url(url))} is already initialised (revision {existing}); "
            "use 'clears db upgrade' to bring it to the newest revision"
        )
    return upgrade(url)


def backup(url: str | None = None, *, out: str | Path | None = None, force: bool = False) -> Path:
    """Write a consistent copy of the registry; see :func:`clears.registry.backups.backup`."""
    from clears.registry import backups

    return backups.backup(url, out=out, force=force)
