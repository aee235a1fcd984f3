"""``clears db init|upgrade|backup|restore``: create, migrate, back up and restore the registry.

Only ``init`` creates a database; every other command refuses a database that does not
exist or holds no registry, in one line naming the URL (password masked) and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["DbOption", "app"]

app = typer.Typer(
    help="Create, upgrade, back up and restore the registry database.", no_args_is_help=True
)

#: The ``--db`` option shared by every registry command.
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $CLEARS_DB_URL, else sqlite:///clears.db).",
        show_default=False,
    ),
]


@app.command("init")
def init(db: DbOption = None) -> None:
    """Create the registry tables in a new database (by running every migration)."""
    from clears.registry import migrate, resolve_url, shown_url

    revision = migrate.init(db)
    typer.echo(f"initialised {shown_url(resolve_url(db))} at revision {revision}")


@app.command("upgrade")
def upgrade(
    db: DbOption = None,
    revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
) -> None:
    """Upgrade an existing registry to the newest (or the given) revision.

    The data checks of every pending revision run first: if existing rows break a
    constraint a revision adds, each is listed and nothing is changed.
    """
    from clears.registry import migrate, resolve_url, shown_url

    reached = migrate.upgrade(db, revision=revision, existing=True)
    typer.echo(f"{shown_url(resolve_url(db))} is at revision {reached}")


@app.command("backup")
def backup(
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Backup file (default: timestamped).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing --out, only if it is a clears backup of the same kind.",
        ),
    ] = False,
) -> None:
    """Write a consistent copy of the database (SQLite backup API, or pg_dump)."""
    from clears.registry import backups

    typer.echo(f"backup written to {backups.backup(db, out=out, force=force)}")


@app.command("restore")
def restore(
    source: Annotated[
        Path, typer.Argument(help="Backup file (from clears db backup).", show_default=False)
    ],
    db: DbOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="PostgreSQL: replace a database that already holds tables; "
            "SQLite: confirm --discard-old.",
        ),
    ] = False,
    discard_old: Annotated[
        bool,
        typer.Option(
            "--discard-old",
            help="Do not keep the replaced database (default: kept as <db>.before-restore-<time>).",
        ),
    ] = False,
) -> None:
    """Replace the registry with a backup, after checking the backup.

    Refused while clears serve runs on the database. The backup must pass SQLite's
    integrity check, hold the registry tables at a known revision and pass the audit chain
    check; the replacement is atomic (the old database or the new, never a mix).
    """
    from clears.registry import backups

    done = backups.restore(source, db, force=force, keep=not discard_old)
    typer.echo(done.to_text())
