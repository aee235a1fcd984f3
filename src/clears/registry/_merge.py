"""Three-way merge of an edit made on an older version of a record.

An edit says which version it was made on and which fields it changes. When the record has
moved on since, the version the edit started from (the *base*) is rebuilt from the audit
trail: every change of a record's values is one ``update`` entry holding the values before
it, and the n-th such entry turned version n into n + 1 (a record starts at version 1,
inserted or imported). Then, field by field:

* a field the edit does not change keeps the value now stored (the other user's change);
* a field the edit changes that nobody else changed takes the edit's value;
* a field both changed to the same value is not a conflict;
* a field both changed to different values is a conflict: nothing is saved, and both values
  are returned so that the person can choose knowingly and save again on the new version.

If the audit trail cannot rebuild the base (entries missing, or not ending at the stored
values), every field the edit changes that differs from the stored value is a conflict:
nothing is ever overwritten unseen.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, FieldConflict
from clears.registry._models import AuditEntry

__all__ = ["merge", "same", "shown", "state_at"]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def shown(value: Any) -> str:
    """A stored value as a person would type it: ISO dates, true/false, ``2`` for 2.0.

    Examples
    --------
    >>> shown(dt.date(2026, 11, 30)), shown(True), shown(2.0), shown(2.5), shown(None)
    ('2026-11-30', 'true', '2', '2.5', '')
    """
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "true" if plain else "false"
    return str(plain)


def same(a: Any, b: Any) -> bool:
    """Whether two field values are equal as stored (dates as ISO text, 2.0 as 2).

    Examples
    --------
    >>> same(dt.date(2026, 11, 30), "2026-11-30"), same(2.0, 2), same(None, ""), same(1, 2)
    (True, True, True, False)
    """
    return bool(_plain(a) == _plain(b))


def _values(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else None


def state_at(
    session: Session, *, table: str, record_id: int, version: int, current: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The values record ``record_id`` had at ``version``, from the audit trail.

    ``current`` is what is stored now; ``None`` when the trail cannot rebuild the version.
    """
    entries = [
        (_values(text), _values(after))
        for text, after in session.execute(
            sa.select(AuditEntry.before, AuditEntry.after)
            .where(
                AuditEntry.entity == table,
                AuditEntry.entity_id == record_id,
                AuditEntry.action == "update",
            )
            .order_by(AuditEntry.id)
        )
    ]
    if not 1 <= version <= len(entries):
        return None
    last = entries[-1][1] or {}
    if any(not same(last.get(n), current.get(n)) for n in set(last) | set(current)):
        return None  # the trail does not end at the stored values: no trusted base
    state = entries[version - 1][0]
    return None if state is None else {k: v for k, v in state.items() if v is not None}


def merge(
    *,
    table: str,
    record_id: int,
    version: int,
    current_version: int,
    current: Mapping[str, Any],
    base: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    """The changes to apply on top of ``current``; raise when two edits collide.

    ``changes`` are typed values of the fields the edit sets (``None`` clears a field).

    Raises
    ------
    ConflictError
        With one :class:`~clears.FieldConflict` per field changed differently by both.
    """
    if base is None:
        collided = [name for name, value in changes.items() if not same(value, current.get(name))]
        applied: dict[str, Any] = {}
    else:
        mine = {n: v for n, v in changes.items() if not same(v, base.get(n))}
        collided = [
            name
            for name, value in mine.items()
            if not same(current.get(name), base.get(name)) and not same(value, current.get(name))
        ]
        applied = mine
    if collided:
        conflicts = [
            FieldConflict(
                name,
                changes[name],
                current.get(name),
                None if base is None else base.get(name),
            )
            for name in collided
        ]
        lines = [
            f"{table} record {record_id} was changed by someone else since you read it "
            f"(your version {version}, current version {current_version}); nothing was "
            "saved. Choose the values and save again:"
        ]
        lines += [
            f"  {c.field}: yours {shown(c.yours) or '(blank)'}, "
            f"current {shown(c.current) or '(blank)'}"
            for c in conflicts
        ]
        raise ConflictError(
            "\n".join(lines),
            conflicts=conflicts,
            version=current_version,
        )
    return applied
