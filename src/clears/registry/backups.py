"""Back up and restore the registry database (SQLite file, or PostgreSQL with pg_dump).

Backup
    SQLite: SQLite's online backup API (consistent while others write) into a temporary
    file beside the target, synced, then renamed onto it; PostgreSQL: ``pg_dump`` in its
    custom format, the same way. An existing ``--out`` is replaced only with ``force``, and
    never when it is not a clears backup (a SQLite registry file, or a pg_dump archive).

Restore (SQLite)
    Refused while a server holds the registry (:mod:`clears.registry._hold`). The backup is
    copied into a temporary file beside the database and that copy is checked (SQLite's
    ``integrity_check``, registry tables at a revision of the shipped history, the audit hash
    chain). The live database is then taken out of write-ahead logging (which fails, and the
    restore is refused, while any other connection is open), locked, kept under the name
    ``<db>.before-restore-<stamp>`` (a hard link, no copy), and the checked copy is renamed
    onto it. A rename is atomic, so a crash at any point leaves the old database or the new
    one under the database's name, never a mix.

Restore (PostgreSQL)
    The archive is listed with ``pg_restore --list`` and must hold the registry tables; a
    target that already holds tables is refused unless ``force``, and is then first dumped
    to ``<backup>.before-restore-<stamp>.dump``; ``pg_restore --single-transaction`` then
    loads it (all or nothing) and the audit chain is verified.

Passwords reach ``pg_dump`` and ``pg_restore`` through the ``PGPASSWORD`` environment
variable, never their command line (which other users of the machine can read).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ClearsError
from clears.registry._engine import parse_url, shown_url
from clears.registry._hold import hold
from clears.registry._open import SQLITE_HEADER, open_registry, require_sqlite_file

if TYPE_CHECKING:
    from clears.registry.audit_key import AuditKey

__all__ = [
    "PG_ARCHIVE_HEADER",
    "BackupError",
    "Restored",
    "backup",
    "describe_file",
    "pg_command",
    "restore",
]

#: The first bytes of a pg_dump custom-format archive.
PG_ARCHIVE_HEADER: Final = b"PGDMP"
_SIDE_FILES: Final = ("-wal", "-shm", "-journal")


class BackupError(ClearsError):
    """A backup or restore was refused or failed; the message says why, nothing changed."""


@dataclass(frozen=True)
class Restored:
    """What :func:`restore` did."""

    target: str
    revision: str
    entries: int
    kept: Path | None
    head: str
    upgraded_from: str | None = None

    def to_text(self) -> str:
        """The lines ``clears db restore`` prints."""
        lines = [
            f"restored {self.target} at revision {self.revision}; "
            f"audit chain verified ({self.entries} entries)"
        ]
        if self.kept is not None:
            lines.append(f"the replaced database is kept as {self.kept}")
        if self.upgraded_from is not None:
            lines.append(
                f"the backup was at revision {self.upgraded_from}; the restored copy was "
                f"upgraded to {self.revision} (the backup file itself is unchanged)"
            )
        elif self.revision != self.head:
            lines.append(
                f"the backup is at revision {self.revision}, older than {self.head}: "
                f"run 'clears db upgrade --db {self.target}'"
            )
        return "\n".join(lines)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _sqlite_tables(path: Path) -> set[str] | None:
    """The table names of a SQLite file opened read-only (``None``: not readable as one)."""
    uri = f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {str(row[0]) for row in rows}
    except sqlite3.DatabaseError:
        return None


def describe_file(path: Path) -> str:
    """What ``path`` is, in words: ``"a SQLite registry file"``, ``"a pg_dump archive"``…"""
    if path.is_dir():
        return "a folder"
    if not path.is_file():
        return "not a regular file"
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if not head:
        return "an empty file"
    if head.startswith(PG_ARCHIVE_HEADER):
        return "a pg_dump archive"
    if head == SQLITE_HEADER:
        tables = _sqlite_tables(path)
        if tables is None:
            return "a damaged SQLite file"
        if "alembic_version" in tables and "audit_log" in tables:
            return "a SQLite registry file"
        return "a SQLite database without the registry tables"
    return "a file that is neither a SQLite database nor a pg_dump archive"


def _check_out(target: Path, *, expected: str, force: bool, source: Path | None) -> None:
    """Refuse to write over anything but an older backup of the same kind (with force)."""
    if source is not None and target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"--out {target} is the database itself; choose another file")
    if not target.exists() and not target.is_symlink():
        if not target.parent.is_dir():
            raise BackupError(f"--out {target}: the folder {target.parent} does not exist")
        return
    if not force:
        raise BackupError(
            f"--out {target} already exists ({describe_file(target)}); nothing was written; "
            "choose another file, or pass --force to replace an older backup"
        )
    found = describe_file(target)
    if found != expected:
        raise BackupError(
            f"--out {target} is {found}, not a clears backup ({expected}); it is never "
            "replaced, even with --force"
        )
    if any(Path(f"{target}{side}").exists() for side in ("-wal", "-shm")):
        raise BackupError(
            f"--out {target} has -wal/-shm files beside it: it is a live database, not a "
            "backup; it is never replaced"
        )


def _space_error(exc: BaseException, target: Path) -> BackupError | None:
    text = str(exc).lower()
    if "full" in text or "no space" in text or "too large" in text or "disk i/o" in text:
        return BackupError(
            f"the disk is full (or a size limit was reached) while writing {target}; "
            "nothing was written; free space and try again"
        )
    return None


def _sqlite_backup(url: sa.URL, target: Path, *, force: bool) -> Path:
    source = require_sqlite_file(url)
    open_registry(url.render_as_string(hide_password=False), revision=None).dispose()
    _check_out(target, expected="a SQLite registry file", force=force, source=source)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    uri = f"file:{urllib.parse.quote(str(source.resolve()))}?mode=rw"
    try:
        with (
            contextlib.closing(sqlite3.connect(uri, uri=True)) as src,
            contextlib.closing(sqlite3.connect(temp)) as dst,
        ):
            src.backup(dst, pages=256)
            dst.execute("PRAGMA journal_mode=DELETE")  # a standalone file, no -wal to lose
        _fsync(temp)
        os.replace(temp, target)
        _fsync(target.parent)
    except (OSError, sqlite3.Error) as exc:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
        raise _space_error(exc, target) or BackupError(
            f"backup of {shown_url(url)} to {target} failed: {exc}; nothing was written"
        ) from None
    return target


def pg_command(
    tool: str, url: sa.URL, arguments: list[str], *, environ: Mapping[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment that run a PostgreSQL client ``tool`` on ``url``.

    The password goes into ``PGPASSWORD`` of the environment; the argv carries the URL
    without it.

    Examples
    --------
    >>> argv, env = pg_command(
    ...     "pg_dump", sa.make_url("postgresql+psycopg://u:s3cret@h:5432/db"), ["-Fc"],
    ...     environ={},
    ... )
    >>> argv, env
    (['pg_dump', '-Fc', '--dbname=postgresql://u@h:5432/db'], {'PGPASSWORD': 's3cret'})
    """
    env = dict(os.environ if environ is None else environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    # URL.set(password=None) keeps the password; build the URL again without it.
    plain = sa.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    dbname = plain.render_as_string(hide_password=False)
    return [tool, *arguments, f"--dbname={dbname}"], env


def _run_pg(tool: str, url: sa.URL, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} is not on PATH; install the PostgreSQL client tools")
    argv, env = pg_command(found, url, arguments)
    return subprocess.run(argv, capture_output=True, text=True, check=False, env=env)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _pg_backup(url: sa.URL, target: Path, *, force: bool) -> Path:
    open_registry(url.render_as_string(hide_password=False), revision=None).dispose()
    _check_out(target, expected="a pg_dump archive", force=force, source=None)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        done = _run_pg("pg_dump", url, ["--format=custom", f"--file={temp}"])
        if done.returncode != 0:
            raise _space_error(RuntimeError(done.stderr), target) or BackupError(
                f"pg_dump of {shown_url(url)} failed: {_first_line(done.stderr)}; "
                "nothing was written"
            )
        _fsync(temp)
        os.replace(temp, target)
        _fsync(target.parent)
    except OSError as exc:
        raise _space_error(exc, target) or BackupError(
            f"backup of {shown_url(url)} to {target} failed: {exc}; nothing was written"
        ) from None
    finally:
        temp.unlink(missing_ok=True)
    return target


def backup(url: str | None = None, *, out: str | Path | None = None, force: bool = False) -> Path:
    """Write a consistent copy of the registry and return its path.

    Parameters
    ----------
    url
        Database URL (``--db``, else ``$CLEARS_DB_URL``, else ``sqlite:///clears.db``); the
        registry must exist.
    out
        Backup file; default ``clears-backup-YYYYMMDDTHHMMSSZ.db`` (SQLite) or ``.dump``
        (PostgreSQL) in the working directory.
    force
        Replace an existing ``out`` if it is a clears backup of the same kind.

    Raises
    ------
    BackupError
        ``out`` exists (without ``force``), is not a backup, the disk is full, or the
        copy failed; nothing is left at ``out`` that was not there before.
    RegistryOpenError
        There is no registry at ``url``.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = Path(out) if out else Path(f"clears-backup-{_stamp()}.db")
        return _sqlite_backup(parsed, target, force=force)
    target = Path(out) if out else Path(f"clears-backup-{_stamp()}.dump")
    return _pg_backup(parsed, target, force=force)


def _check_copy(path: Path, shown: str, key: AuditKey | None) -> tuple[str, int, str | None]:
    """Check a SQLite copy: integrity, known revision, audit chain (with the target's audit
    key, which backups never carry); return ``(revision, entries, upgraded_from)``.

    A copy at an older revision is first upgraded (pre-checks included) to the newest, so
    that the restored registry opens with this version and the chain is verified with the
    tables this version reads.
    """
    from clears.registry import audit, migrate

    try:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
            verdict = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
            tables = {
                str(row[0])
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                stored = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if stored is None else str(stored[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"backup {shown} cannot be read as a SQLite database ({exc})") from None
    if verdict != ["ok"]:
        raise BackupError(f"backup {shown} is damaged: integrity_check says {verdict[0]}")
    if revision is None or "audit_log" not in tables:
        raise BackupError(f"backup {shown} is not a clears registry (no registry tables)")
    known = migrate.history()
    if revision not in known:
        raise BackupError(
            f"backup {shown} is at revision {revision}, which this version of clears does "
            f"not know (newest: {known[-1]})"
        )
    upgraded_from = None
    if revision != known[-1]:
        upgraded_from = revision
        revision = migrate.upgrade(f"sqlite:///{path}", existing=True)
    engine = sa.create_engine(sa.URL.create("sqlite", database=str(path)))
    try:
        with Session(engine) as session:
            report = audit.verify(session, key=key)
    finally:
        engine.dispose()
    if report.problems:
        raise BackupError(
            f"backup {shown} fails the audit chain check: {'; '.join(report.problems[:3])}"
        )
    if report.unchecked:
        raise BackupError(
            f"backup {shown}: {report.unchecked} keyed audit entries cannot be checked without "
            "the audit key of the database restored into (backups never carry it); set "
            "CLEARS_AUDIT_KEY_FILE to the key file (<database>.audit-key) of the registry "
            "the backup was taken from"
        )
    return revision, report.entries, upgraded_from


def _retire(target: Path, kept: Path | None) -> sqlite3.Connection | None:
    """Take the live database out of WAL mode and lock it; keep it as ``kept``."""
    if not target.exists():
        return None
    uri = f"file:{urllib.parse.quote(str(target.resolve()))}?mode=rw"
    connection = sqlite3.connect(uri, uri=True, timeout=0.5, isolation_level=None)
    try:
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()
        if mode is None or str(mode[0]).lower() != "delete":
            raise sqlite3.OperationalError("database is locked")
        connection.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError as exc:
        connection.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"{target} is open in another process (a command or server still "
                "connected); close it and try again; nothing was changed"
            ) from None
        raise BackupError(f"{target} cannot be prepared for the restore: {exc}") from None
    if kept is not None:
        try:
            os.link(target, kept)
        except OSError:  # a file system without hard links: a full copy
            shutil.copy2(target, kept)
        _fsync(kept)
    return connection


def _sqlite_restore(url: sa.URL, source: Path, *, keep: bool) -> Restored:
    from clears.registry import migrate
    from clears.registry._engine import sqlite_path
    from clears.registry.audit_key import resolve_audit_key

    path = sqlite_path(url)
    if path is None:
        raise BackupError(f"{shown_url(url)}: an in-memory database cannot be restored into")
    target = Path(path)
    if target.exists():
        require_sqlite_file(url)
    elif not target.parent.is_dir():
        raise BackupError(f"{shown_url(url)}: the folder {target.parent} does not exist")
    if describe_file(source) not in ("a SQLite registry file", "a damaged SQLite file"):
        raise BackupError(f"backup {source} is {describe_file(source)}, not a clears SQLite backup")
    stamp = _stamp()
    temp = target.with_name(f"{target.name}.restore-{stamp}.tmp")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}") if keep else None
    with hold(url.render_as_string(hide_password=False), exclusive=True):
        live: sqlite3.Connection | None = None
        replaced = False
        try:
            src_uri = f"file:{urllib.parse.quote(str(source.resolve()))}?mode=ro&immutable=1"
            with (
                contextlib.closing(sqlite3.connect(src_uri, uri=True)) as src,
                contextlib.closing(sqlite3.connect(temp)) as dst,
            ):
                src.backup(dst)
            revision, entries, upgraded_from = _check_copy(
                temp, str(source), resolve_audit_key(url)
            )
            _fsync(temp)
            live = _retire(target, kept if target.exists() else None)
            for side in _SIDE_FILES:
                Path(f"{target}{side}").unlink(missing_ok=True)
            os.replace(temp, target)
            replaced = True
            _fsync(target.parent)
        except (OSError, sqlite3.Error) as exc:
            if kept is not None and not replaced:  # the old database is still in place
                kept.unlink(missing_ok=True)
            raise _space_error(exc, target) or BackupError(
                f"restore of {source} into {shown_url(url)} failed: {exc}; nothing was changed"
            ) from None
        finally:
            if live is not None:
                live.close()
            for side in ("", *_SIDE_FILES):
                Path(f"{temp}{side}").unlink(missing_ok=True)
    return Restored(
        shown_url(url), revision, entries, kept if kept and kept.exists() else None,
        migrate.head_revision(), upgraded_from,
    )  # fmt: skip


def _archive_tables(source: Path) -> set[str]:
    found = shutil.which("pg_restore")
    if found is None:
        raise BackupError("pg_restore is not on PATH; install the PostgreSQL client tools")
    done = subprocess.run(
        [found, "--list", str(source)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(
            f"backup {source} is not a readable pg_dump archive: {_first_line(done.stderr)}"
        )
    tables: set[str] = set()
    for line in done.stdout.splitlines():
        parts = line.split()
        # "215; 0 16390 TABLE DATA public audit_log postgres"
        if "TABLE" in parts and "DATA" in parts:
            at = parts.index("DATA")
            if len(parts) > at + 2:
                tables.add(parts[at + 2])
    return tables


def _pg_restore(url: sa.URL, source: Path, *, force: bool, keep: bool) -> Restored:
    from clears.registry import audit, migrate
    from clears.registry._open import connection_failure

    if describe_file(source) != "a pg_dump archive":
        raise BackupError(f"backup {source} is {describe_file(source)}, not a pg_dump archive")
    tables = _archive_tables(source)
    if not {"alembic_version", "audit_log"} <= tables:
        raise BackupError(f"backup {source} is not a clears registry (no registry tables)")
    plain = url.render_as_string(hide_password=False)
    kept: Path | None = None
    with hold(plain, exclusive=True):
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                present = connection.execute(
                    sa.text(
                        "SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = current_schema()"
                    )
                ).scalar_one()
        except sa.exc.DBAPIError as exc:
            raise connection_failure(exc, url) from None
        finally:
            engine.dispose()
        if present and not force:
            raise BackupError(
                f"{shown_url(url)} already holds {present} table(s); nothing was changed; "
                "pass --force to replace them (the current contents are dumped first)"
            )
        arguments = ["--no-owner", "--single-transaction", "--exit-on-error"]
        if present:
            arguments += ["--clean", "--if-exists"]
            if keep:
                kept = source.with_name(f"{source.name}.before-restore-{_stamp()}.dump")
                done = _run_pg("pg_dump", url, ["--format=custom", f"--file={kept}"])
                if done.returncode != 0:
                    kept.unlink(missing_ok=True)
                    raise BackupError(
                        f"could not keep the current contents of {shown_url(url)}: "
                        f"{_first_line(done.stderr)}; nothing was changed"
                    )
        done = _run_pg("pg_restore", url, [*arguments, str(source)])
        if done.returncode != 0:
            raise BackupError(
                f"pg_restore into {shown_url(url)} failed: {_first_line(done.stderr)}; "
                "the restore ran in one transaction, so nothing was changed"
            )
    engine = open_registry(plain, revision=None)
    try:
        with Session(engine) as session:
            report = audit.verify(session)
            revision = str(
                session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            )
    finally:
        engine.dispose()
    if not report.ok:
        raise BackupError(
            f"restored {shown_url(url)}, but its audit chain fails: "
            f"{'; '.join(report.problems[:3])}; run 'clears audit verify'"
        )
    return Restored(shown_url(url), revision, report.entries, kept, migrate.head_revision())


def restore(
    source: str | Path, url: str | None = None, *, force: bool = False, keep: bool = True
) -> Restored:
    """Replace the registry at ``url`` with the backup ``source``, checked first.

    Parameters
    ----------
    source
        A backup written by :func:`backup` (SQLite file or pg_dump archive).
    url
        Database to replace (``--db``, else ``$CLEARS_DB_URL``, else the default file).
    force
        PostgreSQL: replace a target that already holds tables. SQLite: needed with
        ``keep=False``.
    keep
        Keep the replaced database (``<db>.before-restore-<stamp>``, or a dump beside the
        backup on PostgreSQL).

    Raises
    ------
    RegistryHeldError
        A server (``clears serve``) holds the registry.
    BackupError
        The backup is missing, damaged, not a clears registry, at an unknown revision or
        fails the audit chain check; the target is in use; the disk is full. Nothing was
        changed.
    """
    file = Path(source)
    if not file.is_file():
        raise BackupError(f"backup {file} does not exist")
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not keep and not force:
            raise BackupError(
                "--discard-old deletes the replaced database for good; pass --force as well"
            )
        return _sqlite_restore(parsed, file, keep=keep)
    return _pg_restore(parsed, file, force=force, keep=keep)
