"""``clears instruments``: instrument definitions and their REDCap data dictionary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Instrument definitions and their REDCap data dictionary.")


@app.command("redcap")
def redcap(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write the dictionary to.")],
    site_fields: Annotated[
        Path | None,
        typer.Option(
            "--site-fields",
            help="Site-fields file whose fields are added as forms site_<table>.",
        ),
    ] = None,
) -> None:
    """Write the REDCap data dictionary of every clears instrument (and the site's fields)."""
    from clears.cohort import load_site_fields, site_dictionary_rows
    from clears.instruments import redcap as dictionary

    extra = [] if site_fields is None else site_dictionary_rows(load_site_fields(site_fields))
    rows = dictionary.write_dictionary(out, extra=extra)
    typer.echo(f"wrote {rows} fields to {out}")
