"""``clears patients rename``: give a patient a new identifier, audited."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["app"]

app = typer.Typer(help="Correct patient identifiers in the registry.", no_args_is_help=True)


@app.command("rename")
def rename(
    old: Annotated[str, typer.Argument(help="The patient's identifier, as stored.")],
    new: Annotated[str, typer.Argument(help="The new identifier (letters, digits, . _ -).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the identifier changes.")],
    db: DbOption = None,
) -> None:
    """Rename patient OLD to NEW: every record moves, the audit trail records why.

    Example: clears patients rename 'P/04' P04 --reason "legacy id with '/'" --db sqlite:///clears.db
    """
    from clears.registry import Actor, open_registry, rename_patient, transaction

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            stored = rename_patient(
                session,
                actor=Actor.everywhere(getpass.getuser()),
                old=old,
                new=new,
                reason=reason,
            )
    finally:
        engine.dispose()
    typer.echo(f"renamed patient {old!r} to {stored!r}")
