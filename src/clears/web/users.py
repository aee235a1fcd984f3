"""Web users, their roles and centres, read from a JSON users file.

The registry has no users table yet, so accounts live in a file named by
``CLEARS_USERS_FILE`` (or ``clears serve --users``)::

    {"users": [{"username": "dr_bcn", "role": "investigator", "centres": ["BCN"],
                "password_hash": "$argon2id$..."}]}

``centres: ["*"]`` makes a network-wide user (every centre). The file is read once, when the
app is created; it is never written by the app. ``clears users add|list|remove|passwd``
edits it (atomically, mode ``0600``; see :mod:`clears.web._users_file`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from clears._exceptions import InputError, Problem
from clears._json_input import read_json_file
from clears.registry import Actor

__all__ = ["ALL_CENTRES", "Role", "User", "UserDirectory"]

#: The centre entry that gives a user every centre.
ALL_CENTRES = "*"


class Role(StrEnum):
    """What a user may do: every role reads; monitors only read; exports need investigator."""

    administrator = "administrator"
    investigator = "investigator"
    data_entry = "data_entry"
    monitor = "monitor"


_WRITERS = frozenset({Role.administrator, Role.investigator, Role.data_entry})
_EXPORTERS = frozenset({Role.administrator, Role.investigator})


@dataclass(frozen=True, slots=True)
class User:
    """One account. ``password_hash`` is an Argon2 hash, never a password."""

    username: str
    role: Role
    centres: frozenset[str]
    password_hash: str

    @property
    def can_write(self) -> bool:
        """Whether the user may enrol patients and record data (not monitors)."""
        return self.role in _WRITERS

    @property
    def can_export(self) -> bool:
        """Whether the user may download exports (administrators and investigators)."""
        return self.role in _EXPORTERS

    def actor(self) -> Actor:
        """The registry actor: this user, scoped to their centres."""
        if ALL_CENTRES in self.centres:
            return Actor.everywhere(self.username)
        return Actor(self.username, self.centres)


def _parse_user(entry: object, index: int, file: str) -> User | list[Problem]:
    row = index + 1
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
    if not isinstance(digest, str) or not digest.startswith("$argon2"):
        problems.append(
            Problem("password_hash", "…", "is not an Argon2 hash", "$argon2id$…", file, row)
        )
    if problems:
        return problems
    return User(str(name), Role(str(role)), frozenset(centres or ()), str(digest))


@dataclass(frozen=True)
class UserDirectory:
    """The accounts the app knows, by user name."""

    users: Mapping[str, User]

    @classmethod
    def of(cls, users: Iterable[User]) -> UserDirectory:
        """A directory of the given users (names must be unique)."""
        table: dict[str, User] = {}
        for user in users:
            if user.username in table:
                raise InputError(Problem("username", user.username, "appears twice"))
            table[user.username] = user
        return cls(table)

    @classmethod
    def from_file(cls, path: Path) -> UserDirectory:
        """Read a users file; every problem in it is reported together."""
        payload: Any = read_json_file(path)
        entries = payload.get("users") if isinstance(payload, Mapping) else None
        if not isinstance(entries, list):
            raise InputError(Problem("users", None, "is missing", '{"users": [...]}', str(path)))
        users: list[User] = []
        problems: list[Problem] = []
        for index, entry in enumerate(entries):
            parsed = _parse_user(entry, index, str(path))
            if isinstance(parsed, User):
                users.append(parsed)
            else:
                problems += parsed
        if problems:
            raise InputError(problems)
        return cls.of(users)

    def get(self, username: str) -> User | None:
        """The user of that name, or ``None``."""
        return self.users.get(username)
