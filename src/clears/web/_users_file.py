"""Read a JSON users file, the format accounts had before they moved into the registry.

Only ``clears users import FILE`` reads one now (and ``clears serve --users FILE`` points
there)::

    {"users": [{"username": "dr_bcn", "role": "investigator", "centres": ["BCN"],
                "password_hash": "$argon2id$..."}]}

``centres: ["*"]`` is a network-wide user. The file is checked here for its shape (every
problem at once, by row); whether names are new and centres known is the registry's check
(:func:`clears.registry.import_accounts`, which checks roles and hashes again).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from clears._exceptions import InputError, NotFoundError, Problem
from clears._json_input import read_json_file
from clears.registry import ImportedAccount, Role, is_password_hash

__all__ = [
    "DEFAULT_USERS_FILE",
    "USERS_FILE_ENV",
    "read_users_file",
    "users_file_path",
]

#: Environment variable naming the users file.
USERS_FILE_ENV: Final = "CLEARS_USERS_FILE"
#: Users file used when neither ``--users`` nor ``$CLEARS_USERS_FILE`` names one.
DEFAULT_USERS_FILE: Final = Path("clears-users.json")


def users_file_path(given: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Path:
    """The users file: ``given``, else ``$CLEARS_USERS_FILE``, else ``./clears-users.json``.

    Examples
    --------
    >>> users_file_path(Path("a.json"), environ={"CLEARS_USERS_FILE": "b.json"})
    PosixPath('a.json')
    >>> users_file_path(None, environ={"CLEARS_USERS_FILE": "b.json"})
    PosixPath('b.json')
    >>> users_file_path(None, environ={})
    PosixPath('clears-users.json')
    """
    if given is not None:
        return given
    env = os.environ if environ is None else environ
    named = env.get(USERS_FILE_ENV, "").strip()
    return Path(named) if named else DEFAULT_USERS_FILE


def _entry(entry: object, row: int, file: str) -> ImportedAccount | list[Problem]:
    if not isinstance(entry, Mapping):
        return [Problem("users", entry, "is not an object", "an object per user", file, row)]
    problems: list[Problem] = []
    name = entry.get("username")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("username", name, "is missing or blank", "a name", file, row))
    role = entry.get("role")
    if role not in set(Role):
        problems.append(Problem("role", role, "is not a role", ", ".join(Role), file, row))
    centres = entry.get("centres")
    if (
        not isinstance(centres, list)
        or not centres
        or not all(isinstance(c, str) and c.strip() for c in centres)
    ):
        problems.append(
            Problem(
                "centres", centres, "is not a list of centre codes", '["BCN"] or ["*"]', file, row
            )
        )
    digest = entry.get("password_hash")
    if not is_password_hash(digest):
        problems.append(
            Problem("password_hash", "…", "is not an Argon2 hash", "$argon2id$…", file, row)
        )
    if problems:
        return problems
    return ImportedAccount(str(name), str(role), frozenset(centres or ()), str(digest), row)


def read_users_file(path: Path) -> list[ImportedAccount]:
    """The accounts of a users file, in file order; every problem of its shape together.

    Raises
    ------
    NotFoundError
        The file does not exist.
    InputError
        The file cannot be read or holds malformed entries (each named by row).
    """
    if not path.exists():
        raise NotFoundError(f"users file {path} does not exist")
    payload: Any = read_json_file(path)
    entries = payload.get("users") if isinstance(payload, Mapping) else None
    if not isinstance(entries, list):
        raise InputError(Problem("users", None, "is missing", '{"users": [...]}', str(path)))
    accounts: list[ImportedAccount] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        parsed = _entry(entry, index + 1, str(path))
        if isinstance(parsed, ImportedAccount):
            accounts.append(parsed)
        else:
            problems += parsed
    if problems:
        raise InputError(problems)
    return accounts
