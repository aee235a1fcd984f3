"""The append-only, keyed hash chain of audit entries, and its verification.

Every write made through the service layer appends one entry: who, when (UTC, ISO 8601),
what (entity and id, and the patient), the whole row before and after, and the reason when
one is required. Each entry stores a hash of its own content together with the hash of the
entry before it (``prev_hash``), so editing any entry breaks its hash, deleting one breaks the
chain, and the ``audit_head`` row (updated in the same transaction, and the row writers lock)
catches entries deleted from the end.

The hash is HMAC-SHA256 with the audit key (:mod:`clears.registry.audit_key`), held outside
the database: someone who can write the database but not read the key cannot recompute a
valid chain. Entries written before the key existed (clears up to 0.x wrote only those), or
while none is configured (PostgreSQL without ``CLEARS_AUDIT_KEY``), are plain SHA-256 of the
same payload; they form a prefix of the chain. The first keyed entry starts the keyed part,
and an unkeyed entry after it is a break. Once the trail is keyed, writing without the key,
or with a key the last entry does not verify with, is refused (nothing written).

:func:`verify` walks the chain, then reconciles every row of every audited table with the
state its entries rebuild (:mod:`clears.registry._reconcile`), and, given an anchor
(:mod:`clears.registry.audit_anchor`), checks the trail still reaches it.

Entry ids are consecutive from 1; the first entry's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ClearsError, NotFoundError
from clears.registry._accounts_reconcile import account_problems
from clears.registry._actor import Actor
from clears.registry._canonical import canonical
from clears.registry._list_columns import forget_summaries
from clears.registry._models import AuditEntry, AuditHead, Centre, Patient, audit_table
from clears.registry._reconcile import reconcile
from clears.registry.audit_anchor import Anchor, anchor_problems
from clears.registry.audit_key import (
    ENV_KEY,
    ENV_KEY_FILE,
    AuditKey,
    AuditKeyError,
    default_key_file,
    resolve_audit_key,
)

__all__ = [
    "GENESIS",
    "AuditError",
    "AuditReport",
    "Change",
    "append",
    "canonical",
    "history",
    "take_anchor",
    "verify",
]

#: ``prev_hash`` of the first entry.
GENESIS: Final = "0" * 64

_HEAD_ID: Final = 1

#: The columns of an entry its hash covers, in this order (as a JSON list).
_HASHED: Final = (
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


class AuditError(ClearsError):
    """The audit head names an entry that is missing or has another hash; nothing written."""


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


#: The encoder of the hashed payload, made once (``json.dumps`` makes one per call).
_PAYLOAD = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _payload(row: Mapping[str, Any]) -> bytes:
    return _PAYLOAD.encode([row[name] for name in _HASHED]).encode("utf-8")


def _sha256(row: Mapping[str, Any], payload: bytes | None = None) -> str:
    return hashlib.sha256(payload or _payload(row)).hexdigest()


def _hmac(row: Mapping[str, Any], key: AuditKey, payload: bytes | None = None) -> str:
    return hmac.new(key.secret, payload or _payload(row), hashlib.sha256).hexdigest()


def _seal(row: Mapping[str, Any], key: AuditKey | None) -> str:
    return _sha256(row) if key is None else _hmac(row, key)


def _is_keyed(row: Mapping[str, Any], payload: bytes | None = None) -> bool:
    """Whether an entry is not plain SHA-256 (keyed, or edited: only the key tells)."""
    return not hmac.compare_digest(_sha256(row, payload), str(row["hash"]))


def _url(session: Session) -> sa.URL:
    return session.get_bind().engine.url


def _entry(session: Session, entry_id: int) -> Mapping[Any, Any] | None:
    query = sa.select(audit_table).where(audit_table.c.id == entry_id)
    return session.execute(query).mappings().first()


def _append_key(session: Session, last_id: int) -> AuditKey | None:
    """The key to seal new entries with; refuse when the trail is keyed but this key is not."""
    last = _entry(session, last_id) if last_id else None
    if last_id and last is None:
        raise AuditError(
            f"the audit head names entry {last_id}, which is missing; nothing was written "
            "(run clears audit verify)"
        )
    keyed = last is not None and _is_keyed(last)
    key = resolve_audit_key(_url(session), create=not keyed)
    if last is None or not keyed:
        return key
    if key is None:
        beside = default_key_file(_url(session))
        where = f", or restore the key file {beside}" if beside is not None else ""
        raise AuditKeyError(
            f"the audit trail is keyed (entry {last_id} is HMAC-SHA256) but no audit key is "
            f"configured: set {ENV_KEY} or {ENV_KEY_FILE}{where}; nothing was written"
        )
    if not hmac.compare_digest(_hmac(last, key), str(last["hash"])):
        raise AuditKeyError(
            f"the last audit entry ({last_id}) does not verify with the audit key from "
            f"{key.source}: another key, or the entry was edited (run clears audit verify); "
            "nothing was written"
        )
    return key


#: Entries per multi-row ``INSERT``: 12 values each stays well under the bound parameters
#: one statement may carry (SQLite 32,766; PostgreSQL 65,535).
BULK: Final = 2_000


def _insert(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert the entries ``rows`` with one multi-row ``INSERT ... VALUES`` per :data:`BULK`.

    Sent to the driver as it is: the values are already plain text and numbers, so none of
    SQLAlchemy's per-row parameter processing is needed (it cost as much as the hashing).
    """
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = [column.name for column in audit_table.columns]
    one = "(" + ", ".join([mark] * len(names)) + ")"
    head = f"INSERT INTO {quote(audit_table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    for start in range(0, len(rows), BULK):
        part = rows[start : start + BULK]
        values = tuple(row[name] for row in part for name in names)
        connection.exec_driver_sql(head + ", ".join([one] * len(part)), values)


def append(
    session: Session, *, actor: Actor, changes: Sequence[Change], at: dt.datetime | None = None
) -> list[int]:
    """Append ``changes`` to the chain, in order, in the caller's transaction.

    The ``audit_head`` row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
    transactions already hold the write lock), so concurrent writers extend the chain one
    after the other. The entries go in with multi-row inserts (:data:`BULK` at a time); each
    entry's hash is the same as if the changes were appended one call at a time. Entries are
    HMAC-SHA256 with the audit key when there is one (on a SQLite file the key file beside
    it is created at the first write), else SHA-256. The worklist summaries of the patients
    the changes name are removed (:func:`clears.registry._list_columns.forget_summaries`).
    Returns the new entry ids.

    Raises
    ------
    AuditKeyError
        The trail is keyed and no key is configured, or the last entry does not verify with
        the configured key; nothing is written.
    AuditError
        The head names an entry that is missing; nothing is written.
    """
    if not changes:
        return []
    stamp = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    head = session.execute(
        sa.select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one()
    key = _append_key(session, head.last_id)
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
        row["hash"] = _seal(row, key)
        rows.append(row)
        last_id, last_hash = row["id"], row["hash"]
    _insert(session, rows)
    # The patients' worklist summaries describe their records before this write.
    forget_summaries(session, (change.patient_id for change in changes))
    head.last_id, head.last_hash = last_id, last_hash
    session.flush()
    return [row["id"] for row in rows]


def _span(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first}–{last}"


def _entries(first: int, last: int) -> str:
    """``entry 5`` or ``entries 1–4``."""
    return f"entry {first}" if first == last else f"entries {first}–{last}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Result of :func:`verify`.

    ``unkeyed`` entries (1 to ``unkeyed``) are plain SHA-256; the rest are keyed, and
    ``unchecked`` of them could not be checked for want of the key. ``rows`` rows were
    reconciled with the trail, ``legacy_rows`` of them by count only (imported before every
    row had its own entry).
    """

    entries: int
    problems: tuple[str, ...] = field(default=())
    unkeyed: int = 0
    unchecked: int = 0
    rows: int = 0
    legacy_rows: int = 0

    @property
    def ok(self) -> bool:
        """``True`` when the chain is intact, fully checked, and every row matches it."""
        return not self.problems and not self.unchecked

    def chain_text(self) -> str:
        """Which entries are unkeyed and which keyed, e.g. ``1–4 unkeyed (SHA-256), ...``."""
        if self.entries == 0:
            return "no entries"
        parts = []
        if self.unkeyed:
            parts.append(f"{_entries(1, self.unkeyed)} unkeyed (SHA-256)")
        if self.entries > self.unkeyed:
            parts.append(f"{_entries(self.unkeyed + 1, self.entries)} keyed (HMAC-SHA256)")
        return ", ".join(parts)

    def to_text(self) -> str:
        """One line when intact, else a heading and one line per problem."""
        rows = f"{self.rows} rows match their audit entries"
        if self.legacy_rows:
            rows += f" ({self.legacy_rows} imported before row-level auditing, checked by count)"
        if self.ok:
            text = (
                f"audit trail intact: {self.entries} entries, hash chain verified; "
                f"{self.chain_text()}; {rows}"
            )
            if self.entries and self.unkeyed == self.entries:
                text += (
                    f"\n  note: no entry is keyed yet, so anyone who can write the database "
                    f"could recompute the chain; set {ENV_KEY} or {ENV_KEY_FILE}"
                )
            return text
        lines = []
        if self.problems:
            lines.append(
                f"audit trail BROKEN: {len(self.problems)} problem(s) in {self.entries} entries; "
                f"{self.chain_text()}"
            )
        if self.unchecked:
            lines.append(
                f"audit trail NOT VERIFIED: {_entries(self.unkeyed + 1, self.entries)} keyed "
                f"(HMAC-SHA256) cannot be checked without the audit key "
                f"(set {ENV_KEY} or {ENV_KEY_FILE})"
            )
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


@dataclass(slots=True)
class _Walk:
    """What walking the chain found."""

    problems: list[str] = field(default_factory=list)
    count: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    unkeyed: int = 0
    unchecked: int = 0
    keyed_from: int | None = None
    hash_at_anchor: str | None = None
    centres: list[Mapping[str, Any]] = field(default_factory=list)


def _check_seal(walk: _Walk, row: Mapping[str, Any], key: AuditKey | None) -> None:
    """Check one entry's hash: SHA-256 in the unkeyed prefix, HMAC-SHA256 after it."""
    entry = row["id"]
    payload = _payload(row)
    plain = not _is_keyed(row, payload)
    edited = f"entry {entry}: content does not match its hash (edited)"
    if walk.keyed_from is None:  # still in the unkeyed prefix
        if plain:
            walk.unkeyed += 1
        elif key is None:  # keyed, or edited: only the key can tell
            walk.keyed_from = entry
            walk.unchecked += 1
        elif hmac.compare_digest(_hmac(row, key, payload), str(row["hash"])):
            walk.keyed_from = entry
        else:
            walk.unkeyed += 1
            walk.problems.append(edited)
        return
    if plain and key is None:  # what looked keyed is followed by unkeyed entries again
        walk.problems.append(
            f"entry {walk.keyed_from}: content does not match its hash (edited), or entries "
            f"from {entry} on were rewritten without the key"
        )
        walk.unkeyed, walk.unchecked, walk.keyed_from = entry, 0, None
    elif plain:
        walk.problems.append(
            f"entry {entry}: unkeyed (SHA-256) after keyed entry {walk.keyed_from} "
            "(rewritten without the key)"
        )
    elif key is None:
        walk.unchecked += 1
    elif not hmac.compare_digest(_hmac(row, key, payload), str(row["hash"])):
        walk.problems.append(edited)


def _walk(session: Session, key: AuditKey | None, anchor: Anchor | None, chunk: int) -> _Walk:
    walk = _Walk()
    for row in _rows(session, chunk):
        walk.count += 1
        if row["id"] != walk.last_id + 1:
            walk.problems.append(
                f"entries {_span(walk.last_id + 1, row['id'] - 1)} are missing (deleted)"
            )
        if row["prev_hash"] != walk.last_hash:
            walk.problems.append(f"entry {row['id']}: does not follow the entry before it")
        _check_seal(walk, row, key)
        if anchor is not None and row["id"] == anchor.entries:
            walk.hash_at_anchor = str(row["hash"])
        if row["entity"] == "centres":
            walk.centres.append(row)
        walk.last_id, walk.last_hash = row["id"], row["hash"]
    return walk


def verify(
    session: Session,
    *,
    key: AuditKey | Literal["resolve"] | None = "resolve",
    anchor: Anchor | None = None,
    chunk: int = 10_000,
) -> AuditReport:
    """Walk the whole chain, reconcile the tables with it, and check it against an anchor.

    Parameters
    ----------
    session
        An open session on the registry.
    key
        The audit key; by default the one :func:`~clears.registry.audit_key.resolve_audit_key`
        finds (never created here). Without a key, keyed entries are counted as unchecked and
        the report is not ``ok``.
    anchor
        A head recorded earlier (:func:`take_anchor`): fewer entries now, or another hash at
        its entry, is a problem.
    chunk
        Entries read at a time.

    Returns
    -------
    AuditReport
        Every problem: edited, deleted, inserted or unkeyed-after-keyed entries, a head that
        does not name the last entry, rows changed, added or deleted outside clears, and a
        trail that no longer reaches the anchor.
    """
    if key == "resolve":
        key = resolve_audit_key(_url(session))
    walk = _walk(session, key, anchor, chunk)
    problems = walk.problems
    head = session.get(AuditHead, _HEAD_ID)
    if head is None:
        problems.append("the audit head row is missing")
    elif (head.last_id, head.last_hash) != (walk.last_id, walk.last_hash):
        problems.append(
            f"the last entry is {walk.last_id} but the head records {head.last_id} "
            "(entries deleted from the end, or the head edited)"
        )
    if anchor is not None:
        problems += anchor_problems(
            anchor, entries=walk.last_id, hash_at_anchor=walk.hash_at_anchor
        )
    rows = reconcile(session, centre_entries=walk.centres)
    problems += rows.problems
    problems += account_problems(session)
    return AuditReport(
        walk.count,
        tuple(problems),
        unkeyed=walk.unkeyed,
        unchecked=walk.unchecked,
        rows=rows.rows,
        legacy_rows=rows.legacy_rows,
    )


def take_anchor(session: Session, *, at: dt.datetime | None = None) -> Anchor:
    """The trail's head now, to be kept outside the database (see :mod:`.audit_anchor`).

    Raises
    ------
    AuditError
        The head names an entry that is missing, or another hash than that entry's (run
        ``clears audit verify``).
    """
    stamp = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    head = session.get(AuditHead, _HEAD_ID)
    if head is None:
        raise AuditError("the audit head row is missing (run clears audit verify)")
    last = _entry(session, head.last_id) if head.last_id else None
    if head.last_id and (last is None or last["hash"] != head.last_hash):
        raise AuditError(
            f"the audit head names entry {head.last_id}, which is missing or has another "
            "hash; no anchor taken (run clears audit verify)"
        )
    return Anchor(head.last_id, head.last_hash, stamp, last is not None and _is_keyed(last))


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
