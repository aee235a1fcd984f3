"""``clears users add|list|remove|passwd``: manage the web app's users file.

The file is ``--users FILE``, else ``$CLEARS_USERS_FILE``, else ``./clears-users.json``
(see :mod:`clears.web._users_file`). Passwords are read twice with hidden input, or once
from standard input with ``--password-stdin``; never from the command line, where other
users of the machine and the shell history would see them. ``clears serve`` reads the
file at start-up, so restart it after a change.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["add", "app", "list_", "passwd", "remove"]

app = typer.Typer(help="Manage the web app's users file.", no_args_is_help=True)

UsersOption = Annotated[
    Path | None,
    typer.Option(
        "--users",
        help="Users file (default: $CLEARS_USERS_FILE, else ./clears-users.json).",
        show_default=False,
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]
NameArgument = Annotated[str, typer.Argument(help="User name.", show_default=False)]


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    typed: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed


def _registry_centres(url: str) -> set[str]:
    """The centre codes of the registry at ``url`` (which must exist)."""
    import sqlalchemy as sa

    from clears._exceptions import InputError, Problem
    from clears.registry import Actor, centre_codes, open_registry, shown_url, transaction

    engine = open_registry(url)
    try:
        with transaction(engine) as session:
            codes = centre_codes(session, actor=Actor.everywhere("clears users"))
    except sa.exc.SQLAlchemyError as exc:
        raise InputError(
            Problem("db", shown_url(url), f"cannot be read ({type(exc).__name__})", "a registry")
        ) from exc
    finally:
        engine.dispose()
    return set(codes)


def _shown(centres: frozenset[str]) -> str:
    from clears.web.users import ALL_CENTRES

    return "all centres" if ALL_CENTRES in centres else ", ".join(sorted(centres))


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
    centre: Annotated[
        list[str] | None,
        typer.Option("--centre", help="Centre code (repeat for several).", show_default=False),
    ] = None,
    all_centres: Annotated[
        bool, typer.Option("--all-centres", help="Every centre of the network.")
    ] = False,
    users: UsersOption = None,
    db: DbOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user; centre codes are checked against the registry when --db is given.

    Example: clears users add dr_bcn --role investigator --centre BCN
    """
    from clears._exceptions import InputError, Problem
    from clears.web._users_file import (
        add_user,
        check_new_user,
        read_users,
        users_file_path,
        write_users,
    )
    from clears.web.users import ALL_CENTRES

    path = users_file_path(users)
    directory = read_users(path, missing_ok=True)
    if all_centres and centre:
        raise InputError(
            Problem("centre", centre, "cannot be combined with --all-centres", "one or other")
        )
    centres = [ALL_CENTRES] if all_centres else list(centre or [])
    if ALL_CENTRES in (centre or []):
        raise InputError(Problem("centre", ALL_CENTRES, "is not a centre code", "--all-centres"))
    known = _registry_centres(db) if db is not None else None
    problems = check_new_user(
        directory, username=name, role=role, centres=centres, known_centres=known
    )
    if problems:  # refuse before asking for a password
        raise InputError(problems)
    password = _password(password_stdin)
    changed = add_user(
        directory,
        username=name,
        role=role,
        centres=centres,
        password=password,
        known_centres=known,
    )
    write_users(path, changed)
    added = changed.users[name]
    typer.echo(f"added {name} ({added.role.value}, {_shown(added.centres)}) to {path}")


@app.command("list")
def list_(users: UsersOption = None) -> None:
    """List the users: name, role and centres (never password hashes)."""
    from clears.web._users_file import read_users, users_file_path

    path = users_file_path(users)
    directory = read_users(path)
    typer.echo(f"{len(directory.users)} user(s) in {path}")
    rows = sorted(directory.users.values(), key=lambda u: u.username)
    width = max((len(u.username) for u in rows), default=0)
    for user in rows:
        typer.echo(f"{user.username:<{width}}  {user.role.value:<13}  {_shown(user.centres)}")


@app.command("remove")
def remove(name: NameArgument, users: UsersOption = None) -> None:
    """Remove a user (their open sessions end when clears serve is restarted)."""
    from clears.web._users_file import read_users, remove_user, users_file_path, write_users

    path = users_file_path(users)
    write_users(path, remove_user(read_users(path), name))
    typer.echo(f"removed {name} from {path}")


@app.command("passwd")
def passwd(
    name: NameArgument, users: UsersOption = None, password_stdin: PasswordStdin = False
) -> None:
    """Set a new password for a user."""
    from clears.web._users_file import (
        get_user,
        read_users,
        set_password,
        users_file_path,
        write_users,
    )

    path = users_file_path(users)
    directory = read_users(path)
    get_user(directory, name)  # an unknown name is refused before asking for a password
    write_users(path, set_password(directory, name, _password(password_stdin)))
    typer.echo(f"new password set for {name} in {path}")
