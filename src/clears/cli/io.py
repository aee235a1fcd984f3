"""``clears import`` and ``clears export``: cohort tables in and out of the registry."""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clears.cli._io import cohort_warnings, iso_date
from clears.cli.db import DbOption

__all__ = ["ExportFormat", "export", "import_"]


class ExportFormat(StrEnum):
    """Formats of ``clears export`` (see :class:`clears.registry.exports.writer.Format`)."""

    csv = "csv"
    parquet = "parquet"
    redcap = "redcap"
    fhir = "fhir"
    sdtm = "sdtm"


@contextmanager
def _staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` to write into; moved into place only when complete.

    A new ``out`` appears whole (one rename); into an existing one each file is moved
    (``os.replace``, each file old or new). On any error (a full disk) the temporary folder
    is removed and ``out`` is as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield staging
        if not out.exists():
            os.rename(staging, out)
            return
        for written in sorted(staging.rglob("*")):
            target = out / written.relative_to(staging)
            if written.is_dir():
                target.mkdir(exist_ok=True)
            else:
                os.replace(written, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def import_(
    cohort: Annotated[Path, typer.Argument(help="Cohort folder (CSV or Parquet tables).")],
    db: DbOption = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Import a cohort in one transaction: on any problem nothing is written."""
    from clears.registry import Actor, open_registry
    from clears.registry.importer import import_cohort

    reference = iso_date(today, option="--today")
    engine = open_registry(db)  # never creates a database: a mistyped --db is an error
    try:
        # The cohort is read and checked before the import's transaction starts.
        with cohort_warnings():
            summary = import_cohort(
                cohort, actor=Actor.everywhere(getpass.getuser()), engine=engine, today=reference
            )
    finally:
        engine.dispose()
    typer.echo(summary.to_text())


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the tables into.")],
    db: DbOption = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ExportFormat.csv
    ),
    deidentify: Annotated[
        bool,
        typer.Option(
            "--deidentify",
            help="Drop free text, hash patient ids (salted SHA-256), shift dates per patient.",
        ),
    ] = False,
    salt: Annotated[
        str | None,
        typer.Option("--salt", help="Secret salt of the id hashes (default: random, not kept)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the date offsets (default: random).")
    ] = None,
    study: Annotated[str, typer.Option("--study", help="SDTM STUDYID.")] = "CLEARS",
    site_fields: Annotated[
        Path | None,
        typer.Option(
            "--site-fields",
            help="Site-fields file (default $CLEARS_SITE_FIELDS): with --deidentify, its "
            "coded, numeric and date fields are kept (dates shifted).",
        ),
    ] = None,
) -> None:
    """Export the registry (every centre: command-line user) in one format."""
    from clears.cohort import SiteFields, load_site_fields
    from clears.registry import Actor, open_registry, transaction
    from clears.registry.exporter import export_cohort
    from clears.registry.exports.writer import write_export
    from clears.registry.signatures import export_signatures

    chosen = site_fields or os.environ.get("CLEARS_SITE_FIELDS", "").strip() or None
    declared = SiteFields() if chosen is None else load_site_fields(chosen)
    engine = open_registry(db)  # never creates a database: a mistyped --db is an error
    actor = Actor.everywhere(getpass.getuser())
    try:
        with transaction(engine) as session:
            cohort = export_cohort(actor=actor, session=session)
            signatures = export_signatures(session, actor=actor)
    finally:
        engine.dispose()
    with _staged(out) as staging:
        write_export(
            cohort,
            staging,
            format=fmt.value,
            deidentified=deidentify,
            salt=salt,
            seed=seed,
            study=study,
            signatures=signatures,
            site_fields=declared,
        )
    folder = out
    what = "de-identified " if deidentify else ""
    typer.echo(f"exported {cohort.n_patients} {what}patients ({fmt.value}) to {folder}")
