"""``clears audit verify|anchor|show``: check the trail, anchor its head, print a history."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["app"]

app = typer.Typer(help="Verify and read the registry's audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(
    db: DbOption = None,
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            help="An anchor written by 'clears audit anchor': also detect a trail rewound, "
            "emptied or rewritten since.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Check the hash chain and every row against it; exit 1 on any problem.

    Reports entries edited, deleted or rewritten without the audit key, a head that does
    not name the last entry, rows changed, added or deleted outside clears, and, with
    --anchor, a trail that no longer reaches the anchor. Keyed entries that cannot be
    checked (no audit key) also exit 1.
    """
    from clears.registry import open_registry, transaction
    from clears.registry.audit import verify as check
    from clears.registry.audit_anchor import parse_anchor

    head = None if anchor is None else parse_anchor(anchor.read_text(), source=str(anchor))
    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            report = check(session, anchor=head)
    finally:
        engine.dispose()
    typer.echo(report.to_text())
    if not report.ok:
        raise typer.Exit(1)


@app.command("anchor")
def anchor(
    db: DbOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the anchor to this file (default: standard output)."),
    ] = None,
) -> None:
    """Print the trail's head (entries, last hash, time, keyed) as JSON for safe keeping.

    Keep it where the database administrator cannot write; 'clears audit verify --anchor
    FILE' then detects entries removed from the end, an emptied log and a rewritten trail.
    """
    from clears.registry import open_registry, transaction
    from clears.registry.audit import take_anchor

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            head = take_anchor(session)
    finally:
        engine.dispose()
    if out is None:
        typer.echo(head.to_json(), nl=False)
    else:
        out.write_text(head.to_json(), encoding="utf-8")
        typer.echo(f"anchor of {head.entries} entries written to {out}", err=True)


@app.command("show")
def show(
    patient: Annotated[str, typer.Option("--patient", help="Pseudonymous patient id.")],
    db: DbOption = None,
) -> None:
    """Print every audit entry of one patient, oldest first (command-line user: all centres)."""
    from clears.cohort._ids import normalise_id
    from clears.registry import Actor, find_patient_id, open_registry, transaction
    from clears.registry.audit import history

    engine = open_registry(db)
    try:
        with transaction(engine) as session:
            # Looked up as everywhere: ' P01' names P01; an id from before the identifier
            # alphabet is found as stored.
            registered = find_patient_id(session, patient) or normalise_id(patient)
            entries = history(
                session, actor=Actor.everywhere(getpass.getuser()), patient_id=registered
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
