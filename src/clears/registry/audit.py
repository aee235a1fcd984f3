"""The append-only, hash-chained audit trail.

Every write made through the service layer appends one entry: who, when (UTC, ISO 8601),
what (entity and id, and the patient), the values before and after, and the reason when one
is required. Each entry stores the SHA-256 of its own content together with the hash of the
entry before it (``prev_hash``), so editing any entry breaks its hash, deleting one breaks
the chain, and the ``audit_head`` row (updated in the same transaction, and the row writers
lock) catches entries deleted from the end. :func:`verify` walks the chain.

Entry ids are consecutive from 1; the first entry's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import NotFoundError
from clears.registry._actor import Actor
from clears.registry._models import AuditEntry, AuditHead, Centre, Patient, audit_table

__all__ = ["GENESIS", "AuditReport", "Change", "append", "canonical", "history", "verify"]

#: ``prev_hash`` of the first entry.
GENESIS: Final = "0" * 64

_HEAD_ID: Final = 1


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def canonical(values: Mapping[str, Any] | None) -> str | None:
    """Values as canonical JSON (sorted keys, no spaces, ISO dates); ``None`` stays ``None``.

    Examples
    --------
    >>> canonical({"b": dt.date(2020, 1, 2), "a": 1})
    '{"a":1,"b":"2020-01-02"}'
    """
    if values is None:
        return None
    return json.dumps(
        dict(values),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_json_default,
    )


@dataclass(frozen=True, slots=True)
class Change:
    """One change to record: ``before``/``after`` are ``None`` for inserts/deletes."""

    action: str
    entity: str
    entity_id: int | None
    patient_id: str | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    reason: str | None = None


def _digest(row: Mapping[str, Any]) -> str:
    fields = (
        "id",
        "at",
        "actor",
        "action",
        "entity",
        "entity_id",
        "patient_id",
        "before",
        "after",
        "reason",
        "prev_hash",
    )
    payload = json.dumps([row[name] for name in fields], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    session: Session, *, actor: Actor, changes: Sequence[Change], at: dt.datetime | None = None
) -> list[int]:
    """Append ``changes`` to the chain, in order, in the caller's transaction.

    The ``audit_head`` row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
    transactions already hold the write lock), so concurrent writers extend the chain one
    after the other. Returns the new entry ids.
    """
    if not changes:
        return []
    stamp = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    head = session.execute(
        sa.select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one()
    rows: list[dict[str, Any]] = []
    last_id, last_hash = head.last_id, head.last_hash
    for change in changes:
        row: dict[str, Any] = {
            "id": last_id + 1,
            "at": stamp,
            "actor": actor.user,
            "action": change.action,
            "entity": change.entity,
            "entity_id": change.entity_id,
            "patient_id": change.patient_id,
            "before": canonical(change.before),
            "after": canonical(change.after),
            "reason": change.reason,
            "prev_hash": last_hash,
        }
        row["hash"] = _digest(row)
        rows.append(row)
        last_id, last_hash = row["id"], row["hash"]
    session.execute(sa.insert(audit_table), rows)
    head.last_id, head.last_hash = last_id, last_hash
    session.flush()
    return [row["id"] for row in rows]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Result of :func:`verify`: ``ok`` and, when not, every break found."""

    entries: int
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """``True`` when the chain is intact."""
        return not self.problems

    def to_text(self) -> str:
        """One line when intact, else one line per break."""
        if self.ok:
            return f"audit trail intact: {self.entries} entries, hash chain verified (SHA-256)"
        lines = [f"audit trail BROKEN: {len(self.problems)} problem(s) in {self.entries} entries"]
        return "\n".join(lines + [f"  - {problem}" for problem in self.problems])


def _rows(session: Session, chunk: int) -> Iterable[Mapping[str, Any]]:
    last = 0
    while True:
        batch = (
            session.execute(
                sa.select(audit_table)
                .where(audit_table.c.id > last)
                .order_by(audit_table.c.id)
                .limit(chunk)
            )
            .mappings()
            .all()
        )
        if not batch:
            return
        yield from (dict(row) for row in batch)
        last = batch[-1]["id"]


def verify(session: Session, *, chunk: int = 10_000) -> AuditReport:
    """Walk the whole chain and report every edited, deleted or inserted entry."""
    problems: list[str] = []
    expected_id, expected_prev, count = 1, GENESIS, 0
    for row in _rows(session, chunk):
        count += 1
        if row["id"] != expected_id:
            problems.append(f"entries {expected_id}–{row['id'] - 1} are missing (deleted)")
        if row["prev_hash"] != expected_prev:
            problems.append(f"entry {row['id']}: does not follow the entry before it")
        if _digest(row) != row["hash"]:
            problems.append(f"entry {row['id']}: content does not match its hash (edited)")
        expected_id, expected_prev = row["id"] + 1, row["hash"]
    head = session.get(AuditHead, _HEAD_ID)
    if head is None:
        problems.append("the audit head row is missing")
    elif (head.last_id, head.last_hash) != (expected_id - 1, expected_prev):
        problems.append(
            f"the last entry is {expected_id - 1} but the head records {head.last_id} "
            "(entries deleted from the end, or the head edited)"
        )
    return AuditReport(count, tuple(problems))


def history(session: Session, *, actor: Actor, patient_id: str) -> list[AuditEntry]:
    """Every audit entry of one patient (the patient row and all their records), oldest first.

    Raises
    ------
    NotFoundError
        The patient is unknown or belongs to a centre the actor cannot see.
    """
    centre = session.execute(
        sa.select(Centre.code)
        .join(Patient, Patient.centre_key == Centre.id)
        .where(Patient.patient_id == patient_id)
    ).scalar_one_or_none()
    if centre is None or not actor.can_see(centre):
        raise NotFoundError(f"no patient {patient_id!r} in your centres")
    entries = session.execute(
        sa.select(AuditEntry).where(AuditEntry.patient_id == patient_id).order_by(AuditEntry.id)
    ).scalars()
    return list(entries)
