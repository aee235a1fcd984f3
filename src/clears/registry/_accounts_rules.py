"""What an account is and which accounts are acceptable: roles, centres, names, scope.

An :class:`Account` is what the registry tells the rest of clears about a user: never the
password hash. The checks here return every :class:`~clears._exceptions.Problem` of a
proposed account at once (name, role, centres, and whether the acting administrator may
give it those centres); :mod:`clears.registry.accounts` runs them before writing.

Scope: an administrator of some centres manages the accounts whose centres are all among
theirs, and gives only those centres; a network-wide actor (``Actor.everywhere``: the
command line, a network administrator) manages every account, network-wide ones included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from clears._exceptions import Problem
from clears.registry._actor import Actor
from clears.registry._models import USERNAME_LENGTH
from clears.registry._permissions import Action, allows
from clears.registry._roles import Role

__all__ = [
    "ALL_CENTRES",
    "NAME_RULE",
    "Account",
    "Role",
    "account_of_row",
    "as_utc",
    "centre_problems",
    "centres_of_row",
    "manages",
    "name_problems",
    "role_problems",
]

#: The centre entry that gives a user every centre.
ALL_CENTRES: Final = "*"

_NAME: Final = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._@-]{{0,{USERNAME_LENGTH - 1}}}")
#: The user-name rule, as messages state it.
NAME_RULE: Final = (
    f"1-{USERNAME_LENGTH} letters, digits or . _ @ -, starting with a letter or digit"
)


@dataclass(frozen=True, slots=True)
class Account:
    """One user as the registry knows them (never their password or its hash).

    ``centres`` holds centre codes, or only :data:`ALL_CENTRES` for a network-wide user.

    Examples
    --------
    >>> Account("dr_a", Role.monitor, frozenset({"BCN"})).actor().can_see("LYO")
    False
    >>> Account("net", Role.administrator, frozenset({"*"})).actor().all_centres
    True
    """

    username: str
    role: Role
    centres: frozenset[str]
    disabled: bool = False
    must_change_password: bool = False
    created_at: dt.datetime | None = None
    last_sign_in_at: dt.datetime | None = None
    #: The name printed on the user's signatures (21 CFR 11.50(a)(1)); ``None`` until an
    #: administrator sets it, when signatures print the user name.
    full_name: str | None = None

    @property
    def printed_name(self) -> str:
        """The name a signature manifests: the full name, else the user name."""
        return self.full_name or self.username

    @property
    def all_centres(self) -> bool:
        """Whether the user acts on every centre."""
        return ALL_CENTRES in self.centres

    def may(self, action: Action) -> bool:
        """Whether the user's role allows ``action`` (:data:`clears.registry.PERMISSIONS`)."""
        return allows(self.role, action)

    @property
    def can_write(self) -> bool:
        """Whether the user may enrol patients and record data (not monitors)."""
        return self.may(Action.record)

    @property
    def can_export(self) -> bool:
        """Whether the user may download exports (administrators and investigators)."""
        return self.may(Action.export)

    @property
    def is_administrator(self) -> bool:
        """Whether the user manages accounts (of their centres)."""
        return self.may(Action.manage_accounts)

    def actor(self) -> Actor:
        """The registry actor: this user, scoped to their centres."""
        if self.all_centres:
            return Actor.everywhere(self.username)
        return Actor(self.username, self.centres)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite gives naive UTC values back, PostgreSQL
    aware ones in the session's time zone)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def centres_of_row(row: Any) -> frozenset[str]:
    """The centres of a ``users`` row (only :data:`ALL_CENTRES` when network-wide)."""
    if row.all_centres:
        return frozenset({ALL_CENTRES})
    return frozenset(json.loads(row.centres))


def account_of_row(row: Any) -> Account:
    """The :class:`Account` of a ``users`` row (its hash left behind)."""
    return Account(
        username=row.username,
        role=Role(row.role),
        centres=centres_of_row(row),
        disabled=bool(row.disabled),
        must_change_password=bool(row.must_change_password),
        created_at=as_utc(row.created_at),
        last_sign_in_at=as_utc(row.last_sign_in_at),
        full_name=row.full_name,
    )


def manages(actor: Actor, centres: Collection[str]) -> bool:
    """Whether ``actor`` may manage an account of ``centres`` (see the module docstring).

    Examples
    --------
    >>> bcn = Actor("adm", frozenset({"BCN", "LYO"}))
    >>> manages(bcn, {"BCN"}), manages(bcn, {"BCN", "MAD"}), manages(bcn, {"*"})
    (True, False, False)
    """
    if actor.all_centres:
        return True
    return ALL_CENTRES not in centres and all(code in actor.centres for code in centres)


def name_problems(username: str) -> list[Problem]:
    """The problems of a user name's form (whether it is taken is checked separately).

    Examples
    --------
    >>> [p.message for p in name_problems(" bad")], name_problems("dr.bcn@h1")
    (['is not a valid user name'], [])
    """
    if _NAME.fullmatch(username):
        return []
    return [Problem("username", username, "is not a valid user name", NAME_RULE)]


def role_problems(role: str) -> list[Problem]:
    """The problems of a role name (none for one of :class:`Role`)."""
    if role in set(Role):
        return []
    return [Problem("role", role, "is not a role", ", ".join(Role))]


def centre_problems(
    centres: Collection[str], *, known: Collection[str], actor: Actor
) -> list[Problem]:
    """The problems of an account's centres: present, known to the registry (or only
    :data:`ALL_CENTRES`), and within what ``actor`` manages.

    Examples
    --------
    >>> adm = Actor("adm", frozenset({"BCN"}))
    >>> [str(p) for p in centre_problems({"LYO"}, known={"BCN", "LYO"}, actor=adm)]
    ["centre: is not one of your centres (got 'LYO'); allowed: BCN"]
    """
    if not centres:
        return [
            Problem("centre", None, "is missing", "one or more --centre CODE, or --all-centres")
        ]
    if ALL_CENTRES in centres:
        if len(centres) > 1:
            return [Problem("centre", ALL_CENTRES, "cannot be combined with other centres")]
        if not actor.all_centres:
            return [
                Problem(
                    "centre",
                    ALL_CENTRES,
                    "only a network-wide administrator gives every centre",
                    ", ".join(sorted(actor.centres)),
                )
            ]
        return []
    problems: list[Problem] = []
    for code in sorted(centres):
        if code not in known:
            allowed = ", ".join(sorted(known)) or "none (the registry has no centre yet)"
            problems.append(Problem("centre", code, "is not a centre of the registry", allowed))
        elif not actor.can_see(code):
            allowed = ", ".join(sorted(actor.centres))
            problems.append(Problem("centre", code, "is not one of your centres", allowed))
    return problems
