"""Open an existing registry, or say in one line why it cannot be opened.

Every command except ``clears db init`` and ``clears demo`` works on a registry that must
already exist. :func:`open_registry` checks, in order, that the URL parses and has a known
scheme, that a SQLite file exists and is a SQLite database, that the server accepts the
connection, and that the database holds the registry tables at this version's newest
revision; it never creates a database (SQLite files are opened in ``mode=rw``). Each
failure is a :class:`RegistryOpenError` whose message names the URL with its password
masked and says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import sqlalchemy as sa

from clears._exceptions import ClearsError
from clears.registry._engine import make_engine, parse_url, shown_url, sqlite_path

__all__ = [
    "SQLITE_HEADER",
    "RegistryOpenError",
    "connection_failure",
    "open_registry",
    "require_sqlite_file",
    "stored_revision",
]

#: The first 16 bytes of every SQLite 3 database file (SQLite file format, section 1.3.1).
SQLITE_HEADER: Final = b"SQLite format 3\x00"


class RegistryOpenError(ClearsError):
    """The registry named by a URL does not exist or cannot be opened; nothing was written."""


def _init_hint(url: sa.URL) -> str:
    return f"run 'clears db init --db {shown_url(url)}'"


def require_sqlite_file(url: sa.URL) -> Path:
    """The existing SQLite database file of ``url``.

    Raises
    ------
    RegistryOpenError
        In-memory database, missing file, a folder, or a file that is not SQLite.
    """
    path = sqlite_path(url)
    if path is None:
        raise RegistryOpenError(
            f"{shown_url(url)}: an in-memory database holds no registry; "
            "use a file, e.g. sqlite:///clears.db"
        )
    file = Path(path)
    if not file.exists():
        raise RegistryOpenError(
            f"{shown_url(url)}: no database file {file}; check --db, or {_init_hint(url)} "
            "to create a new registry"
        )
    if not file.is_file():
        raise RegistryOpenError(f"{shown_url(url)}: {file} is not a file")
    if not os.access(file, os.R_OK):
        raise RegistryOpenError(f"{shown_url(url)}: {file} cannot be read (permissions)")
    with file.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise RegistryOpenError(f"{shown_url(url)}: {file} is not a SQLite database")
    return file


def connection_failure(exc: BaseException, url: str | sa.URL) -> RegistryOpenError:
    """One line for a database error met while connecting (password masked, no traceback).

    Examples
    --------
    >>> print(connection_failure(
    ...     RuntimeError('FATAL:  password authentication failed for user "u"'),
    ...     "postgresql://u:pw@h/db",
    ... ))
    postgresql://u:***@h/db: password authentication failed for user "u"; check the user ...
    """
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    text = lines[0] if lines else type(original).__name__
    # libpq puts the cause after "FATAL:" on the first line or on a line of its own.
    for line in lines:
        if "FATAL:" in line:
            text = line.split("FATAL:", 1)[1].strip()
            break
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        advice = "check the user name and password"
    elif "does not exist" in lowered and "database" in lowered:
        advice = "create the database on the server, then run 'clears db init'"
    elif "connection refused" in lowered or "could not translate host" in lowered:
        advice = "is the server running and the host and port right?"
    elif "file is not a database" in lowered:
        text, advice = "not a SQLite database", "check --db"
    elif "unable to open database file" in lowered:
        text, advice = "the database file cannot be opened", "check --db and the permissions"
    else:
        advice = "check --db"
    return RegistryOpenError(f"{shown_url(url)}: {text}; {advice}")


def stored_revision(engine: sa.Engine, *, shown: str | sa.URL | None = None) -> str | None:
    """The Alembic revision stored in the database (``None``: no registry tables yet).

    ``shown`` is the URL to name in an error (default: the engine's own).

    Raises
    ------
    RegistryOpenError
        The connection failed (see :func:`connection_failure`).
    """
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            revision = found.scalar()
    except sa.exc.DBAPIError as exc:
        raise connection_failure(exc, engine.url if shown is None else shown) from None
    return None if revision is None else str(revision)


def open_registry(
    url: str | None = None, *, busy_timeout: float = 10.0, revision: str | None = "head"
) -> sa.Engine:
    """An engine on the existing registry at ``url``; never creates a database.

    Parameters
    ----------
    url
        Database URL (``--db``, else ``$CLEARS_DB_URL``, else ``sqlite:///clears.db``).
    busy_timeout
        As for :func:`clears.registry._engine.make_engine`.
    revision
        ``"head"`` (default): the database must be at the newest revision this version
        ships (else: run ``clears db upgrade``); ``None``: any revision of the history.

    Raises
    ------
    RegistryOpenError
        Bad URL or scheme, missing or non-SQLite file, refused connection, a database
        without the registry tables, or one at another revision than asked.
    """
    from clears.registry import migrate

    try:
        parsed = parse_url(url)
    except ClearsError as exc:
        raise RegistryOpenError(str(exc)) from None
    if parsed.get_backend_name() == "sqlite":
        require_sqlite_file(parsed)
    engine = make_engine(parsed.render_as_string(hide_password=False),
                         busy_timeout=busy_timeout, must_exist=True)  # fmt: skip
    try:
        found = stored_revision(engine, shown=parsed)
        if found is None:
            raise RegistryOpenError(
                f"{shown_url(parsed)}: not a clears registry (no registry tables); "
                f"{_init_hint(parsed)}"
            )
        known = migrate.history()
        if found not in known:
            raise RegistryOpenError(
                f"{shown_url(parsed)}: at revision {found}, which this version of clears "
                f"does not know (newest: {known[-1]}); upgrade clears"
            )
        if revision == "head" and found != known[-1]:
            raise RegistryOpenError(
                f"{shown_url(parsed)}: at revision {found}, older than this version of "
                f"clears ({known[-1]}); back it up, then run "
                f"'clears db upgrade --db {shown_url(parsed)}'"
            )
    except BaseException:
        engine.dispose()
        raise
    return engine
