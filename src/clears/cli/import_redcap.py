"""``clears import-redcap``: read a REDCap flat export back into the registry."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from clears.cli._io import iso_date
from clears.cli.db import DbOption

__all__ = ["import_redcap"]


def import_redcap(
    export: Annotated[Path, typer.Argument(help="REDCap flat export (CSV, raw codes).")],
    centre: Annotated[str, typer.Option("--centre", help="Centre code of every record.")],
    db: DbOption = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Import REDCap records (visits, adverse events): on any problem nothing is written."""
    from clears.registry import Actor, open_registry, transaction
    from clears.registry.exports.redcap_flat import import_redcap as run

    reference = iso_date(today, option="--today")
    engine = open_registry(db)  # never creates a database: a mistyped --db is an error
    try:
        with transaction(engine) as session:
            summary = run(
                export,
                centre=centre,
                actor=Actor.everywhere(getpass.getuser()),
                session=session,
                today=reference,
            )
    finally:
        engine.dispose()
    typer.echo(summary.to_text())
