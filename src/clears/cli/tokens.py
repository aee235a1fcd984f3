"""``clears tokens ...``: make, list and revoke users' API tokens (in the registry).

Run by whoever runs the server (acting network-wide, audited under their login name). A new
token's secret is printed once, alone on standard output (so ``clears tokens create ... >
file`` keeps only it); what it is goes to standard error. The longest expiry is
``$CLEARS_API_TOKEN_MAX_DAYS`` days, as for ``clears serve`` (default 90).
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Annotated

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from clears.registry import Actor, ApiToken

__all__ = ["app", "create", "list_", "revoke"]

app = typer.Typer(help="Make, list and revoke API tokens for scripts.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="User name.", show_default=False)]

#: The variable (and web setting) bounding a token's expiry.
MAX_DAYS_VARIABLE = "CLEARS_API_TOKEN_MAX_DAYS"


def _actor() -> Actor:
    from clears.registry import Actor

    return Actor.everywhere(getpass.getuser())


def _max_days() -> int:
    from clears._exceptions import InputError, Problem
    from clears.registry import DEFAULT_TOKEN_MAX_DAYS

    raw = os.environ.get(MAX_DAYS_VARIABLE)
    if raw is None:
        return DEFAULT_TOKEN_MAX_DAYS
    if not raw.strip().isdigit() or int(raw) < 1:
        raise InputError(Problem(MAX_DAYS_VARIABLE, raw, "is not a number of days", "1 or more"))
    return int(raw)


def _line(token: ApiToken) -> str:
    centres = "all centres" if "*" in token.centres else ", ".join(sorted(token.centres))
    used = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
    state = "revoked" if token.revoked_at else "expires"
    when = token.revoked_at or token.expires_at
    return (
        f"{token.id:>5}  {token.label}  {token.scope.value}  {centres}  "
        f"{state} {when:%Y-%m-%d %H:%M} UTC  last used {used}"
    )


@app.command("create")
def create(
    name: NameArgument,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")],
    days: Annotated[int, typer.Option("--days", help="Days until it expires.")],
    scope: Annotated[str, typer.Option("--scope", help="read, or write (read and write).")] = (
        "read"
    ),
    centre: Annotated[
        list[str] | None,
        typer.Option(
            "--centre", help="A centre of the user's (repeat; none: all).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Make a token for a user and print its secret (shown only now).

    Example: clears tokens create dr_bcn --label weekly-cohort --days 30 --centre BCN
    """
    from clears.cli.users import _registry
    from clears.registry import create_token

    with _registry(db) as session:
        secret, token = create_token(
            session,
            actor=_actor(),
            username=name,
            label=label,
            scope=scope,
            days=days,
            max_days=_max_days(),
            centres=centre or (),
        )
    typer.echo(f"token for {name}: {_line(token)}", err=True)
    typer.echo("  shown only now; clears keeps only its digest", err=True)
    typer.echo(secret)


@app.command("list")
def list_(name: NameArgument, db: DbOption = None) -> None:
    """List a user's tokens, newest first (never their secrets)."""
    from clears.cli.users import _registry
    from clears.registry import list_tokens

    with _registry(db, write=False) as session:
        tokens = list_tokens(session, actor=_actor(), username=name)
    typer.echo(f"{len(tokens)} token(s) of {name}")
    for token in tokens:
        typer.echo(_line(token))


@app.command("revoke")
def revoke(
    name: NameArgument,
    token_id: Annotated[int, typer.Argument(help="The token's number (clears tokens list).")],
    db: DbOption = None,
) -> None:
    """Revoke a user's token: refused from the next request on, by every server process."""
    from clears.cli.users import _registry
    from clears.registry import revoke_token

    with _registry(db) as session:
        token = revoke_token(session, actor=_actor(), username=name, token_id=token_id)
    typer.echo(f"revoked {_line(token)}")
