"""``clears db init|upgrade|backup``: create, migrate and back up the registry database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["DbOption", "app"]

app = typer.Typer(help="Create, upgrade and back up the registry database.", no_args_is_help=True)

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
    from clears.registry import migrate
    from clears.registry._engine import resolve_url

    revision = migrate.init(db)
    typer.echo(f"initialised {resolve_url(db)} at revision {revision}")


@app.command("upgrade")
def upgrade(
    db: DbOption = None,
    revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
) -> None:
    """Upgrade the database to the newest (or the given) revision."""
    from clears.registry import migrate
    from clears.registry._engine import resolve_url

    reached = migrate.upgrade(db, revision=revision)
    typer.echo(f"{resolve_url(db)} is at revision {reached}")


@app.command("backup")
def backup(
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Backup file (default: timestamped).")
    ] = None,
) -> None:
    """Write a consistent copy of the database (SQLite backup API, or pg_dump)."""
    from clears.registry import migrate

    typer.echo(f"backup written to {migrate.backup(db, out=out)}")
