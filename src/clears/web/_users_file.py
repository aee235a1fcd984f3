"""Edit the users file: add, remove and re-password accounts, and write the file safely.

The functions that change accounts are pure: they take a :class:`UserDirectory` and return a
new one (or raise :class:`~clears._exceptions.InputError` naming every problem). Only
:func:`write_users` touches the disk, and it replaces the file atomically: the new content
goes to a private temporary file (mode ``0600``) in the same folder, is flushed to disk and
then renamed over the old file with :func:`os.replace`, so a reader sees the old file or the
new one, never half of one.

Rules (``docs/web.md``): user names are 1-64 characters, letters, digits and ``. _ @ -``,
starting with a letter or digit; passwords have at least :data:`MIN_PASSWORD_LENGTH`
characters (NIST SP 800-63B section 5.1.1.2 asks for at least 8; we ask for 12) and at most
:data:`MAX_PASSWORD_LENGTH` (what the sign-in form accepts); centre codes are those of the
registry when it is known, else non-blank codes of at most 64 characters without spaces.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Final

from clears._exceptions import InputError, NotFoundError, Problem
from clears.web.security import hash_password
from clears.web.users import ALL_CENTRES, Role, User, UserDirectory

__all__ = [
    "DEFAULT_USERS_FILE",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "USERS_FILE_ENV",
    "add_user",
    "check_new_user",
    "check_password",
    "get_user",
    "read_users",
    "remove_user",
    "set_password",
    "users_file_path",
    "users_payload",
    "write_users",
]

#: Environment variable naming the users file.
USERS_FILE_ENV: Final = "CLEARS_USERS_FILE"
#: Users file used when neither ``--users`` nor ``$CLEARS_USERS_FILE`` names one.
DEFAULT_USERS_FILE: Final = Path("clears-users.json")
#: Fewest characters in a password (NIST SP 800-63B, 5.1.1.2, asks for at least 8).
MIN_PASSWORD_LENGTH: Final = 12
#: Most characters in a password: the sign-in form accepts no more.
MAX_PASSWORD_LENGTH: Final = 1000

_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_NAME_RULE: Final = "1-64 letters, digits or . _ @ -, starting with a letter or digit"
_CODE_LENGTH: Final = 64  # the registry's centres.code column


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


def read_users(path: Path, *, missing_ok: bool = False) -> UserDirectory:
    """Read the users file at ``path``; a missing file is an empty directory if ``missing_ok``.

    Raises
    ------
    NotFoundError
        The file does not exist and ``missing_ok`` is false.
    InputError
        The file cannot be read or holds invalid entries (every problem listed).
    """
    if not path.exists():
        if missing_ok:
            return UserDirectory({})
        raise NotFoundError(
            f"users file {path} does not exist; create it with "
            "'clears users add NAME --role ROLE --centre CODE'"
        )
    return UserDirectory.from_file(path)


def users_payload(directory: UserDirectory) -> dict[str, list[dict[str, object]]]:
    """The JSON content of a users file, users sorted by name and centres sorted.

    Examples
    --------
    >>> user = User("ana", Role.monitor, frozenset({"LYO", "BCN"}), "$argon2id$x")
    >>> users_payload(UserDirectory.of([user]))["users"][0]["centres"]
    ['BCN', 'LYO']
    """
    return {
        "users": [
            {
                "username": user.username,
                "role": user.role.value,
                "centres": sorted(user.centres),
                "password_hash": user.password_hash,
            }
            for user in sorted(directory.users.values(), key=lambda u: u.username)
        ]
    }


def write_users(path: Path, directory: UserDirectory) -> None:
    """Write ``directory`` to ``path`` atomically, readable and writable by the owner only.

    The content goes to a temporary file created with mode ``0600`` in the same folder, is
    flushed and ``fsync``-ed, and then renamed over ``path`` (:func:`os.replace`). If anything
    fails before the rename, the old file is untouched and the temporary file removed.
    """
    text = json.dumps(users_payload(directory), indent=2, ensure_ascii=False) + "\n"
    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            os.fchmod(stream.fileno(), 0o600)
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_password(password: str) -> list[Problem]:
    """The problems of a new password (none when it is acceptable); the value is never shown.

    Examples
    --------
    >>> [p.message for p in check_password("short")]
    ['has 5 characters']
    >>> check_password("twelve chars")
    []
    """
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        return [
            Problem(
                "password",
                None,
                f"has {len(password)} characters",
                f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            )
        ]
    return []


def _centre_problems(centres: Collection[str], known: Collection[str] | None) -> list[Problem]:
    if not centres:
        return [
            Problem("centre", None, "is missing", "one or more --centre CODE, or --all-centres")
        ]
    if ALL_CENTRES in centres and len(centres) > 1:
        return [Problem("centre", ALL_CENTRES, "cannot be combined with other centres")]
    if ALL_CENTRES in centres:
        return []
    problems: list[Problem] = []
    for code in sorted(centres):
        if known is not None:
            if code not in known:
                allowed = ", ".join(sorted(known)) or "none (the registry has no centre yet)"
                problems.append(Problem("centre", code, "is not a centre of the registry", allowed))
        elif not code.strip() or len(code) > _CODE_LENGTH or any(c.isspace() for c in code):
            problems.append(
                Problem("centre", code, "is not a centre code", "1-64 characters without spaces")
            )
    return problems


def check_new_user(
    directory: UserDirectory,
    *,
    username: str,
    role: str,
    centres: Collection[str],
    known_centres: Collection[str] | None = None,
) -> list[Problem]:
    """The problems of a new account other than its password (none when acceptable).

    Examples
    --------
    >>> [str(p) for p in check_new_user(UserDirectory({}), username="a", role="nurse",
    ...                                  centres=["BCN"], known_centres=["LYO"])]
    ["role: is not a role (got 'nurse'); allowed: administrator, investigator, data_entry, monitor", "centre: is not a centre of the registry (got 'BCN'); allowed: LYO"]
    """  # noqa: E501
    problems: list[Problem] = []
    if not _NAME.fullmatch(username):
        problems.append(Problem("username", username, "is not a valid user name", _NAME_RULE))
    elif username in directory.users:
        problems.append(Problem("username", username, "already exists", "a new user name"))
    if role not in set(Role):
        problems.append(Problem("role", role, "is not a role", ", ".join(Role)))
    problems += _centre_problems(frozenset(centres), known_centres)
    return problems


def add_user(
    directory: UserDirectory,
    *,
    username: str,
    role: str,
    centres: Iterable[str],
    password: str,
    known_centres: Collection[str] | None = None,
) -> UserDirectory:
    """Return ``directory`` with a new account; every problem is reported together.

    Parameters
    ----------
    directory
        The current accounts (not changed).
    username, role
        The new user's name (unique) and role (a :class:`Role` value).
    centres
        Centre codes, or ``["*"]`` for every centre.
    password
        The new password; only its Argon2id hash is kept.
    known_centres
        The registry's centre codes; when given, every centre must be one of them.

    Raises
    ------
    InputError
        A bad or taken name, an unknown role or centre, or a password of the wrong length.
    """
    wanted = frozenset(centres)
    problems = check_new_user(
        directory, username=username, role=role, centres=wanted, known_centres=known_centres
    )
    problems += check_password(password)
    if problems:
        raise InputError(problems)
    user = User(username, Role(role), wanted, hash_password(password))
    return UserDirectory.of([*directory.users.values(), user])


def get_user(directory: UserDirectory, username: str) -> User:
    """The user called ``username``.

    Raises
    ------
    NotFoundError
        There is no such user (the message lists the users there are).
    """
    user = directory.get(username)
    if user is None:
        known = ", ".join(sorted(directory.users)) or "none"
        raise NotFoundError(f"user {username!r} does not exist (users: {known})")
    return user


def remove_user(directory: UserDirectory, username: str) -> UserDirectory:
    """Return ``directory`` without ``username``.

    Raises
    ------
    NotFoundError
        There is no such user.
    """
    get_user(directory, username)
    return UserDirectory.of(u for name, u in directory.users.items() if name != username)


def set_password(directory: UserDirectory, username: str, password: str) -> UserDirectory:
    """Return ``directory`` with a new password (hash) for ``username``.

    Raises
    ------
    NotFoundError
        There is no such user.
    InputError
        The password has the wrong length.
    """
    user = get_user(directory, username)
    problems = check_password(password)
    if problems:
        raise InputError(problems)
    changed = User(user.username, user.role, user.centres, hash_password(password))
    return UserDirectory.of(changed if u is user else u for u in directory.users.values())
