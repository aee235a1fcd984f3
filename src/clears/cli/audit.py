"""``clears audit verify|show``: check the hash chain, print a patient's full history."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["app"]

app = typer.Typer(help="Verify and read the registry's audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(db: DbOption = None) -> None:
    """Recompute the hash chain; exit 1 if any entry was edited or deleted."""
    from clears.registry._engine import make_engine, transaction
    from clears.registry.audit import verify as check

    engine = make_engine(db)
    try:
        with transaction(engine) as session:
            report = check(session)
    finally:
        engine.dispose()
    typer.echo(report.to_text())
    if not report.ok:
        raise typer.Exit(1)


@app.command("show")
def show(
    patient: Annotated[str, typer.Option("--patient", help="Pseudonymous patient id.")],
    db: DbOption = None,
) -> None:
    """Print every audit entry of one patient, oldest first (command-line user: all centres)."""
    from clears.registry._actor import Actor
    from clears.registry._engine import make_engine, transaction
    from clears.registry.audit import history

    engine = make_engine(db)
    try:
        with transaction(engine) as session:
            entries = history(
                session, actor=Actor.everywhere(getpass.getuser()), patient_id=patient
            )
    finally:
        engine.dispose()
    for entry in entries:
        typer.echo(
            f"#{entry.id} {entry.at} {entry.actor} {entry.action} {entry.entity} {entry.entity_id}"
        )
        if entry.reason:
            typer.echo(f"    reason: {entry.reason}")
        before = json.loads(entry.before) if entry.before else {}
        after = json.loads(entry.after) if entry.after else {}
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                typer.echo(f"    {name}: {before.get(name)!r} -> {after.get(name)!r}")
