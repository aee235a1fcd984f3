"""Reading data queries: the rows as read back, one query with its thread, and the lists.

Split from :mod:`clears.registry.queries` (the steps), which re-exports these names. Every
read is scoped by the actor's centres; the lists read at most a page through the indexes of
revision 0018 (per centre by status and number, per patient by status), and the counts are
one ``GROUP BY`` over the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import InputError, NotFoundError, Problem
from clears.registry._accounts_rules import as_utc
from clears.registry._actor import Actor
from clears.registry._models import Centre, Patient, data_queries_table, data_query_messages_table
from clears.registry._query_rules import QUERY_STATUSES, UNRESOLVED
from clears.registry._records import patient_in_scope

__all__ = [
    "MAX_PAGE",
    "DataQuery",
    "QueryMessage",
    "QueryPage",
    "get_query",
    "list_queries",
    "patient_queries",
    "query_counts",
]

_Q = data_queries_table
_M = data_query_messages_table

#: The most queries one list call returns.
MAX_PAGE: Final = 200


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
