"""``clears status missing``: the missing-data report of the registry, per centre or patient."""

from __future__ import annotations

import csv
import getpass
import io
import json
from enum import StrEnum
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["app"]

app = typer.Typer(
    help="Form status and missing data in the registry (docs/data-management.md).",
    no_args_is_help=True,
)


class MissingFormat(StrEnum):
    """How the missing-data report prints."""

    text = "text"
    csv = "csv"
    json = "json"


_CENTRE_COLUMNS = ("centre", "table", "field", "missing", "records")
_PATIENT_COLUMNS = ("patient_id", "table", "record_id", "date", "missing")


def _csv(columns: tuple[str, ...], rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


@app.command("missing")
def missing(
    db: DbOption = None,
    centre: Annotated[
        str | None, typer.Option("--centre", help="One centre code (default: every centre).")
    ] = None,
    patient: Annotated[
        str | None,
        typer.Option("--patient", help="One patient: each record with blank required fields."),
    ] = None,
    output: Annotated[
        MissingFormat, typer.Option("--format", help="text, csv or json.")
    ] = MissingFormat.text,
) -> None:
    """Count the required fields left blank, per centre, table and field (only fields blank
    somewhere, in text), or list them record by record for one patient.

    Example: clears status missing --db sqlite:///clears.db --centre BCN --format csv
    """
    from clears.registry import (
        Actor,
        centre_missing,
        open_registry,
        patient_missing,
        transaction,
    )

    actor = Actor.everywhere(getpass.getuser())
    engine = open_registry(db)
    try:
        with transaction(engine, write=False) as session:
            if patient is not None:
                found = patient_missing(session, actor=actor, patient_id=patient)
                rows: list[dict[str, object]] = [
                    {
                        "patient_id": patient,
                        "table": r.table,
                        "record_id": r.record_id,
                        "date": None if r.date is None else r.date.isoformat(),
                        "missing": ";".join(r.missing),
                    }
                    for r in found
                ]
                columns = _PATIENT_COLUMNS
            else:
                counts = centre_missing(session, actor=actor, centre=centre)
                rows = [
                    {
                        "centre": r.centre,
                        "table": r.table,
                        "field": r.field,
                        "missing": r.missing,
                        "records": r.records,
                    }
                    for r in counts
                ]
                columns = _CENTRE_COLUMNS
    finally:
        engine.dispose()
    if output is MissingFormat.json:
        typer.echo(json.dumps(rows, indent=2))
    elif output is MissingFormat.csv:
        typer.echo(_csv(columns, rows))
    elif patient is not None:
        for row in rows:
            date = f" ({row['date']})" if row["date"] else ""
            typer.echo(f"{row['table']} {row['record_id']}{date}: {row['missing']}")
        if not rows:
            typer.echo(f"patient {patient}: no required field is blank")
    else:
        shown = [r for r in rows if r["missing"]]
        for row in shown:
            typer.echo(
                f"{row['centre']} {row['table']}.{row['field']}: {row['missing']} of "
                f"{row['records']} records blank"
            )
        if not shown:
            typer.echo("no required field is blank")
