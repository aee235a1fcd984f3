"""Data queries: a monitor's question on one field of a record, and its answer or correction.

A query targets (table, record, field) of one patient's record (:mod:`clears.registry.
_query_rules`: the six cohort tables, the columns the registry stores for each); an unknown
table or field is refused naming the allowed ones, an unknown record (or one of a patient
outside the actor's centres) is "not found", and nothing is written. Its thread is one row per
step: ``open`` (text, optional proposed value), ``answer`` (text), ``correct`` (the record's
value changed through the records' own update path, :func:`clears.registry.records.
update_record` or :func:`clears.registry.patients.update_patient`, in the same transaction,
with a reason naming the query; the step keeps the value before and after), ``close`` and
``reopen``. The status moves as :data:`TRANSITIONS` allows; each step takes the version that
was read, and a stale one is a :class:`~clears._exceptions.ConflictError` as for records.

Every step is audited: the query row (entity ``data_queries``, inserted then updated) and
the step (entity ``data_query_messages``), under the patient, in the caller's transaction.
Which role may take which step is :data:`clears.registry.PERMISSIONS` through
:data:`STEP_ACTIONS` (``open_query``; ``answer_query``; correcting also needs ``record``;
``close_query`` for closing and re-opening): the web app, the API and the command line
check it before calling these functions, which check the centres.

The lists never read more than a page: per centre by status, oldest first (by number,
keyset pagination through the index on centre, status and number), a patient's unresolved
queries (index on patient and status), and the counts per centre and status (a ``GROUP BY``
over the same index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.registry import audit
from clears.registry._accounts_rules import as_utc
from clears.registry._actor import Actor
from clears.registry._models import (
    QUERY_TEXT_LENGTH,
    QUERY_VALUE_LENGTH,
    Centre,
    Patient,
    data_queries_table,
    data_query_messages_table,
)
from clears.registry._query_rules import (
    QUERY_STATUSES,
    QUERY_TABLES,
    STEP_ACTIONS,
    STEP_NAMES,
    STEP_VERBS,
    TRANSITIONS,
    UNRESOLVED,
    checked_text,
    fields_of,
    may_take,
    refusal,
    shown,
    target_problems,
    transition,
)
from clears.registry._records import get as get_any_record
from clears.registry._records import patient_in_scope
from clears.registry.patients import update_patient
from clears.registry.records import update_record

__all__ = [
    "ENTITY",
    "MAX_PAGE",
    "MESSAGE_ENTITY",
    "QUERY_STATUSES",
    "QUERY_TABLES",
    "QUERY_TEXT_LENGTH",
    "QUERY_VALUE_LENGTH",
    "STEP_ACTIONS",
    "STEP_NAMES",
    "STEP_VERBS",
    "TRANSITIONS",
    "UNRESOLVED",
    "DataQuery",
    "QueryMessage",
    "QueryPage",
    "answer_query",
    "close_query",
    "correct_query",
    "fields_of",
    "get_query",
    "list_queries",
    "may_take",
    "open_query",
    "patient_queries",
    "query_counts",
    "refusal",
    "reopen_query",
]

#: The audit trail's names for a query row and a step of its thread.
ENTITY: Final = "data_queries"
MESSAGE_ENTITY: Final = "data_query_messages"
#: The most queries one list call returns.
MAX_PAGE: Final = 200

_Q = data_queries_table
_M = data_query_messages_table


@dataclass(frozen=True, slots=True)
class QueryMessage:
    """One step of a query's thread."""

    id: int
    step: str
    text: str
    by: str
    at: dt.datetime
    proposed_value: str | None = None
    old_value: str | None = None
    new_value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "id": self.id,
            "step": self.step,
            "text": self.text,
            "by": self.by,
            "at": self.at.isoformat(),
            "proposed_value": self.proposed_value,
            "old_value": self.old_value,
            "new_value": self.new_value,
        }


@dataclass(frozen=True, slots=True)
class DataQuery:
    """A query as read back (its thread only from :func:`get_query`)."""

    id: int
    patient_id: str
    centre: str
    table: str
    record_id: int
    field: str
    status: str
    text: str
    proposed_value: str | None
    opened_by: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    version: int
    messages: tuple[QueryMessage, ...] = ()

    def age_days(self, today: dt.date | None = None) -> int:
        """Whole days since it was opened (UTC dates)."""
        return ((today or dt.datetime.now(dt.UTC).date()) - self.opened_at.date()).days

    def audited(self) -> dict[str, Any]:
        """What the audit trail records of the query row."""
        values = {
            "table": self.table,
            "record_id": self.record_id,
            "field": self.field,
            "status": self.status,
            "text": self.text,
            "proposed_value": self.proposed_value,
            "opened_by": self.opened_by,
            "version": self.version,
        }
        return {name: value for name, value in values.items() if value is not None}

    def to_dict(self, today: dt.date | None = None) -> dict[str, Any]:
        """A JSON-ready mapping, with the age in days and the thread when read."""
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "centre": self.centre,
            "table": self.table,
            "record_id": self.record_id,
            "field": self.field,
            "status": self.status,
            "text": self.text,
            "proposed_value": self.proposed_value,
            "opened_by": self.opened_by,
            "opened_at": self.opened_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "age_days": self.age_days(today),
            "version": self.version,
            "messages": [m.to_dict() for m in self.messages],
        }


@dataclass(frozen=True, slots=True)
class QueryPage:
    """One page of a list: the queries, and the number to pass as ``after`` for the next
    page (``None`` on the last)."""

    queries: tuple[DataQuery, ...]
    next_after: int | None


def _select() -> sa.Select[Any]:
    return (
        sa.select(_Q, Patient.patient_id, Centre.code)
        .join(Patient, _Q.c.patient_key == Patient.id)
        .join(Centre, _Q.c.centre_key == Centre.id)
    )


def _query(row: Any, messages: tuple[QueryMessage, ...] = ()) -> DataQuery:
    m = row._mapping
    return DataQuery(
        id=m["id"],
        patient_id=m["patient_id"],
        centre=m["code"],
        table=m["entity"],
        record_id=m["record_id"],
        field=m["field"],
        status=m["status"],
        text=m["text"],
        proposed_value=m["proposed_value"],
        opened_by=m["opened_by"],
        opened_at=as_utc(m["opened_at"]) or m["opened_at"],
        updated_at=as_utc(m["updated_at"]) or m["updated_at"],
        version=m["version"],
        messages=messages,
    )


def _threads(session: Session, query_ids: Iterable[int]) -> dict[int, tuple[QueryMessage, ...]]:
    """The threads of some queries, in one statement through the index on ``query_key``."""
    wanted = sorted(set(query_ids))
    found: dict[int, list[QueryMessage]] = {query_id: [] for query_id in wanted}
    if not wanted:
        return {}
    rows = session.execute(sa.select(_M).where(_M.c.query_key.in_(wanted)).order_by(_M.c.id))
    for r in rows:
        found[r.query_key].append(
            QueryMessage(
                id=r.id,
                step=r.step,
                text=r.text,
                by=r.by,
                at=as_utc(r.at) or r.at,
                proposed_value=r.proposed_value,
                old_value=r.old_value,
                new_value=r.new_value,
            )
        )
    return {query_id: tuple(messages) for query_id, messages in found.items()}


def _messages(session: Session, query_id: int) -> tuple[QueryMessage, ...]:
    return _threads(session, [query_id])[query_id]


def get_query(session: Session, *, actor: Actor, query_id: int) -> DataQuery:
    """One query with its thread, within the actor's centres.

    Raises
    ------
    NotFoundError
        No such query in the actor's centres (the same answer for both).
    """
    row = session.execute(_select().where(_Q.c.id == query_id)).first()
    if row is None or not actor.can_see(row.code):
        raise NotFoundError(f"no query {query_id} in your centres")
    return _query(row, _messages(session, query_id))


def _stamp(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def _value(name: str, value: Any) -> str | None:
    text = shown(value)
    if text is not None and not text.strip():
        return None
    if text is not None and len(text) > QUERY_VALUE_LENGTH:
        raise InputError(
            Problem(
                name,
                value,
                f"has {len(text)} characters",
                f"at most {QUERY_VALUE_LENGTH} characters",
            )
        )
    return text


def _add_message(
    session: Session, query_id: int, actor: Actor, at: dt.datetime, **values: Any
) -> int:
    new_id: int = session.execute(
        sa.insert(_M).values(query_key=query_id, by=actor.user, at=at, **values).returning(_M.c.id)
    ).scalar_one()
    return new_id


def _message_change(query: DataQuery, message_id: int, values: Mapping[str, Any]) -> audit.Change:
    after = {"query_id": query.id, **{k: v for k, v in values.items() if v is not None}}
    return audit.Change("insert", MESSAGE_ENTITY, message_id, query.patient_id, None, after)


def open_query(
    session: Session,
    *,
    actor: Actor,
    patient_id: str,
    table: str,
    field: str,
    text: str,
    record_id: int | None = None,
    proposed_value: str | None = None,
    now: dt.datetime | None = None,
) -> DataQuery:
    """Open a query on ``field`` of a record of a patient in the actor's centres.

    ``record_id`` is the record's number; for ``patients`` it may be left out (the patient
    row itself).

    Raises
    ------
    InputError
        Unknown table or field (naming the allowed ones), blank or too long text, or a
        record number missing; nothing is written.
    NotFoundError
        The patient, or that record of that patient, is not in the actor's centres.
    """
    problems = target_problems(table, field)
    if problems:
        raise InputError(problems)
    question = checked_text("text", text, required=True)
    proposal = _value("proposed_value", proposed_value)
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    if table == "patients":
        if record_id not in (None, patient.id):
            raise NotFoundError(f"no patients record {record_id} for patient {patient_id!r}")
        record_id = patient.id
    elif record_id is None:
        raise InputError(Problem("record_id", None, "is required", f"a {table} record number"))
    record = get_any_record(session, actor=actor, table=table, record_id=record_id)
    if record.patient_id != patient.patient_id:
        raise NotFoundError(f"no {table} record {record_id} for patient {patient_id!r}")
    stamp = _stamp(now)
    new_id = session.execute(
        sa.insert(_Q)
        .values(
            patient_key=patient.id,
            centre_key=patient.centre_key,
            entity=table,
            record_id=record_id,
            field=field,
            status="open",
            text=question,
            proposed_value=proposal,
            opened_by=actor.user,
            opened_at=stamp,
            updated_at=stamp,
            version=1,
        )
        .returning(_Q.c.id)
    ).scalar_one()
    values = {"step": "open", "text": question, "proposed_value": proposal}
    message_id = _add_message(session, new_id, actor, stamp, **values)
    query = get_query(session, actor=actor, query_id=new_id)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change("insert", ENTITY, query.id, query.patient_id, None, query.audited()),
            _message_change(query, message_id, values),
        ],
        at=stamp,
    )
    return query


def _stale(query: DataQuery, version: int) -> ConflictError:
    return ConflictError(
        f"query {query.id} was changed by someone else since you read it "
        f"(your version {version}, now version {query.version}); nothing was saved.",
        version=query.version,
    )


def _step(
    session: Session,
    *,
    actor: Actor,
    query_id: int,
    version: int,
    step: str,
    text: str,
    now: dt.datetime | None,
    before: DataQuery | None = None,
    **values: Any,
) -> DataQuery:
    """Move a query read at ``version`` by ``step``: the row, a message, two audit entries."""
    before = before or get_query(session, actor=actor, query_id=query_id)
    if before.version != version:
        raise _stale(before, version)
    status = transition(step, before.status, query_id)
    stamp = _stamp(now)
    changed = session.execute(
        sa.update(_Q)
        .where(_Q.c.id == query_id, _Q.c.version == version)
        .values(status=status, updated_at=stamp, version=version + 1)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise ConflictError(
            f"query {query_id} was changed by someone else while saving; nothing was saved. "
            "Open it again and repeat your step."
        )
    message = {"step": step, "text": text, **values}
    message_id = _add_message(session, query_id, actor, stamp, **message)
    after = get_query(session, actor=actor, query_id=query_id)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "update",
                ENTITY,
                query_id,
                after.patient_id,
                before.audited(),
                after.audited(),
                f"{STEP_VERBS[step]}: {text}" if text else STEP_VERBS[step],
            ),
            _message_change(after, message_id, message),
        ],
        at=stamp,
    )
    return after


def answer_query(
    session: Session,
    *,
    actor: Actor,
    query_id: int,
    version: int,
    text: str,
    now: dt.datetime | None = None,
) -> DataQuery:
    """Answer an open query (text required): it becomes ``answered``.

    Raises
    ------
    InputError
        Blank text, or the query is not open (the message names its status).
    ConflictError
        ``version`` is not the query's current version.
    NotFoundError
        No such query in the actor's centres.
    """
    answer = checked_text("text", text, required=True)
    return _step(
        session,
        actor=actor,
        query_id=query_id,
        version=version,
        step="answer",
        text=answer,
        now=now,
    )


def correct_query(
    session: Session,
    *,
    actor: Actor,
    query_id: int,
    version: int,
    record_version: int,
    value: Any,
    text: str,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> DataQuery:
    """Answer an open query by correcting the field: the record is updated through its own
    service (validated, merged with changes since ``record_version``, audited with the
    reason ``query N: text``) and the query becomes ``answered``, its step keeping the value
    before and after. A blank ``value`` clears the field.

    Raises
    ------
    InputError
        Blank text, a value the field refuses (naming what it allows), the value already
        stored, or the query is not open; nothing is written.
    ConflictError
        ``version`` is stale, or the record's field changed since ``record_version``.
    NotFoundError
        No such query, or its record is gone, in the actor's centres.
    """
    answer = checked_text("text", text, required=True)
    before = get_query(session, actor=actor, query_id=query_id)
    if before.version != version:
        raise _stale(before, version)
    transition("correct", before.status, query_id)
    new = None if value is None or (isinstance(value, str) and not value.strip()) else value
    record = get_any_record(session, actor=actor, table=before.table, record_id=before.record_id)
    old = record.data.get(before.field)
    reason = f"query {query_id}: {answer}"
    changes = {before.field: new}
    if before.table == "patients":
        after = update_patient(
            session,
            actor=actor,
            patient_id=before.patient_id,
            version=record_version,
            changes=changes,
            reason=reason,
            today=today,
        )
    else:
        after = update_record(
            session,
            actor=actor,
            table=before.table,  # type: ignore[arg-type]  # one of the record tables
            record_id=before.record_id,
            version=record_version,
            changes=changes,
            reason=reason,
            today=today,
        )
    if after.version == record.version and shown(after.data.get(before.field)) == shown(old):
        raise InputError(
            Problem(
                "value",
                value,
                f"is the value {before.field} already has",
                "another value, or answer the query without a correction",
                before.table,
            )
        )
    return _step(
        session,
        actor=actor,
        query_id=query_id,
        version=version,
        step="correct",
        text=answer,
        now=now,
        before=before,
        old_value=shown(old),
        new_value=shown(after.data.get(before.field)),
    )


def close_query(
    session: Session,
    *,
    actor: Actor,
    query_id: int,
    version: int,
    text: str = "",
    now: dt.datetime | None = None,
) -> DataQuery:
    """Close an answered query (a note is optional).

    Raises
    ------
    InputError
        The query is not answered (the message names its status).
    ConflictError
        ``version`` is not the query's current version.
    NotFoundError
        No such query in the actor's centres.
    """
    note = checked_text("text", text, required=False)
    return _step(
        session, actor=actor, query_id=query_id, version=version, step="close", text=note, now=now
    )


def reopen_query(
    session: Session,
    *,
    actor: Actor,
    query_id: int,
    version: int,
    text: str,
    now: dt.datetime | None = None,
) -> DataQuery:
    """Re-open an answered or closed query; the reason is required (never silently).

    Raises
    ------
    InputError
        Blank text, or the query is open already (the message names its status).
    ConflictError
        ``version`` is not the query's current version.
    NotFoundError
        No such query in the actor's centres.
    """
    why = checked_text("text", text, required=True)
    return _step(
        session, actor=actor, query_id=query_id, version=version, step="reopen", text=why, now=now
    )


def _statuses(statuses: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(statuses)
    unknown = [s for s in chosen if s not in QUERY_STATUSES]
    if unknown:
        raise InputError(
            Problem("status", unknown[0], "is not a query status", ", ".join(QUERY_STATUSES))
        )
    return chosen


def _limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(Problem("limit", limit, "is out of range", f"1 to {MAX_PAGE}"))


def list_queries(
    session: Session,
    *,
    actor: Actor,
    centre: str,
    status: str | None = None,
    after: int | None = None,
    limit: int = 50,
) -> QueryPage:
    """A page of one centre's queries (of one status, when given), oldest first (by number),
    after query number ``after``.

    Reads at most ``limit`` + 1 rows through the index on centre, status and number, so a
    page costs the same in a registry of any size.

    Raises
    ------
    InputError
        Unknown status, or ``limit`` outside 1 to :data:`MAX_PAGE`.
    NotFoundError
        The centre is not one of the actor's.
    """
    _limit(limit)
    statuses = _statuses([status] if status else [])
    centre_key = session.execute(sa.select(Centre.id).where(Centre.code == centre)).scalar()
    if centre_key is None or not actor.can_see(centre):
        raise NotFoundError(f"no centre {centre!r} in your centres")
    query = _select().where(_Q.c.centre_key == centre_key)
    if statuses:
        query = query.where(_Q.c.status == statuses[0])
    if after is not None:
        query = query.where(_Q.c.id > after)
    rows = session.execute(query.order_by(_Q.c.id).limit(limit + 1)).all()
    found = tuple(_query(row) for row in rows[:limit])
    return QueryPage(found, found[-1].id if len(rows) > limit else None)


def patient_queries(
    session: Session,
    *,
    actor: Actor,
    patient_id: str,
    statuses: Iterable[str] = UNRESOLVED,
    limit: int = MAX_PAGE,
) -> list[DataQuery]:
    """A patient's queries of ``statuses`` (by default the unresolved ones: open and
    answered), oldest first, at most ``limit``, each with its thread (one more statement).

    Raises
    ------
    NotFoundError
        The patient is not in the actor's centres.
    """
    _limit(limit)
    chosen = _statuses(statuses)
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    query = _select().where(_Q.c.patient_key == patient.id, _Q.c.status.in_(chosen))
    rows = session.execute(query.order_by(_Q.c.id).limit(limit)).all()
    threads = _threads(session, [row.id for row in rows])
    return [_query(row, threads[row.id]) for row in rows]


def query_counts(
    session: Session, *, actor: Actor, centres: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """How many queries each centre has of each status: ``{centre: {status: n}}``, every
    status present (0 when none), for the actor's centres (of ``centres`` when given;
    others are left out).

    One ``GROUP BY`` over the index on centre and status.
    """
    codes = sa.select(Centre.id, Centre.code)
    if centres is not None:
        codes = codes.where(Centre.code.in_(sorted(set(centres))))
    visible = {row.id: row.code for row in session.execute(codes) if actor.can_see(row.code)}
    counts = {code: dict.fromkeys(QUERY_STATUSES, 0) for code in sorted(visible.values())}
    if not visible:
        return counts
    rows = session.execute(
        sa.select(_Q.c.centre_key, _Q.c.status, sa.func.count())
        .where(_Q.c.centre_key.in_(sorted(visible)))
        .group_by(_Q.c.centre_key, _Q.c.status)
    )
    for centre_key, status, n in rows:
        counts[visible[centre_key]][status] = int(n)
    return counts
