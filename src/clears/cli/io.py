"""``clears import`` and ``clears export``: cohort tables in and out of the registry."""

from __future__ import annotations

import datetime as dt
import getpass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["ExportFormat", "export", "import_"]


class ExportFormat(StrEnum):
    """Formats of ``clears export``."""

    csv = "csv"
    parquet = "parquet"


def import_(
    cohort: Annotated[Path, typer.Argument(help="Cohort folder (CSV or Parquet tables).")],
    db: DbOption = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Import a cohort in one transaction: on any problem nothing is written."""
    from clears.registry._actor import Actor
    from clears.registry.importer import import_cohort

    summary = import_cohort(
        cohort,
        actor=Actor.everywhere(getpass.getuser()),
        url=db,
        today=dt.date.fromisoformat(today) if today else None,
    )
    typer.echo(summary.to_text())


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the tables into.")],
    db: DbOption = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ExportFormat.csv
    ),
) -> None:
    """Export the registry as cohort tables (every centre: command-line user)."""
    from clears.registry._actor import Actor
    from clears.registry.exporter import export_cohort, write_cohort

    cohort = export_cohort(actor=Actor.everywhere(getpass.getuser()), url=db)
    folder = write_cohort(cohort, out, format="csv" if fmt is ExportFormat.csv else "parquet")
    typer.echo(f"exported {cohort.n_patients} patients to {folder}")
