"""``clears queries list|show|open|answer|correct|close|reopen``: the data-query workflow.

Unlike the registry's other commands, which act network-wide under the login name of
whoever runs them, a query step is a role's act (a monitor opens, closes and re-opens; data
entry answers or corrects). So every ``clears queries`` command acts for the account named
by ``--user``: its role is checked against :data:`clears.registry.PERMISSIONS` (a refused
step exits 1 naming the role), it sees that account's centres only (another centre's query
is "not found"), and the audit trail names that account, as it would for the same step taken
in the web app. A disabled account is refused. Whoever can run the command against the
database can name any account, as they can run any other registry command: the command line
is for the people who run the server.

``list`` prints text, CSV or JSON (``--format``), like ``clears dq run``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from clears.registry import Account, DataQuery

__all__ = ["answer", "app", "close", "correct", "list_", "open_", "reopen", "show"]

app = typer.Typer(
    help="Data queries: list, show, open, answer, correct, close, re-open "
    "(docs/data-management.md).",
    no_args_is_help=True,
)

UserOption = Annotated[
    str,
    typer.Option(
        "--user", help="The account to act for (its role and centres).", show_default=False
    ),
]
QueryId = Annotated[int, typer.Argument(help="The query's number (clears queries list).", min=1)]
VersionOption = Annotated[
    int, typer.Option("--version", help="The version shown (clears queries show).", min=1)
]

#: The columns of ``list`` in CSV and text, in order.
COLUMNS = (
    "id",
    "patient_id",
    "centre",
    "table",
    "record_id",
    "field",
    "status",
    "age_days",
    "opened_by",
    "opened_at",
    "version",
    "text",
)


class ListFormat(StrEnum):
    """How ``clears queries list`` prints."""

    text = "text"
    csv = "csv"
    json = "json"


@contextmanager
def _acting(db: str | None, username: str, step: str | None) -> Iterator[tuple[Session, Account]]:
    """A transaction and the account ``username``, enabled and (for ``step``) allowed."""
    import getpass

    from clears._exceptions import NotFoundError
    from clears.cli.users import _registry
    from clears.registry import Actor
    from clears.registry.accounts import get_account
    from clears.registry.queries import may_take, refusal

    with _registry(db, write=step is not None) as session:
        account = get_account(session, actor=Actor.everywhere(getpass.getuser()), username=username)
        if account.disabled:
            raise NotFoundError(f"user {username!r} is disabled")
        if step is not None and not may_take(account.role, step):
            typer.echo(f"error: {refusal(account.role, step)}", err=True)
            raise typer.Exit(1)
        yield session, account


def _line(query: DataQuery) -> str:
    return (
        f"{query.id:>5}  {query.status:<8} {query.age_days():>4} d  {query.patient_id}  "
        f"{query.table} {query.record_id} {query.field}  v{query.version}  {query.text}"
    )


def _shown(query: DataQuery) -> str:
    lines = [
        _line(query),
        f"  centre {query.centre}; opened by {query.opened_by} "
        f"at {query.opened_at:%Y-%m-%d %H:%M} UTC",
    ]
    if query.proposed_value is not None:
        lines.append(f"  proposed value: {query.proposed_value}")
    for m in query.messages:
        change = f" [{m.old_value} -> {m.new_value}]" if m.step == "correct" else ""
        lines.append(f"  {m.at:%Y-%m-%d %H:%M} {m.by} {m.step}{change}: {m.text}")
    return "\n".join(lines)


@app.command("list")
def list_(
    user: UserOption,
    centre: Annotated[str, typer.Option("--centre", help="The centre's code.")],
    status: Annotated[
        str | None, typer.Option("--status", help="open, answered or closed (default: all).")
    ] = None,
    after: Annotated[
        int | None, typer.Option("--after", help="Start after this query number (paging).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (1-200).")] = 50,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ListFormat.text
    ),
    db: DbOption = None,
) -> None:
    """A centre's queries, oldest first, with their age in days (one page).

    Example: clears queries list --centre BCN --status open --user monitor_bcn --format csv
    """
    from clears.registry.queries import list_queries

    with _acting(db, user, None) as (session, account):
        page = list_queries(
            session, actor=account.actor(), centre=centre, status=status, after=after, limit=limit
        )
    rows = [query.to_dict() for query in page.queries]
    if fmt is ListFormat.json:
        typer.echo(json.dumps({"queries": rows, "next_after": page.next_after}, indent=1))
        return
    if fmt is ListFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buffer.getvalue(), nl=False)
        return
    typer.echo(f"{len(rows)} query(ies) of {centre}")
    for query in page.queries:
        typer.echo(_line(query))
    if page.next_after is not None:
        typer.echo(f"more: --after {page.next_after}")


@app.command("show")
def show(query_id: QueryId, user: UserOption, db: DbOption = None) -> None:
    """One query with its thread."""
    from clears.registry.queries import get_query

    with _acting(db, user, None) as (session, account):
        query = get_query(session, actor=account.actor(), query_id=query_id)
    typer.echo(_shown(query))


@app.command("open")
def open_(
    patient: Annotated[str, typer.Argument(help="Patient identifier.")],
    user: UserOption,
    table: Annotated[str, typer.Option("--table", help="patients, visits, treatments, ...")],
    field: Annotated[str, typer.Option("--field", help="A column of that table.")],
    text: Annotated[str, typer.Option("--text", help="The question.")],
    record: Annotated[
        int | None, typer.Option("--record", help="The record's number (not for patients).")
    ] = None,
    proposed: Annotated[str | None, typer.Option("--proposed", help="A value to propose.")] = None,
    db: DbOption = None,
) -> None:
    """Open a query on a field of a record of the patient.

    Example: clears queries open P1 --table visits --record 3 --field anc --text "2.8?"
    --user monitor_bcn
    """
    from clears.registry.queries import open_query

    with _acting(db, user, "open") as (session, account):
        query = open_query(
            session,
            actor=account.actor(),
            role=account.role,
            patient_id=patient,
            table=table,
            record_id=record,
            field=field,
            text=text,
            proposed_value=proposed,
        )
    typer.echo(f"opened {_line(query)}")


@app.command("answer")
def answer(
    query_id: QueryId,
    user: UserOption,
    version: VersionOption,
    text: Annotated[str, typer.Option("--text", help="The answer.")],
    db: DbOption = None,
) -> None:
    """Answer an open query."""
    from clears.registry.queries import answer_query

    with _acting(db, user, "answer") as (session, account):
        query = answer_query(
            session,
            actor=account.actor(),
            role=account.role,
            query_id=query_id,
            version=version,
            text=text,
        )
    typer.echo(f"answered {_line(query)}")


@app.command("correct")
def correct(
    query_id: QueryId,
    user: UserOption,
    version: VersionOption,
    record_version: Annotated[
        int, typer.Option("--record-version", help="The record's version as read.", min=1)
    ],
    value: Annotated[str, typer.Option("--value", help="The new value (blank clears it).")],
    text: Annotated[str, typer.Option("--text", help="What was wrong.")],
    db: DbOption = None,
) -> None:
    """Answer an open query by correcting the field (the record changes, audited)."""
    from clears.registry.queries import correct_query

    with _acting(db, user, "correct") as (session, account):
        query = correct_query(
            session,
            actor=account.actor(),
            role=account.role,
            query_id=query_id,
            version=version,
            record_version=record_version,
            value=value,
            text=text,
        )
    typer.echo(f"corrected {_line(query)}")


@app.command("close")
def close(
    query_id: QueryId,
    user: UserOption,
    version: VersionOption,
    text: Annotated[str, typer.Option("--text", help="A note (optional).")] = "",
    db: DbOption = None,
) -> None:
    """Close an answered query."""
    from clears.registry.queries import close_query

    with _acting(db, user, "close") as (session, account):
        query = close_query(
            session,
            actor=account.actor(),
            role=account.role,
            query_id=query_id,
            version=version,
            text=text,
        )
    typer.echo(f"closed {_line(query)}")


@app.command("reopen")
def reopen(
    query_id: QueryId,
    user: UserOption,
    version: VersionOption,
    text: Annotated[str, typer.Option("--text", help="Why it is re-opened.")],
    db: DbOption = None,
) -> None:
    """Re-open an answered or closed query."""
    from clears.registry.queries import reopen_query

    with _acting(db, user, "reopen") as (session, account):
        query = reopen_query(
            session,
            actor=account.actor(),
            role=account.role,
            query_id=query_id,
            version=version,
            text=text,
        )
    typer.echo(f"re-opened {_line(query)}")
