"""Check the ``users`` rows against the state their audit entries rebuild.

Every account change appends an entry of entity ``users`` whose ``after`` is the audited
form of the row (:func:`clears.registry.accounts.audited`: name, role, centres, flags, when
the password was set). Replaying them in order gives what each row must hold now; a row
that differs (a role or centre changed, an account enabled, or a password replaced by a
direct SQL edit), a row without entries (added outside clears) and an account whose row is
gone (accounts are never deleted) are reported. The hash is not compared itself, but
``password_changed_at`` is: a hash replaced outside clears without it is the one change this
cannot see. :func:`clears.registry.audit.verify` runs it after walking the chain.
"""

from __future__ import annotations

import json
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._models import audit_table, users_table
from clears.registry.accounts import audited

__all__ = ["account_problems"]

_ENTITY: Final = "users"


def account_problems(session: Session) -> list[str]:
    """Every difference between the ``users`` rows and their audit entries, as sentences
    (none for a registry at a revision before accounts, which has no ``users`` table)."""
    if not sa.inspect(session.connection()).has_table(users_table.name):
        return []
    entries = session.execute(
        sa.select(audit_table.c.entity_id, audit_table.c.after)
        .where(audit_table.c.patient_id.is_(None), audit_table.c.entity == _ENTITY)
        .order_by(audit_table.c.id)
    )
    states: dict[int, dict[str, Any]] = {}
    for entity_id, after in entries:
        if entity_id is not None and after:
            states[int(entity_id)] = json.loads(after)
    problems: list[str] = []
    for row in session.execute(sa.select(users_table).order_by(users_table.c.id)):
        where = f"users row {row.id} ({row.username})"
        state = states.pop(int(row.id), None)
        if state is None:
            problems.append(f"{where}: stored row has no audit entry (added outside clears)")
            continue
        stored = audited(row)
        for field in sorted(set(stored) | set(state)):
            if stored.get(field) != state.get(field):
                problems.append(
                    f"{where}: {field} is {stored.get(field)!r} but the audit trail says "
                    f"{state.get(field)!r} (changed outside clears)"
                )
    for entity_id, state in sorted(states.items()):
        problems.append(
            f"users row {entity_id} ({state.get('username')}): the row is gone but accounts "
            "are never deleted (deleted outside clears)"
        )
    return problems
