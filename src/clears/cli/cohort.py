"""``clears cohort``: check a cohort folder against the cohort-table contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from clears._exceptions import InputError, Problem
from clears.cli._io import OutputFormat, iso_date

app = typer.Typer(help="Cohort tables: check a folder of CSV or Parquet tables.")


@app.command("validate")
def validate(
    folder: Annotated[Path, typer.Argument(help="Cohort folder (patients.csv, ...).")],
    today: Annotated[
        str | None,
        typer.Option("--today", help="Judge future dates against this day (YYYY-MM-DD)."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.text
    ),
) -> None:
    """Print every problem and warning of a cohort folder; exit 1 if there is any problem.

    Warnings (a column that looks like a known one beside it, ...) do not change the exit
    code; they are printed after the problems, or after the "valid" line.
    """
    from clears.cohort import TABLES, read

    noticed: list[Problem] = []
    try:
        cohort = read(folder, today=iso_date(today, option="--today"), on_warning=noticed.append)
    except InputError as exc:
        if fmt is OutputFormat.json:
            payload = {
                "valid": False,
                "problems": [p.to_dict() for p in exc.problems],
                "warnings": [p.to_dict() for p in noticed],
            }
            sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"{len(exc.problems)} problem(s) in {folder}:\n")
            for problem in exc.problems:
                sys.stdout.write(f"  - {problem}\n")
            _write_warnings(noticed)
        raise typer.Exit(1) from None
    rows = {table: len(cohort.table(table)) for table in TABLES}
    if fmt is OutputFormat.json:
        payload = {"valid": True, "rows": rows, "warnings": [p.to_dict() for p in noticed]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        counts = ", ".join(f"{n} {table}" for table, n in rows.items())
        sys.stdout.write(f"{folder}: valid ({counts})\n")
        _write_warnings(noticed)


def _write_warnings(noticed: list[Problem]) -> None:
    if noticed:
        sys.stdout.write(f"{len(noticed)} warning(s):\n")
        for problem in noticed:
            sys.stdout.write(f"  - {problem}\n")
