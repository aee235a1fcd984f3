"""Accounts in the registry: add, list, disable and enable, re-role, re-centre, passwords.

Every change is one audited write in the caller's transaction: an entry of entity ``users``
in the same hash chain as clinical data (:func:`clears.registry.audit.append`), holding the
account's name, role, centres, flags and when its password was last set, never a password
or a hash. Sign-ins update ``last_sign_in_at`` without an audit entry (they change no
account).

Who may do what: the caller checks the role (only administrators manage accounts); these
functions check the scope (:func:`clears.registry._accounts_rules.manages`): an
administrator of some centres sees and changes only the accounts of those centres.
Disabling a user, or setting their password, ends their sessions in the same transaction,
so every server process refuses them from the next request on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.registry import audit
from clears.registry._accounts_passwords import (
    check_password,
    hash_password,
    is_password_hash,
    temporary_password,
    verify_password,
)
from clears.registry._accounts_rules import (
    ALL_CENTRES,
    Account,
    Role,
    account_of_row,
    as_utc,
    centre_problems,
    centres_of_row,
    manages,
    name_problems,
    role_problems,
)
from clears.registry._actor import Actor
from clears.registry._models import (
    FULL_NAME_LENGTH,
    centres_table,
    user_sessions_table,
    users_table,
)
from clears.registry._patient_ids import conflict_on_duplicate

__all__ = [
    "ImportedAccount",
    "add_account",
    "audited",
    "authenticate",
    "change_own_password",
    "check_new_account",
    "count_accounts",
    "get_account",
    "import_accounts",
    "list_accounts",
    "reset_password",
    "set_centres",
    "set_disabled",
    "set_full_name",
    "set_password",
    "set_role",
]

_ENTITY: Final = "users"


@dataclass(frozen=True, slots=True)
class ImportedAccount:
    """An account read from a users file: its Argon2 hash moves in as it is.

    ``row`` is its 1-based position in the file, for messages.
    """

    username: str
    role: str
    centres: frozenset[str]
    password_hash: str
    row: int | None = None


def _now(at: dt.datetime | None) -> dt.datetime:
    return (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def audited(row: Any) -> dict[str, Any]:
    """What the audit trail records of an account row: no hash, no sign-in time."""
    changed = as_utc(row.password_changed_at)
    return {
        "username": row.username,
        "role": row.role,
        "centres": sorted(centres_of_row(row)),
        "disabled": bool(row.disabled),
        "must_change_password": bool(row.must_change_password),
        "password_changed_at": changed.isoformat() if changed else None,
        "full_name": row.full_name,
    }


def _row(session: Session, username: str, *, lock: bool = False) -> Any:
    query = sa.select(users_table).where(users_table.c.username == username)
    if lock:
        query = query.with_for_update()
    return session.execute(query).first()


def _known_centres(session: Session) -> set[str]:
    return set(session.execute(sa.select(centres_table.c.code)).scalars())


def _centre_values(centres: Collection[str]) -> dict[str, Any]:
    everywhere = ALL_CENTRES in centres
    return {
        "centres": json.dumps([] if everywhere else sorted(centres)),
        "all_centres": everywhere,
    }


def _managed(session: Session, actor: Actor, username: str, *, lock: bool = True) -> Any:
    """The row of ``username`` if ``actor`` manages it; else :class:`NotFoundError` (the same
    whether the account does not exist or belongs to other centres)."""
    row = _row(session, username, lock=lock)
    if row is None or not manages(actor, centres_of_row(row)):
        raise NotFoundError(f"user {username!r} does not exist (clears users list shows them)")
    return row


def _change(
    session: Session,
    *,
    actor: Actor,
    username: str,
    values: dict[str, Any],
    reason: str,
    end_sessions: bool = False,
) -> Account:
    """Update one managed account, audit it, and (optionally) end its sessions."""
    before = _managed(session, actor, username)
    session.execute(sa.update(users_table).where(users_table.c.id == before.id).values(values))
    after = _row(session, username)
    if end_sessions:
        session.execute(
            sa.delete(user_sessions_table).where(user_sessions_table.c.user_key == before.id)
        )
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "update", _ENTITY, before.id, None, audited(before), audited(after), reason
            )
        ],
    )
    return account_of_row(after)


def _insert(
    session: Session,
    *,
    actor: Actor,
    entries: Sequence[tuple[str, Role, frozenset[str], str, bool]],
    action: str,
    reason: str | None,
    at: dt.datetime,
) -> list[Account]:
    rows = []
    for username, role, centres, digest, must_change in entries:
        with conflict_on_duplicate(f"user {username!r}"):
            new_id = session.execute(
                sa.insert(users_table)
                .values(
                    username=username,
                    role=role.value,
                    password_hash=digest,
                    must_change_password=must_change,
                    created_at=at,
                    password_changed_at=at,
                    **_centre_values(centres),
                )
                .returning(users_table.c.id)
            ).scalar_one()
        rows.append((new_id, _row(session, username)))
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(action, _ENTITY, new_id, None, None, audited(row), reason)
            for new_id, row in rows
        ],
        at=at,
    )
    return [account_of_row(row) for _, row in rows]


def check_new_account(
    session: Session, *, actor: Actor, username: str, role: str, centres: Collection[str]
) -> list[Problem]:
    """The problems of a new account other than its password (none when acceptable): its
    name's form, a taken name, the role, and the centres (known, within the actor's).

    The command line asks for a password only once these pass.
    """
    problems = name_problems(username)
    if not problems and _row(session, username) is not None:
        problems.append(Problem("username", username, "already exists", "a new user name"))
    problems += role_problems(role)
    problems += centre_problems(centres, known=_known_centres(session), actor=actor)
    return problems


def add_account(
    session: Session,
    *,
    actor: Actor,
    username: str,
    role: str,
    centres: Iterable[str],
    password: str,
    must_change_password: bool = False,
    at: dt.datetime | None = None,
) -> Account:
    """Add an account; only the Argon2id hash of ``password`` is kept.

    Parameters
    ----------
    session, actor
        The transaction, and who adds the account (its centres bound the new one's).
    username, role, centres
        A new name (:data:`~clears.registry._accounts_rules.NAME_RULE`), a
        :class:`~clears.registry._accounts_rules.Role` value, and centre codes of the
        registry (or ``["*"]``, every centre, for a network-wide actor only).
    password
        12 to 1000 characters (NIST SP 800-63B).
    must_change_password
        The user must choose a new password at their first sign-in.

    Raises
    ------
    InputError
        Every problem at once: a bad or taken name, an unknown role or centre, a centre
        outside the actor's, a password the policy refuses (its length; a common, repetitive
        or context-specific one). Nothing is written.
    """
    wanted = frozenset(centres)
    problems = check_new_account(session, actor=actor, username=username, role=role, centres=wanted)
    problems += check_password(password, username=username)
    if problems:
        raise InputError(problems)
    entry = (username, Role(role), wanted, hash_password(password), must_change_password)
    return _insert(
        session, actor=actor, entries=[entry], action="insert", reason=None, at=_now(at)
    )[0]


def import_accounts(
    session: Session,
    *,
    actor: Actor,
    accounts: Sequence[ImportedAccount],
    source: str,
    at: dt.datetime | None = None,
) -> list[Account]:
    """Move the accounts of a users file in: all of them, or none.

    Each keeps its Argon2 hash, so the users sign in with the passwords they had. Refused
    as a whole, with every problem named by user and row, when any name is taken (in the
    registry or twice in the file), any role or centre is unknown, or any hash is not an
    Argon2 hash. The audit entries (action ``import``) give ``source`` as the reason.

    Raises
    ------
    InputError
        Nothing is written; every problem is listed.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for account in accounts:
        found = check_new_account(
            session,
            actor=actor,
            username=account.username,
            role=account.role,
            centres=account.centres,
        )
        if account.username in seen:
            found.append(Problem("username", account.username, "appears twice in the file"))
        if not is_password_hash(account.password_hash):
            found.append(Problem("password_hash", "…", "is not an Argon2 hash", "$argon2id$…"))
        seen.add(account.username)
        problems += [
            Problem(p.field, p.value, p.message, p.allowed, source, account.row) for p in found
        ]
    if problems:
        raise InputError(problems)
    entries = [(a.username, Role(a.role), a.centres, a.password_hash, False) for a in accounts]
    return _insert(
        session, actor=actor, entries=entries, action="import", reason=source, at=_now(at)
    )


def list_accounts(session: Session, *, actor: Actor) -> list[Account]:
    """The accounts ``actor`` manages, by user name."""
    rows = session.execute(sa.select(users_table).order_by(users_table.c.username))
    return [a for a in map(account_of_row, rows) if manages(actor, a.centres)]


def count_accounts(session: Session) -> int:
    """How many accounts the registry holds (disabled ones included)."""
    return int(session.execute(sa.select(sa.func.count()).select_from(users_table)).scalar_one())


def get_account(session: Session, *, actor: Actor, username: str) -> Account:
    """The account ``username``, if ``actor`` manages it.

    Raises
    ------
    NotFoundError
        No such account, or one of centres the actor does not manage.
    """
    return account_of_row(_managed(session, actor, username, lock=False))


def set_disabled(session: Session, *, actor: Actor, username: str, disabled: bool) -> Account:
    """Disable (ending every session of the user) or enable an account.

    Raises
    ------
    NotFoundError
        No such account the actor manages.
    ConflictError
        An actor disabling their own account (another administrator must).
    """
    if disabled and username == actor.user:
        raise ConflictError("you cannot disable your own account; nothing was changed")
    return _change(
        session,
        actor=actor,
        username=username,
        values={"disabled": disabled},
        reason="disabled" if disabled else "enabled",
        end_sessions=disabled,
    )


def set_role(session: Session, *, actor: Actor, username: str, role: str) -> Account:
    """Give an account another role.

    Raises
    ------
    InputError
        Not a role.
    NotFoundError
        No such account the actor manages.
    """
    problems = role_problems(role)
    if problems:
        raise InputError(problems)
    return _change(
        session, actor=actor, username=username, values={"role": role}, reason="role changed"
    )


def set_full_name(session: Session, *, actor: Actor, username: str, full_name: str) -> Account:
    """Set the full name an account's signatures print (21 CFR 11.50(a)(1): the printed
    name of the signer); surrounding spaces are dropped.

    Raises
    ------
    InputError
        A blank name, one over :data:`FULL_NAME_LENGTH` characters, or one holding a control
        character (a line break would forge a line of the manifestation).
    NotFoundError
        No such account the actor manages.
    """
    name = (full_name or "").strip()
    allowed = f"1 to {FULL_NAME_LENGTH} printable characters"
    if not name or len(name) > FULL_NAME_LENGTH or not name.isprintable():
        raise InputError(Problem("full_name", full_name or None, "is not a full name", allowed))
    return _change(
        session,
        actor=actor,
        username=username,
        values={"full_name": name},
        reason="full name changed",
    )


def set_centres(
    session: Session, *, actor: Actor, username: str, centres: Iterable[str]
) -> Account:
    """Give an account other centres (codes of the registry, within the actor's).

    Raises
    ------
    InputError
        Missing, unknown or out-of-scope centres.
    NotFoundError
        No such account the actor manages.
    """
    wanted = frozenset(centres)
    problems = centre_problems(wanted, known=_known_centres(session), actor=actor)
    if problems:
        raise InputError(problems)
    return _change(
        session,
        actor=actor,
        username=username,
        values=_centre_values(wanted),
        reason="centres changed",
        end_sessions=False,
    )


def set_password(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    must_change_password: bool = False,
    at: dt.datetime | None = None,
) -> Account:
    """Set an account's password (ending the user's sessions).

    Raises
    ------
    InputError
        A password the policy refuses (its length; a common, repetitive or
        context-specific one).
    NotFoundError
        No such account the actor manages.
    """
    problems = check_password(password, username=username)
    if problems:
        raise InputError(problems)
    values = {
        "password_hash": hash_password(password),
        "password_changed_at": _now(at),
        "must_change_password": must_change_password,
    }
    reason = "password reset (to be changed at sign-in)" if must_change_password else "password set"
    return _change(
        session, actor=actor, username=username, values=values, reason=reason, end_sessions=True
    )


def reset_password(
    session: Session, *, actor: Actor, username: str, at: dt.datetime | None = None
) -> str:
    """Give an account a random temporary password, to be changed at the next sign-in;
    return it (to be shown once, never stored or audited)."""
    password = temporary_password(username)
    set_password(
        session, actor=actor, username=username, password=password, must_change_password=True, at=at
    )
    return password


def authenticate(
    session: Session, *, username: str, password: str, at: dt.datetime | None = None
) -> Account | None:
    """The account if ``password`` is its password and it is enabled, else ``None``.

    An unknown or disabled user costs the same Argon2 verification, so timing does not tell
    them apart. A success records ``last_sign_in_at``.
    """
    row = _row(session, username)
    if not verify_password(password, row.password_hash if row is not None else None):
        return None
    if row is None or row.disabled:
        return None
    session.execute(
        sa.update(users_table).where(users_table.c.id == row.id).values(last_sign_in_at=_now(at))
    )
    return account_of_row(_row(session, username))


def change_own_password(
    session: Session,
    *,
    username: str,
    current: str,
    new: str,
    at: dt.datetime | None = None,
) -> Account:
    """A user's own password change (clears the must-change flag; ends their sessions).

    Raises
    ------
    InputError
        The current password is wrong, the new one breaks the policy, or is the same.
    """
    row = _row(session, username)
    if row is None or row.disabled or not verify_password(current, row.password_hash):
        raise InputError(Problem("current_password", None, "is not your current password"))
    problems = check_password(new, username=username)
    if not problems and new == current:
        problems.append(Problem("password", None, "is your current password", "a new one"))
    if problems:
        raise InputError(problems)
    return set_password(
        session, actor=Actor.everywhere(username), username=username, password=new, at=at
    )
