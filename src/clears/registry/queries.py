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
``close_query`` for closing and re-opening): every step takes the acting ``role`` and raises
:class:`~clears.registry.RefusedError` for one that may not take it, after the query or
record is found in the actor's centres (another centre's is "not found" whatever the
role) and before anything is written.

The lists (:mod:`clears.registry._query_reads`, re-exported here) never read more than a
page: per centre by status, oldest first (by number, keyset pagination through the index on
centre, status and number), a patient's unresolved queries (index on patient and status),
and the counts per centre and status (a ``GROUP BY`` over the same index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._models import (
    QUERY_TEXT_LENGTH,
    QUERY_VALUE_LENGTH,
    data_queries_table,
    data_query_messages_table,
)
from clears.registry._query_reads import (
    MAX_PAGE,
    DataQuery,
    QueryMessage,
    QueryPage,
    get_query,
    list_queries,
    patient_queries,
    query_counts,
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
    proposal_problems,
    refusal,
    shown,
    target_problems,
    transition,
)
from clears.registry._records import get as get_any_record
from clears.registry._records import patient_in_scope
from clears.registry._refused import RefusedError
from clears.registry._roles import Role
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

_Q = data_queries_table
_M = data_query_messages_table


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
    role: Role | str,
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
    RefusedError
        ``role`` may not take this step (the query or record is found first).
    InputError
        Unknown table or field (naming the allowed ones), blank or too long text, a proposed
        value the field could not hold (naming what it allows), or a record number missing;
        nothing is written.
    NotFoundError
        The patient, or that record of that patient, is not in the actor's centres.
    """
    problems = target_problems(table, field)
    question, proposal = "", None
    try:
        question = checked_text("text", text, required=True)
    except InputError as exc:
        problems += exc.problems
    try:
        proposal = _value("proposed_value", proposed_value)
    except InputError as exc:
        problems += exc.problems
    if not problems:
        problems = proposal_problems(table, field, proposal)
    if problems:
        raise InputError(problems)  # every problem at once, before any SQL
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
    _require_step(role, "open")
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


def _require_step(role: Role | str, step: str) -> None:
    """Refuse a role that may not take ``step`` (:data:`STEP_ACTIONS`), naming the role."""
    known = Role(role)
    if not may_take(known, step):
        raise RefusedError(refusal(known, step))


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
    role: Role | str,
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
    _require_step(role, step)
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
    role: Role | str,
    query_id: int,
    version: int,
    text: str,
    now: dt.datetime | None = None,
) -> DataQuery:
    """Answer an open query (text required): it becomes ``answered``.

    Raises
    ------
    RefusedError
        ``role`` may not take this step (the query or record is found first).
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
        role=role,
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
    role: Role | str,
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
    RefusedError
        ``role`` may not take this step (the query or record is found first).
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
    _require_step(role, "correct")
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
        role=role,
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
    role: Role | str,
    query_id: int,
    version: int,
    text: str = "",
    now: dt.datetime | None = None,
) -> DataQuery:
    """Close an answered query (a note is optional).

    Raises
    ------
    RefusedError
        ``role`` may not take this step (the query or record is found first).
    InputError
        The query is not answered (the message names its status).
    ConflictError
        ``version`` is not the query's current version.
    NotFoundError
        No such query in the actor's centres.
    """
    note = checked_text("text", text, required=False)
    return _step(
        session,
        actor=actor,
        role=role,
        query_id=query_id,
        version=version,
        step="close",
        text=note,
        now=now,
    )


def reopen_query(
    session: Session,
    *,
    actor: Actor,
    role: Role | str,
    query_id: int,
    version: int,
    text: str,
    now: dt.datetime | None = None,
) -> DataQuery:
    """Re-open an answered or closed query; the reason is required (never silently).

    Raises
    ------
    RefusedError
        ``role`` may not take this step (the query or record is found first).
    InputError
        Blank text, or the query is open already (the message names its status).
    ConflictError
        ``version`` is not the query's current version.
    NotFoundError
        No such query in the actor's centres.
    """
    why = checked_text("text", text, required=True)
    return _step(
        session,
        actor=actor,
        role=role,
        query_id=query_id,
        version=version,
        step="reopen",
        text=why,
        now=now,
    )
