"""The patient list: one page of the actor's patients, searched, filtered and sorted in SQL.

A :class:`PatientQuery` names what to show (search text, centre, filters, sort, page size,
cursor); :func:`patient_list_page` answers one :class:`PatientPage` with a fixed number of
queries, whatever the size of the registry or the page number:

* **Pages are keyset pages**, never ``OFFSET``: the cursor holds the sort key of the last
  (or first) row shown, and the next page starts strictly after it in the sort order, so page
  500 costs what page 1 costs, and a patient enrolled meanwhile shifts nothing already seen.
  Every sort ends with the patient's row number, so the order is total and each visible
  patient is shown exactly once when the pages are walked.
* **Search** is a case-insensitive prefix match on the pseudonymous id, as a range on the id
  key :class:`~clears.registry._models.IdKey` (``p0`` finds ``P01`` and ``p02``), served by
  the index ``ix_patients_id_key`` on SQLite and PostgreSQL alike.
* **Centre** is read centre by centre in code order, each a range of the id key within it.
* **Last visit** is sorted on the stored ``patients.last_visit_key``
  (:mod:`clears.registry._list_columns`, kept by every path that writes visits), read from
  ``ix_patients_last_visit_key`` (or its per-centre twin) in the keyset order.
* **Filters** (all given must hold): ``on_treatment`` (a treatment period covering the day:
  started on or before it, ended on or after it or not ended, ``end_date`` being the last day
  at the dose); ``incomplete`` (a visit whose CLASI or SLEDAI-2K items are partly filled,
  :func:`~clears.registry._models.incomplete_visit`); ``alerts`` and ``overdue`` (a current
  worklist summary counting at least one alert above ``info``, or one overdue monitoring
  item); ``unscreened`` (no current worklist summary).
* **Worklist summaries** are written by the web app's screening
  (:func:`store_worklist_summaries`; the registry never runs decision support), each only
  while the patient's last audit entry is still the one the screening read, and removed by
  the next audited write naming the patient (:mod:`clears.registry._list_columns`). A
  summary of the list's protocol and day is therefore current. A patient without one is
  "not yet screened": shown so, counted in :attr:`PatientPage.unscreened` when the
  ``alerts`` or ``overdue`` filter leaves them out, never silently dropped. Sorted by id,
  these two filters read one range of the partial index ``ix_worklist_summaries_alerts``
  (or ``_overdue``). The count of patients not yet screened is, with no other filter, the
  patients in scope less the summaries in scope (two index counts, which grow with the
  registry as the ``total`` count does), else one anti-join.
* **Centres**: every query is limited to the actor's centres; a centre outside them is an
  error, never an empty page that would look like "no patients".
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clears._exceptions import InputError, Problem
from clears.cohort._ids import ID_ALLOWED, ID_MAX_LENGTH, id_key, id_problem, normalise_id
from clears.cohort._schema import CODE_MAX_LENGTH
from clears.registry._actor import Actor
from clears.registry._list_columns import NO_VISIT
from clears.registry._models import (
    ENTITY_TABLES,
    IdKey,
    audit_head_table,
    audit_table,
    centres_table,
    incomplete_visit,
    patients_table,
    worklist_summaries_table,
)

__all__ = [
    "PATIENT_COUNT_LIMIT",
    "PATIENT_FILTERS",
    "PATIENT_PAGE_SIZE",
    "PATIENT_PAGE_SIZE_MAX",
    "PATIENT_SORTS",
    "PatientPage",
    "PatientQuery",
    "PatientRow",
    "WorklistSummary",
    "patient_list_page",
    "store_worklist_summaries",
]

#: The filters of the list, each explained in the module docstring.
PATIENT_FILTERS: Final = ("on_treatment", "alerts", "overdue", "incomplete", "unscreened")
#: The sorts: by id; by last visit (most recent first, patients without visits last); by
#: centre code, then id.
PATIENT_SORTS: Final = ("id", "last_visit", "centre")
PATIENT_PAGE_SIZE: Final = 50
PATIENT_PAGE_SIZE_MAX: Final = 200
#: The list counts its matches up to this many: beyond it, a page says "more than" (so a
#: count costs what this many index entries cost, whatever the size of the registry).
PATIENT_COUNT_LIMIT: Final = 10_000
#: The filters that read the worklist summaries.
_SCREENED_FILTERS: Final = frozenset({"alerts", "overdue"})
_CURSOR_VERSION: Final = 1
#: Row ids and positions fit a signed 64-bit integer (SQLite's, PostgreSQL's bigint).
_LARGEST_ROW: Final = 2**63 - 1
_PROTOCOL_LENGTH: Final = CODE_MAX_LENGTH  # worklist_summaries.protocol

_p = patients_table
_c = centres_table
_t = ENTITY_TABLES["treatments"]
_v = ENTITY_TABLES["visits"]
_s = worklist_summaries_table
_a = audit_table
_h = audit_head_table


@dataclass(frozen=True)
class PatientQuery:
    """What the list shows; every value is checked when the query is made.

    Parameters
    ----------
    search
        Prefix of the patient id, any letter case ("" for every patient).
    centre
        One of the actor's centre codes, or None for all of them.
    filters
        Names from :data:`PATIENT_FILTERS`; a patient must pass every one.
    sort
        One of :data:`PATIENT_SORTS`.
    limit
        Rows per page, 1 to :data:`PATIENT_PAGE_SIZE_MAX`.
    cursor
        The ``next_cursor`` or ``previous_cursor`` of a page of the same sort, or None for
        the first page.
    as_of
        The day "on treatment" and worklist summaries refer to (None: today).
    protocol
        ``name version`` of the screening protocol whose summaries count ("" for none: every
        patient is then not yet screened).
    count_limit
        The page's ``total`` counts at most this many matches (default
        :data:`PATIENT_COUNT_LIMIT`); more are shown as "more than" it.

    Raises
    ------
    InputError
        Every bad parameter, each naming the parameter, the value and what is allowed.
    """

    search: str = ""
    centre: str | None = None
    filters: frozenset[str] = frozenset()
    sort: str = "id"
    limit: int = PATIENT_PAGE_SIZE
    cursor: str | None = None
    as_of: dt.date | None = None
    protocol: str = ""
    count_limit: int = PATIENT_COUNT_LIMIT
    _key: _Cursor | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        search = normalise_id(self.search)
        if search and id_problem(search) is not None:
            problems.append(
                Problem(
                    "q", self.search, f"{id_problem(search)}: no patient id matches", ID_ALLOWED
                )
            )
        unknown = sorted(set(self.filters) - set(PATIENT_FILTERS))
        if unknown:
            problems.append(
                Problem("filter", ", ".join(unknown), "is not a filter", ", ".join(PATIENT_FILTERS))
            )
        if {"unscreened"} & self.filters and _SCREENED_FILTERS & self.filters:
            problems.append(
                Problem(
                    "filter",
                    ", ".join(sorted(self.filters)),
                    "unscreened cannot be combined with alerts or overdue (a patient not yet "
                    "screened has no counts)",
                    "unscreened alone, or alerts and/or overdue",
                )
            )
        if self.sort not in PATIENT_SORTS:
            problems.append(Problem("sort", self.sort, "is not a sort", ", ".join(PATIENT_SORTS)))
        if isinstance(self.limit, bool) or not 1 <= self.limit <= PATIENT_PAGE_SIZE_MAX:
            problems.append(
                Problem(
                    "limit",
                    self.limit,
                    "is out of range",
                    f"1 to {PATIENT_PAGE_SIZE_MAX} rows per page",
                )
            )
        if isinstance(self.count_limit, bool) or self.count_limit < 1:
            problems.append(
                Problem("count_limit", self.count_limit, "is out of range", "a whole number >= 1")
            )
        key = None
        if self.cursor is not None and self.sort in PATIENT_SORTS:
            key = _Cursor.decode(self.cursor, self.sort)
            if key is None:
                problems.append(
                    Problem(
                        "cursor",
                        self.cursor,
                        f"is not a cursor of this list sorted by {self.sort}",
                        "the cursor of a next or previous link (or none, for the first page)",
                    )
                )
        if problems:
            raise InputError(problems)
        object.__setattr__(self, "search", search)
        object.__setattr__(self, "filters", frozenset(self.filters))
        object.__setattr__(self, "_key", key)


@dataclass(frozen=True)
class PatientRow:
    """One patient of a page.

    ``drug`` and ``dose_mg_per_day`` are those of the treatment period covering the day
    (the latest-starting one if several do, the last recorded among equal starts), None
    when off treatment. ``alerts`` and ``overdue`` are the counts of the current worklist
    summary, None when the patient is not yet screened (``screened`` False).
    ``incomplete_forms`` counts the visits whose CLASI or SLEDAI-2K items are partly filled.
    ``last_entry_id`` is the patient's last audit entry id (0 when none), the key a
    screening is stored under.
    """

    patient_id: str
    centre: str
    on_treatment: bool
    drug: str | None
    dose_mg_per_day: float | None
    last_visit: dt.date | None
    incomplete_forms: int
    screened: bool
    alerts: int | None
    overdue: int | None
    last_entry_id: int


@dataclass(frozen=True)
class PatientPage:
    """One page of the list.

    Attributes
    ----------
    rows
        At most ``limit`` rows, in the sort order.
    first
        Position (1-based) of the first row in the whole list, counted from the pages
        walked to reach it (a patient enrolled meanwhile before it is not counted).
    next_cursor, previous_cursor
        Cursors of the neighbouring pages, None at either end.
    total
        Number of matching patients when the query has no filter but search and centre (one
        index count, stopped at the query's ``count_limit``), else None.
    unscreened
        With the ``alerts`` or ``overdue`` filter: the patients matching every other
        parameter who are not yet screened (so not in these rows); None otherwise.
    """

    rows: tuple[PatientRow, ...]
    first: int
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None
    unscreened: int | None
    total_capped: bool = False
    """More than ``total`` patients match (the count stopped at ``count_limit``)."""


@dataclass(frozen=True)
class WorklistSummary:
    """A patient's worklist counts, computed by the screening under this key."""

    patient_id: str
    protocol: str
    as_of: dt.date
    last_entry_id: int
    alerts: int
    overdue: int


@dataclass(frozen=True)
class _Cursor:
    """A position in the list: the sort key of one row, and which side of it to read."""

    sort: str
    before: bool
    key: tuple[Any, ...]
    position: int

    def encode(self) -> str:
        values = [v.isoformat() if isinstance(v, dt.date) else v for v in self.key]
        payload = {
            "v": _CURSOR_VERSION,
            "s": self.sort,
            "b": self.before,
            "k": values,
            "p": self.position,
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: str) -> _Cursor | None:
        """The cursor ``text`` holds for ``sort``, or None when it is not one."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            payload = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(payload, dict) or payload.get("v") != _CURSOR_VERSION:
            return None
        if payload.get("s") != sort or not isinstance(payload.get("b"), bool):
            return None
        position, values = payload.get("p"), payload.get("k")
        if isinstance(position, bool) or not isinstance(position, int):
            return None
        if not 0 <= position <= _LARGEST_ROW:
            return None
        if not isinstance(values, list):
            return None
        key = _typed_key(sort, values)
        return None if key is None else cls(sort, payload["b"], key, position)


def _typed_key(sort: str, values: list[Any]) -> tuple[Any, ...] | None:
    """The key values of a cursor, checked: (leading value,) patient id, row number."""
    expected = 2 if sort == "id" else 3
    if len(values) != expected:
        return None
    *lead, patient_id, row = values
    if not isinstance(patient_id, str) or len(patient_id) > ID_MAX_LENGTH:
        return None
    if isinstance(row, bool) or not isinstance(row, int) or not 0 < row <= _LARGEST_ROW:
        return None
    if sort == "id":
        return (patient_id, row)
    (first,) = lead
    if not isinstance(first, str):
        return None
    if sort == "last_visit":
        try:
            return (dt.date.fromisoformat(first), patient_id, row)
        except ValueError:
            return None
    return (first, patient_id, row)


@cache
def _incomplete() -> sa.ColumnElement[bool]:
    """The incomplete-visit condition on ``visits``, built once (about 170 terms)."""
    return incomplete_visit(_v)


def _bytewise(expr: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """Text compared in byte order (PostgreSQL's default collation follows the locale)."""
    return expr.collate("C") if dialect == "postgresql" else expr


#: One part of a sort: the column, how a cursor value becomes comparable to it, descending.
_Part = tuple[sa.ColumnElement[Any], Callable[[Any], sa.ColumnElement[Any]], bool]


def _sort_parts(sort: str, dialect: str) -> list[_Part]:
    """The sort key columns of ``sort``: its leading column, then id key and row number."""
    id_part: _Part = (IdKey(_p.c.patient_id), lambda v: IdKey(sa.literal(v, sa.String())), False)
    row_part: _Part = (_p.c.id, lambda v: sa.literal(v, sa.Integer()), False)
    if sort == "centre":
        code = _bytewise(_c.c.code, dialect)
        lead: _Part = (code, lambda v: _bytewise(sa.literal(v, sa.String()), dialect), False)
        return [lead, id_part, row_part]
    if sort == "last_visit":
        visit = _p.c.last_visit_key
        return [(visit, lambda v: sa.literal(v, sa.Date()), True), id_part, row_part]
    return [id_part, row_part]


def _after(parts: list[_Part], key: tuple[Any, ...], *, before: bool) -> sa.ColumnElement[bool]:
    """Rows strictly after ``key`` in the order of ``parts`` (before it when ``before``);
    the leading column's bound is repeated alone so that an index range serves it."""
    terms = []
    for n, (column, value, descending) in enumerate(parts):
        equal = [c == v(k) for (c, v, _), k in zip(parts[:n], key, strict=False)]
        later = column < value(key[n]) if descending != before else column > value(key[n])
        terms.append(sa.and_(*equal, later))
    lead_column, lead_value, lead_descending = parts[0]
    bound = (
        lead_column <= lead_value(key[0])
        if lead_descending != before
        else lead_column >= lead_value(key[0])
    )
    return sa.and_(bound, sa.or_(*terms))


def _fresh(query: PatientQuery, as_of: dt.date) -> sa.ColumnElement[bool]:
    """SQL true for a worklist summary (``_s``) current for the list: of its protocol and day.

    A summary whose patient's records changed since it was computed no longer exists (every
    audited write removes it, :mod:`clears.registry._list_columns`), so nothing here reads
    the audit log (which cost 0.84 s for the alerts filter of 100,000 patients on PostgreSQL,
    a key check per summary)."""
    return sa.and_(_s.c.protocol == query.protocol, _s.c.as_of == as_of)


def _filter(name: str, query: PatientQuery, as_of: dt.date) -> sa.ColumnElement[bool]:
    if name == "on_treatment":
        return sa.exists().where(
            _t.c.patient_key == _p.c.id,
            _t.c.start_date <= as_of,
            sa.or_(_t.c.end_date.is_(None), _t.c.end_date >= as_of),
        )
    if name == "incomplete":
        return sa.exists().where(_v.c.patient_key == _p.c.id, _incomplete())
    screened = sa.exists().where(_s.c.patient_key == _p.c.id, _fresh(query, as_of))
    if name == "unscreened":
        return ~screened
    count = _s.c.alerts if name == "alerts" else _s.c.overdue
    return sa.exists().where(_s.c.patient_key == _p.c.id, _fresh(query, as_of), count > 0)


@dataclass(frozen=True)
class _Scope:
    """The actor's centres the query covers, as ``(code, row id)`` in byte order of the code
    (Python's order of text, the order of :func:`_bytewise`), and the search conditions."""

    centres: tuple[tuple[str, int], ...]
    bounds: tuple[str, str] | None

    def search(self, patient_id: sa.ColumnElement[str]) -> list[sa.ColumnElement[bool]]:
        """The search as a range of the id key of ``patient_id`` (a patient id column)."""
        if self.bounds is None:
            return []
        low, high = self.bounds
        column = IdKey(patient_id)
        return [
            column >= IdKey(sa.literal(low, sa.String())),
            column < IdKey(sa.literal(high, sa.String())),
        ]

    def conditions(self, table: sa.Table = _p) -> list[Any]:
        """Conditions limiting rows of ``table`` (``patients``, or ``worklist_summaries``
        by their copies of the patient's centre and id) to these centres and the search."""
        keys = [key for _, key in self.centres]
        return [table.c.centre_key.in_(keys), *self.search(table.c.patient_id)]


class _Found(NamedTuple):
    """A row of a page as found, before its details are read."""

    id: int
    patient_id: str
    code: str
    lead: Any


def _scope(session: Session, actor: Actor, query: PatientQuery) -> _Scope:
    """The centres and search of the query, limited to the actor's centres."""
    visible = _visible_centres(session, actor)
    if query.centre is not None and query.centre not in visible:
        allowed = ", ".join(visible) or "none: you belong to no centre"
        raise InputError(Problem("centre", query.centre, "is not one of your centres", allowed))
    codes = [query.centre] if query.centre is not None else visible
    found = session.execute(sa.select(_c.c.code, _c.c.id).where(_c.c.code.in_(codes)))
    centres = tuple(sorted((str(code), int(key)) for code, key in found))
    bounds = None
    if query.search:
        low = id_key(query.search)
        bounds = (low, low[:-1] + chr(ord(low[-1]) + 1))
    return _Scope(centres, bounds)


def _visible_centres(session: Session, actor: Actor) -> list[str]:
    codes = sa.select(_c.c.code).order_by(_c.c.code)
    if not actor.all_centres:
        codes = codes.where(_c.c.code.in_(sorted(actor.centres)))
    return list(session.execute(codes).scalars())


def patient_list_page(session: Session, *, actor: Actor, query: PatientQuery) -> PatientPage:
    """One page of the actor's patients matching ``query`` (see the module docstring).

    Raises
    ------
    InputError
        ``query.centre`` is not one of the actor's centres.

    Examples
    --------
    >>> PatientQuery(sort="name")
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: sort: is not a sort (got 'name'); allowed: id, last_visit, centre
    """
    dialect = session.get_bind().dialect.name
    as_of = query.as_of or dt.date.today()
    scope = _scope(session, actor, query)
    filters = [_filter(f, query, as_of) for f in sorted(query.filters)]
    cursor = query._key
    before = cursor is not None and cursor.before
    if query.sort == "centre":
        found = _by_centre(session, query, scope, filters, dialect)
    elif query.sort == "id" and _SCREENED_FILTERS & query.filters:
        others = [_filter(f, query, as_of) for f in sorted(query.filters - _SCREENED_FILTERS)]
        found = _screened(session, query, scope, others, as_of)
    else:
        found = _in_order(session, query, scope.conditions() + filters, dialect)
    more = len(found) > query.limit
    found = found[: query.limit]
    if before:
        found.reverse()
    if cursor is None:
        first = 1
    elif before:
        first = 1 if not more else max(1, cursor.position - len(found))
    else:
        first = cursor.position + 1
    rows = _details(session, query, as_of, [(r[0], r[1], r[2]) for r in found])

    def key_of(row: Any) -> tuple[Any, ...]:
        lead_value = (row.lead or NO_VISIT) if query.sort == "last_visit" else row.lead
        rest = (row.patient_id, row.id)
        return rest if query.sort == "id" else (lead_value, *rest)

    has_next = more if not before else cursor is not None
    has_previous = first > 1 if not before else more
    next_cursor = (
        _Cursor(query.sort, False, key_of(found[-1]), first + len(found) - 1).encode()
        if has_next and found
        else None
    )
    previous_cursor = (
        _Cursor(query.sort, True, key_of(found[0]), first).encode()
        if has_previous and found
        else None
    )
    total, capped = None, False
    if not query.filters:
        total = _count_upto(session, scope.conditions(), query.count_limit)
        total, capped = min(total, query.count_limit), total > query.count_limit
    unscreened = None
    if _SCREENED_FILTERS & query.filters:
        others = [_filter(f, query, as_of) for f in sorted(query.filters - _SCREENED_FILTERS)]
        if others:
            unscreened = _count(
                session, [*scope.conditions(), *others, _filter("unscreened", query, as_of)]
            )
        else:  # the patients in scope less the summaries in scope: two index counts
            screened = sa.select(sa.func.count()).where(*scope.conditions(_s), _fresh(query, as_of))
            unscreened = _count(session, scope.conditions()) - int(
                session.execute(screened).scalar_one()
            )
    return PatientPage(tuple(rows), first, next_cursor, previous_cursor, total, unscreened, capped)


def _ordered(parts: list[_Part], *, before: bool) -> list[sa.ColumnElement[Any]]:
    """The ORDER BY of ``parts``, reversed when reading backwards from a cursor."""
    return [(c.desc() if descending != before else c.asc()) for c, _, descending in parts]


def _in_order(
    session: Session,
    query: PatientQuery,
    conditions: list[sa.ColumnElement[bool]],
    dialect: str,
) -> list[_Found]:
    """Up to ``limit + 1`` rows from the cursor on, in one query: the sort's columns are
    those of one index (``patients`` alone), so the page is one range of it."""
    parts = _sort_parts(query.sort, dialect)
    cursor = query._key
    before = cursor is not None and cursor.before
    where = list(conditions)
    if cursor is not None:
        where.append(_after(parts, cursor.key, before=before))
    lead = parts[0][0].label("lead") if query.sort != "id" else sa.null().label("lead")
    rows = session.execute(
        sa.select(_p.c.id, _p.c.patient_id, _c.c.code, lead)
        .select_from(_p.join(_c, _p.c.centre_key == _c.c.id))
        .where(*where)
        .order_by(*_ordered(parts, before=before))
        .limit(query.limit + 1)
    )
    return [_Found(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]


def _screened(
    session: Session,
    query: PatientQuery,
    scope: _Scope,
    others: list[sa.ColumnElement[bool]],
    as_of: dt.date,
) -> list[_Found]:
    """Up to ``limit + 1`` rows from the cursor on in the id sort with the ``alerts`` and/or
    ``overdue`` filter, read from the summaries: one range of ``ix_worklist_summaries_alerts``
    (or ``_overdue``), whose order (the id key of the summary's copy of the patient id, then
    the patient's row number) is the id sort's, so cursors are those of the id sort."""
    parts: list[_Part] = [
        (IdKey(_s.c.patient_id), lambda v: IdKey(sa.literal(v, sa.String())), False),
        (_s.c.patient_key, lambda v: sa.literal(v, sa.Integer()), False),
    ]
    cursor = query._key
    before = cursor is not None and cursor.before
    counts = [_s.c[name] > 0 for name in sorted(_SCREENED_FILTERS & query.filters)]
    where = [_fresh(query, as_of), *counts, *scope.conditions(_s), *others]
    if cursor is not None:
        where.append(_after(parts, cursor.key, before=before))
    rows = session.execute(
        sa.select(_p.c.id, _p.c.patient_id, _c.c.code)
        .select_from(_s.join(_p, _p.c.id == _s.c.patient_key).join(_c, _p.c.centre_key == _c.c.id))
        .where(*where)
        .order_by(*_ordered(parts, before=before))
        .limit(query.limit + 1)
    )
    return [_Found(int(r[0]), str(r[1]), str(r[2]), None) for r in rows]


def _by_centre(
    session: Session,
    query: PatientQuery,
    scope: _Scope,
    filters: list[sa.ColumnElement[bool]],
    dialect: str,
) -> list[_Found]:
    """Up to ``limit + 1`` rows from the cursor on in the centre sort, read centre by centre
    in code order, each centre's rows one range of ``ix_patients_centre_id_key``.

    One query ordering by the code of the joined ``centres`` row cannot be read from an
    index (PostgreSQL joined and sorted every patient: 90 ms at 100,000); the centres are
    few and known, so each is asked for the rows still missing, starting at the cursor's
    centre (after the cursor's id key there), until the page is full."""
    parts = _sort_parts("id", dialect)
    cursor = query._key
    before = cursor is not None and cursor.before
    centres = list(reversed(scope.centres) if before else scope.centres)
    found: list[_Found] = []
    for code, key in centres:
        where = [_p.c.centre_key == key, *scope.search(_p.c.patient_id), *filters]
        if cursor is not None:
            start = cursor.key[0]
            if (code > start) if before else (code < start):
                continue
            if code == start:
                where.append(_after(parts, cursor.key[1:], before=before))
        rows = session.execute(
            sa.select(_p.c.id, _p.c.patient_id)
            .where(*where)
            .order_by(*_ordered(parts, before=before))
            .limit(query.limit + 1 - len(found))
        )
        found += [_Found(int(r[0]), str(r[1]), code, code) for r in rows]
        if len(found) > query.limit:
            break
    return found


def _count(session: Session, conditions: Sequence[sa.ColumnElement[bool]]) -> int:
    query = sa.select(sa.func.count()).select_from(_p).where(*conditions)
    return int(session.execute(query).scalar_one())


def _count_upto(session: Session, conditions: Sequence[sa.ColumnElement[bool]], limit: int) -> int:
    """The number of patients meeting ``conditions``, counted up to ``limit + 1``."""
    found = sa.select(sa.literal(1)).select_from(_p).where(*conditions).limit(limit + 1)
    counted = sa.select(sa.func.count()).select_from(found.subquery())
    return int(session.execute(counted).scalar_one())


def _details(
    session: Session, query: PatientQuery, as_of: dt.date, found: list[tuple[int, str, str]]
) -> list[PatientRow]:
    """The columns of each page row, read with one query per kind for the whole page."""
    keys = [key for key, _, _ in found]
    if not keys:
        return []
    current: dict[int, tuple[str, float]] = {}
    treatments = session.execute(
        sa.select(_t.c.patient_key, _t.c.drug, _t.c.dose_mg_per_day)
        .where(
            _t.c.patient_key.in_(keys),
            _t.c.start_date <= as_of,
            sa.or_(_t.c.end_date.is_(None), _t.c.end_date >= as_of),
        )
        .order_by(_t.c.patient_key, _t.c.start_date, _t.c.id)
    )
    for key, drug, dose in treatments:
        current[key] = (str(drug), float(dose))  # the latest start wins
    visits = {
        key: (last, int(incomplete))
        for key, last, incomplete in session.execute(
            sa.select(
                _v.c.patient_key,
                sa.func.max(_v.c.visit_date),
                sa.func.count().filter(_incomplete()),
            )
            .where(_v.c.patient_key.in_(keys))
            .group_by(_v.c.patient_key)
        )
    }
    last_entry = (
        sa.select(sa.func.coalesce(sa.func.max(_a.c.id), 0))
        .where(_a.c.patient_id == _p.c.patient_id)
        .correlate(_p)
        .scalar_subquery()
    )
    screening = {
        key: (int(last), fresh, alerts, overdue)
        for key, last, fresh, alerts, overdue in session.execute(
            sa.select(
                _p.c.id,
                last_entry,
                sa.and_(_s.c.patient_key.is_not(None), _fresh(query, as_of)),
                _s.c.alerts,
                _s.c.overdue,
            )
            .select_from(_p.outerjoin(_s, _s.c.patient_key == _p.c.id))
            .where(_p.c.id.in_(keys))
        )
    }
    rows = []
    for key, patient_id, centre in found:
        drug, dose = current.get(key, (None, None))
        last_visit, incomplete = visits.get(key, (None, 0))
        last, fresh, alerts, overdue = screening[key]
        rows.append(
            PatientRow(
                patient_id=patient_id,
                centre=centre,
                on_treatment=key in current,
                drug=drug,
                dose_mg_per_day=dose,
                last_visit=last_visit,
                incomplete_forms=incomplete,
                screened=bool(fresh),
                alerts=int(alerts) if fresh else None,
                overdue=int(overdue) if fresh else None,
                last_entry_id=last,
            )
        )
    return rows


def store_worklist_summaries(
    session: Session, *, actor: Actor, summaries: Iterable[WorklistSummary]
) -> int:
    """Keep each patient's worklist counts under their key (replacing an earlier one);
    return how many were stored.

    Summaries are derived data: no audit entry is written (an entry would change the very
    key a summary is stored under). Patients outside the actor's centres, no longer
    registered under that id (renamed or removed since the screening), or whose records
    changed since the screening read them (their last audit entry is not the summary's key)
    are skipped. The audit chain's head is locked first, as every audited write locks it, so
    no write can come between the key check and the commit (a write after it removes the
    summary again, :mod:`clears.registry._list_columns`).

    Raises
    ------
    InputError
        A negative count or a blank or over-long protocol; nothing was written.
    """
    given = list(summaries)
    limit = _PROTOCOL_LENGTH
    problems = [
        Problem(name, value, "must be a whole number of at least 0", ">= 0", patient=s.patient_id)
        for s in given
        for name, value in (
            ("alerts", s.alerts),
            ("overdue", s.overdue),
            ("last_entry_id", s.last_entry_id),
        )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0
    ] + [
        Problem("protocol", s.protocol, "is blank or too long", f"1 to {limit} characters")
        for s in given
        if not s.protocol.strip() or len(s.protocol) > limit
    ]
    if problems:
        raise InputError(problems)
    by_id = {s.patient_id: s for s in given}
    if not by_id:
        return 0
    session.execute(sa.select(_h.c.id).with_for_update())
    last_entry = (
        sa.select(sa.func.coalesce(sa.func.max(_a.c.id), 0))
        .where(_a.c.patient_id == _p.c.patient_id)
        .correlate(_p)
        .scalar_subquery()
    )
    found = sa.select(_p.c.id, _p.c.patient_id, _p.c.centre_key, last_entry).join(
        _c, _p.c.centre_key == _c.c.id
    )
    if not actor.all_centres:
        found = found.where(_c.c.code.in_(sorted(actor.centres)))
    values = []
    ids = sorted(by_id)
    for start in range(0, len(ids), 1_000):
        chunk = found.where(_p.c.patient_id.in_(ids[start : start + 1_000]))
        for key, patient_id, centre_key, last in session.execute(chunk):
            s = by_id[patient_id]
            if s.last_entry_id != last:
                continue  # changed since the screening read it
            values.append(
                {
                    "patient_key": key,
                    "patient_id": patient_id,
                    "centre_key": centre_key,
                    "protocol": s.protocol,
                    "as_of": s.as_of,
                    "last_entry_id": s.last_entry_id,
                    "alerts": s.alerts,
                    "overdue": s.overdue,
                }
            )
    if values:
        session.execute(_upsert(session), values)
    return len(values)


def _upsert(session: Session) -> Any:
    """INSERT ... ON CONFLICT (patient_key) DO UPDATE, on SQLite and PostgreSQL."""
    insert = (
        postgresql.insert(_s)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(_s)
    )
    changed = {
        c: insert.excluded[c]
        for c in (
            "patient_id",
            "centre_key",
            "protocol",
            "as_of",
            "last_entry_id",
            "alerts",
            "overdue",
        )
    }
    return insert.on_conflict_do_update(index_elements=[_s.c.patient_key], set_=changed)
