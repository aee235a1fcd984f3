"""``clears users ...``: manage the web app's accounts in the registry database.

Accounts live in the registry (``--db URL``, else ``$CLEARS_DB_URL``, else
``sqlite:///clears.db``, as for every registry command); each change is audited under the
name of the person running the command and is seen by a running ``clears serve`` at once.
Passwords are read twice with hidden input, or once from standard input with
``--password-stdin``; never from the command line, where other users of the machine and
the shell history would see them. ``clears users import FILE`` moves the accounts of a
users file (the format clears used before) in, keeping their password hashes.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from clears.cli.db import DbOption

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from clears.registry import Account, Actor

__all__ = [
    "add",
    "app",
    "centres",
    "disable",
    "enable",
    "import_",
    "list_",
    "passwd",
    "reset",
    "role",
]

app = typer.Typer(help="Manage the web app's accounts (in the registry).", no_args_is_help=True)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]
NameArgument = Annotated[str, typer.Argument(help="User name.", show_default=False)]
CentreOption = Annotated[
    list[str] | None,
    typer.Option("--centre", help="Centre code (repeat for several).", show_default=False),
]
AllCentresOption = Annotated[
    bool, typer.Option("--all-centres", help="Every centre of the network.")
]

T = TypeVar("T")


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    typed: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed


def _actor() -> Actor:
    from clears.registry import Actor

    return Actor.everywhere(getpass.getuser())


@contextmanager
def _registry(db: str | None, *, write: bool = True) -> Iterator[Session]:
    """One transaction on the registry at ``db`` (which must be initialised)."""
    from clears.registry import open_registry, transaction

    engine = open_registry(db)
    try:
        with transaction(engine, write=write) as session:
            yield session
    finally:
        engine.dispose()


def _run(db: str | None, work: Callable[[Session], T]) -> T:
    with _registry(db) as session:
        return work(session)


def _centres(centre: list[str] | None, all_centres: bool) -> list[str]:
    """The centres given: codes, or ``["*"]`` for --all-centres (not both)."""
    from clears._exceptions import InputError, Problem
    from clears.registry import ALL_CENTRES

    if all_centres and centre:
        raise InputError(
            Problem("centre", centre, "cannot be combined with --all-centres", "one or other")
        )
    if ALL_CENTRES in (centre or []):
        raise InputError(Problem("centre", ALL_CENTRES, "is not a centre code", "--all-centres"))
    return [ALL_CENTRES] if all_centres else list(centre or [])


def _shown(account: Account) -> str:
    return "all centres" if account.all_centres else ", ".join(sorted(account.centres))


def _line(account: Account) -> str:
    named = f", {account.full_name}" if account.full_name else ""
    return f"{account.username} ({account.role.value}, {_shown(account)}{named})"


@app.command("add")
def add(
    name: NameArgument,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="administrator, investigator, data_entry or monitor.",
            show_default=False,
        ),
    ],
    centre: CentreOption = None,
    all_centres: AllCentresOption = False,
    db: DbOption = None,
    password_stdin: PasswordStdin = False,
    must_change: Annotated[
        bool,
        typer.Option("--must-change", help="The user chooses a new password at first sign-in."),
    ] = False,
) -> None:
    """Add a user; centre codes must be centres of the registry.

    Example: clears users add dr_bcn --role investigator --centre BCN --db sqlite:///clears.db
    """
    from clears._exceptions import InputError
    from clears.registry import add_account, check_new_account

    wanted = _centres(centre, all_centres)
    with _registry(db, write=False) as session:
        problems = check_new_account(
            session, actor=_actor(), username=name, role=role, centres=wanted
        )
    if problems:  # refuse before asking for a password
        raise InputError(problems)
    password = _password(password_stdin)
    added = _run(
        db,
        lambda s: add_account(
            s,
            actor=_actor(),
            username=name,
            role=role,
            centres=wanted,
            password=password,
            must_change_password=must_change,
        ),
    )
    typer.echo(f"added {_line(added)}")


@app.command("list")
def list_(db: DbOption = None) -> None:
    """List the users: name, role, centres, state and full name (never password hashes)."""
    from clears.registry import list_accounts

    with _registry(db, write=False) as session:
        rows = list_accounts(session, actor=_actor())
    typer.echo(f"{len(rows)} user(s)")
    width = max((len(u.username) for u in rows), default=0)
    for user in rows:
        state = "  disabled" if user.disabled else ""
        state += "  must change password" if user.must_change_password else ""
        state += f"  ({user.full_name})" if user.full_name else ""
        typer.echo(f"{user.username:<{width}}  {user.role.value:<13}  {_shown(user)}{state}")


@app.command("disable")
def disable(name: NameArgument, db: DbOption = None) -> None:
    """Disable a user: refused at sign-in, and their open sessions end at once."""
    from clears.registry import set_disabled

    _run(db, lambda s: set_disabled(s, actor=_actor(), username=name, disabled=True))
    typer.echo(f"disabled {name} (their sessions ended)")


@app.command("enable")
def enable(name: NameArgument, db: DbOption = None) -> None:
    """Enable a disabled user again."""
    from clears.registry import set_disabled

    _run(db, lambda s: set_disabled(s, actor=_actor(), username=name, disabled=False))
    typer.echo(f"enabled {name}")


@app.command("role")
def role(
    name: NameArgument,
    new_role: Annotated[
        str, typer.Argument(help="administrator, investigator, data_entry or monitor.")
    ],
    db: DbOption = None,
) -> None:
    """Give a user another role."""
    from clears.registry import set_role

    changed = _run(db, lambda s: set_role(s, actor=_actor(), username=name, role=new_role))
    typer.echo(f"changed {_line(changed)}")


@app.command("name")
def name_(
    name: NameArgument,
    full_name: Annotated[
        str, typer.Argument(help="The full name printed on the user's signatures.")
    ],
    db: DbOption = None,
) -> None:
    """Set the full name a user's electronic signatures print (21 CFR 11.50(a)(1))."""
    from clears.registry import set_full_name

    changed = _run(
        db, lambda s: set_full_name(s, actor=_actor(), username=name, full_name=full_name)
    )
    typer.echo(f"named {changed.username}: {changed.full_name}")


@app.command("centres")
def centres(
    name: NameArgument,
    centre: CentreOption = None,
    all_centres: AllCentresOption = False,
    db: DbOption = None,
) -> None:
    """Give a user other centres (every --centre given, or --all-centres)."""
    from clears.registry import set_centres

    wanted = _centres(centre, all_centres)
    changed = _run(db, lambda s: set_centres(s, actor=_actor(), username=name, centres=wanted))
    typer.echo(f"changed {_line(changed)}")


@app.command("passwd")
def passwd(name: NameArgument, db: DbOption = None, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for a user (their open sessions end)."""
    from clears.registry import get_account, set_password

    with _registry(db, write=False) as session:
        get_account(session, actor=_actor(), username=name)  # refused before the prompt
    password = _password(password_stdin)
    _run(db, lambda s: set_password(s, actor=_actor(), username=name, password=password))
    typer.echo(f"new password set for {name}")


@app.command("reset")
def reset(name: NameArgument, db: DbOption = None) -> None:
    """Give a user a temporary password, printed once, to be changed at their next sign-in."""
    from clears.registry import reset_password

    temporary = _run(db, lambda s: reset_password(s, actor=_actor(), username=name))
    typer.echo(f"temporary password for {name}: {temporary}")
    typer.echo("  shown only now; they must choose a new one when they sign in")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A users file (JSON) to move in.")],
    db: DbOption = None,
) -> None:
    """Move the accounts of a users file into the registry: all of them, or none.

    Each keeps its password. Names already in the registry, unknown roles or centres, and
    entries without an Argon2 hash are refused, every one named. The file is not changed;
    delete it once the import is done.

    Example: clears users import clears-users.json --db sqlite:///clears.db
    """
    from clears.registry import import_accounts
    from clears.web._users_file import read_users_file

    entries = read_users_file(file)
    imported = _run(
        db,
        lambda s: import_accounts(s, actor=_actor(), accounts=entries, source=str(file)),
    )
    typer.echo(f"imported {len(imported)} user(s) from {file}:")
    for account in imported:
        typer.echo(f"  {_line(account)}")
    typer.echo(f"{file} is no longer read; delete it once you have checked the list above")
