"""``clears instruments``: instrument definitions and their REDCap data dictionary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Instrument definitions and their REDCap data dictionary.")


@app.command("redcap")
def redcap(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write the dictionary to.")],
) -> None:
    """Write the REDCap data dictionary of every clears instrument."""
    from clears.instruments import redcap as dictionary

    rows = dictionary.write_dictionary(out)
    typer.echo(f"wrote {rows} fields to {out}")
