"""The patient list against a brute-force reading of the same rows (H-INT-66..70).

Every registry here is generated (hypothesis) and written with plain INSERTs on SQLite and
PostgreSQL; the expected list is computed in Python from the generated rows alone, from the
definitions: a prefix match ignoring case, a treatment period covering the day (``end_date``
the last day at the dose, docs/design.md), a visit whose CLASI or SLEDAI-2K items (the
instrument definitions' item lists) are partly filled, a worklist summary current under its
key (protocol, day, the patient's last audit entry id). Walking the pages forward and back
must show exactly that list, each patient once, and nothing of a centre the actor is not in.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import InputError
from clears.instruments import clasi, sledai
from clears.registry import (
    PATIENT_FILTERS,
    PATIENT_SORTS,
    Actor,
    PatientQuery,
    WorklistSummary,
    last_entry_ids,
    patient_list_page,
    store_worklist_summaries,
)
from clears.registry._models import ENTITY_TABLES, audit_table, centres_table, patients_table
from clears.registry._models import worklist_summaries_table as summaries_table
from clears.registry.patients import create_patient, get_patient, rename_patient, update_patient
from clears.registry.records import add_record, delete_record, lock_visit, update_record

CENTRES = ("T-BCN", "T-LYO", "T-GVA")
PROTOCOL = "cortes2012 1"
#: The item lists of the two instruments, from their definitions.
INSTRUMENT_ITEMS = (clasi.DEFINITION.columns, sledai.DEFINITION.columns)
ACTORS = (
    Actor("net", frozenset(CENTRES)),
    Actor("bcn", frozenset({"T-BCN"})),
    Actor("lyo_gva", frozenset({"T-LYO", "T-GVA"})),
)


@dataclass
class Generated:
    """One patient of a generated registry, as the brute force reads it."""

    patient_id: str
    centre: str
    treatments: list[tuple[dt.date, dt.date | None, str, float]] = field(default_factory=list)
    visits: list[tuple[dt.date, dict[str, int | None]]] = field(default_factory=list)
    entries: int = 0
    summary: tuple[str, dt.date, int, int, int] | None = None  # protocol, day, key, counts


def _fill(items: tuple[str, ...], how: str) -> dict[str, int | None]:
    if how == "none":
        return dict.fromkeys(items)
    if how == "all":
        return dict.fromkeys(items, 0)
    return {c: (0 if n % 2 == 0 else None) for n, c in enumerate(items)}  # partly filled


@st.composite
def registries(draw: st.DrawFn) -> list[Generated]:
    ids = draw(
        st.lists(
            st.tuples(st.sampled_from("Pp0"), st.text("Pp01._-", max_size=3)).map("".join),
            max_size=12,
            unique_by=str.lower,
        )
    )
    patients = []
    for pid in ids:
        g = Generated(pid, draw(st.sampled_from(CENTRES)))
        for _ in range(draw(st.integers(0, 2))):
            start = TODAY + dt.timedelta(days=draw(st.integers(-40, 3)))
            length = draw(st.none() | st.integers(0, 45))
            end = None if length is None else start + dt.timedelta(days=length)
            drug = draw(st.sampled_from(("lenalidomide", "thalidomide")))
            g.treatments.append((start, end, drug, draw(st.sampled_from((2.5, 5.0, 10.0)))))
        for _ in range(draw(st.integers(0, 3))):
            day = TODAY - dt.timedelta(days=draw(st.integers(0, 60)))
            items = {}
            for columns in INSTRUMENT_ITEMS:
                items |= _fill(columns, draw(st.sampled_from(("none", "all", "some"))))
            g.visits.append((day, items))
        g.entries = draw(st.integers(0, 2))
        if draw(st.booleans()):
            protocol = draw(st.sampled_from((PROTOCOL, "klein2011 1")))
            day = draw(st.sampled_from((TODAY, TODAY - dt.timedelta(days=1))))
            stale = draw(st.booleans())
            g.summary = (
                protocol,
                day,
                int(stale),
                draw(st.integers(0, 2)),
                draw(st.integers(0, 2)),
            )
        patients.append(g)
    return patients


def _write(session: Session, patients: list[Generated]) -> dict[str, int]:
    """Insert the generated rows; return each patient's last audit entry id."""
    keys = {}
    for code in CENTRES:
        found = session.execute(sa.select(centres_table.c.id).where(centres_table.c.code == code))
        keys[code] = (
            found.scalar()
            or session.execute(
                sa.insert(centres_table).values(code=code).returning(centres_table.c.id)
            ).scalar_one()
        )
    entry = int(session.execute(sa.select(sa.func.max(audit_table.c.id))).scalar() or 0)
    last: dict[str, int] = {}
    for g in patients:
        # the stored sort key, as defined: the latest visit date, 0001-01-01 without visits
        latest = max((day for day, _ in g.visits), default=dt.date(1, 1, 1))
        key = session.execute(
            sa.insert(patients_table)
            .values(patient_id=g.patient_id, centre_key=keys[g.centre], last_visit_key=latest)
            .returning(patients_table.c.id)
        ).scalar_one()
        for start, end, drug, dose in g.treatments:
            values = {"start_date": start, "end_date": end, "drug": drug, "dose_mg_per_day": dose}
            session.execute(
                sa.insert(ENTITY_TABLES["treatments"]).values(patient_key=key, **values)
            )
        for day, items in g.visits:
            session.execute(
                sa.insert(ENTITY_TABLES["visits"]).values(patient_key=key, visit_date=day, **items)
            )
        last[g.patient_id] = 0
        for _ in range(g.entries):
            entry += 1
            session.execute(
                sa.insert(audit_table).values(
                    id=entry,
                    at="2024-06-01T00:00:00+00:00",
                    actor="test",
                    action="update",
                    entity="patients",
                    patient_id=g.patient_id,
                    prev_hash="0" * 64,
                    hash=f"{entry:064x}",
                )
            )
            last[g.patient_id] = entry
        if g.summary is not None and not g.summary[2]:
            # a stale summary (the records changed after the screening) is not stored: the
            # write removed it (tested through the services below)
            protocol, day, _, alerts, overdue = g.summary
            session.execute(
                sa.insert(summaries_table).values(
                    patient_key=key,
                    patient_id=g.patient_id,
                    centre_key=keys[g.centre],
                    protocol=protocol,
                    as_of=day,
                    last_entry_id=last[g.patient_id],
                    alerts=alerts,
                    overdue=overdue,
                )
            )
    return last


def _expected(
    patients: list[Generated], last: dict[str, int], actor: Actor, query: PatientQuery
) -> list[dict[str, Any]]:
    """The list computed in Python from the generated rows and the definitions."""
    rows = []
    for g in patients:
        if not actor.can_see(g.centre) or (query.centre and g.centre != query.centre):
            continue
        if not g.patient_id.lower().startswith(query.search.lower()):
            continue
        covering = [t for t in g.treatments if t[0] <= TODAY and (t[1] is None or t[1] >= TODAY)]
        # the latest start; among equal starts the last recorded (inserted in this order)
        current = max(reversed(covering), key=lambda t: t[0]) if covering else None
        incomplete = sum(
            any(
                any(items[c] is not None for c in cols) and any(items[c] is None for c in cols)
                for cols in INSTRUMENT_ITEMS
            )
            for _, items in g.visits
        )
        fresh = g.summary is not None and g.summary[:3] == (PROTOCOL, TODAY, 0)
        row = {
            "patient_id": g.patient_id,
            "centre": g.centre,
            "on_treatment": current is not None,
            "drug": current[2] if current else None,
            "dose_mg_per_day": current[3] if current else None,
            "last_visit": max((d for d, _ in g.visits), default=None),
            "incomplete_forms": incomplete,
            "screened": fresh,
            "alerts": g.summary[3] if fresh and g.summary else None,
            "overdue": g.summary[4] if fresh and g.summary else None,
        }
        passes = {
            "on_treatment": row["on_treatment"],
            "incomplete": incomplete > 0,
            "alerts": bool(row["alerts"]),
            "overdue": bool(row["overdue"]),
            "unscreened": not fresh,
        }
        if all(passes[f] for f in query.filters):
            rows.append(row)
    order = {
        "id": lambda r: (r["patient_id"].lower(),),
        "centre": lambda r: (r["centre"], r["patient_id"].lower()),
        "last_visit": lambda r: (
            -(r["last_visit"] or dt.date.min).toordinal(),
            r["patient_id"].lower(),
        ),
    }[query.sort]
    return sorted(rows, key=order)


def _walk(session: Session, actor: Actor, query: PatientQuery) -> Iterator[Any]:
    """Every page from the first, following next_cursor."""
    cursor = None
    while True:
        page = patient_list_page(
            session,
            actor=actor,
            query=PatientQuery(
                search=query.search,
                centre=query.centre,
                filters=query.filters,
                sort=query.sort,
                limit=query.limit,
                cursor=cursor,
                as_of=TODAY,
                protocol=PROTOCOL,
            ),
        )
        yield page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


@st.composite
def queries(draw: st.DrawFn, patients: list[Generated]) -> tuple[Actor, PatientQuery]:
    actor = draw(st.sampled_from(ACTORS))
    ids = [g.patient_id for g in patients]
    search = draw(
        st.just("")
        | st.sampled_from(ids or ["P"]).flatmap(
            lambda i: st.integers(1, len(i)).map(lambda n: i[:n])
        )
        | st.text("Pp01", min_size=1, max_size=2)
    )
    search = "".join(c.swapcase() if draw(st.booleans()) else c for c in search)
    centre = draw(st.none() | st.sampled_from(sorted(actor.centres)))
    filters = draw(st.frozensets(st.sampled_from(PATIENT_FILTERS), max_size=2))
    if "unscreened" in filters:
        filters = filters - {"alerts", "overdue"}
    query = PatientQuery(
        search=search,
        centre=centre,
        filters=filters,
        sort=draw(st.sampled_from(PATIENT_SORTS)),
        limit=draw(st.integers(1, 4)),
        as_of=TODAY,
        protocol=PROTOCOL,
    )
    return actor, query


@pytest.mark.slow  # over a second in --durations
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), patients=registries())
def test_pages_equal_a_brute_force_filter_of_every_patient(
    session: Session, data: st.DataObject, patients: list[Generated]
) -> None:
    nested = session.begin_nested()
    try:
        last = _write(session, patients)
        actor, query = data.draw(queries(patients))
        expected = _expected(patients, last, actor, query)
        pages = list(_walk(session, actor, query))
        shown = [r for page in pages for r in page.rows]
        assert [vars(r) | {"last_entry_id": 0} for r in shown] == [
            e | {"last_entry_id": 0} for e in expected
        ]
        assert [r.last_entry_id for r in shown] == [last[e["patient_id"]] for e in expected]
        # each page is limit rows but the last, numbered from 1 without a gap
        assert all(len(p.rows) == query.limit for p in pages[:-1])
        assert [p.first for p in pages] == [1 + n * query.limit for n in range(len(pages))]
        assert {r.centre for r in shown} <= actor.centres  # never another centre's patient
        if not query.filters:
            assert {p.total for p in pages} == {len(expected)}
        if {"alerts", "overdue"} & query.filters:
            others = PatientQuery(
                search=query.search,
                centre=query.centre,
                filters=(query.filters - {"alerts", "overdue"}) | {"unscreened"},
                as_of=TODAY,
                protocol=PROTOCOL,
            )
            assert {p.unscreened for p in pages} == {len(_expected(patients, last, actor, others))}
        # and back: previous cursors give the same pages in reverse
        back = [pages[-1]]
        while back[-1].previous_cursor is not None:
            back.append(
                patient_list_page(
                    session,
                    actor=actor,
                    query=PatientQuery(
                        search=query.search,
                        centre=query.centre,
                        filters=query.filters,
                        sort=query.sort,
                        limit=query.limit,
                        cursor=back[-1].previous_cursor,
                        as_of=TODAY,
                        protocol=PROTOCOL,
                    ),
                )
            )
        assert [[r.patient_id for r in p.rows] for p in reversed(back)] == [
            [r.patient_id for r in p.rows] for p in pages
        ]
        assert [p.first for p in reversed(back)] == [p.first for p in pages]
    finally:
        nested.rollback()


@pytest.mark.slow  # over a second in --durations
def test_a_bcn_user_never_sees_lyo_in_any_page_search_or_filter(session: Session) -> None:
    two_centres(session)  # P1 at BCN, P2 at LYO
    for n in range(3, 9):
        create_patient(session, actor=ADMIN, patient_id=f"P{n}", centre="LYO", today=TODAY)
        add_record(
            session,
            actor=ADMIN,
            table="treatments",
            patient_id=f"P{n}",
            values={"drug": "lenalidomide", "start_date": TODAY, "dose_mg_per_day": 5},
            today=TODAY,
        )
    for n in range(1, 9):  # a visit each (the last-visit sort), then screened with alerts
        add_record(
            session,
            actor=ADMIN,
            table="visits",
            patient_id=f"P{n}",
            values={"visit_date": TODAY - dt.timedelta(days=n)},
            today=TODAY,
        )
    keys = last_entry_ids(session, actor=ADMIN)
    summaries = [WorklistSummary(pid, PROTOCOL, TODAY, key, 1, 1) for pid, key in keys.items()]
    assert store_worklist_summaries(session, actor=ADMIN, summaries=summaries) == 8
    screened = frozenset({"alerts", "overdue"})
    for filters in (frozenset({"alerts"}), frozenset({"overdue"}), screened):
        pages = _walk(session, LYO, PatientQuery(filters=filters, limit=2))
        lyo_rows = [r for page in pages for r in page.rows]
        assert len(lyo_rows) == 7  # the filters do find LYO's patients, for LYO
    seen = set()
    for sort in PATIENT_SORTS:
        for filters in [frozenset(), screened, *(frozenset({f}) for f in PATIENT_FILTERS)]:
            for search in ("", "p", "P2", "p1"):
                query = PatientQuery(search=search, filters=filters, sort=sort, limit=1)
                for page in _walk(session, BCN, query):
                    seen |= {(r.patient_id, r.centre) for r in page.rows}
    assert seen == {("P1", "BCN")}
    with pytest.raises(InputError, match=r"centre: is not one of your centres \(got 'LYO'\)"):
        patient_list_page(session, actor=BCN, query=PatientQuery(centre="LYO"))
    # a cursor made on LYO's page leads a BCN user to BCN's patients only
    lyo = patient_list_page(session, actor=LYO, query=PatientQuery(limit=1))
    assert lyo.next_cursor is not None
    after = patient_list_page(session, actor=BCN, query=PatientQuery(cursor=lyo.next_cursor))
    assert {r.centre for r in after.rows} <= {"BCN"}
    for sort in PATIENT_SORTS:  # and so does one of each sort, with the alerts filter
        alerts = PatientQuery(filters=frozenset({"alerts"}), sort=sort, limit=1)
        made = _walk(session, LYO, alerts)
        cursor = next(made).next_cursor
        assert cursor is not None
        query = PatientQuery(
            filters=frozenset({"alerts"}),
            sort=sort,
            cursor=cursor,
            as_of=TODAY,
            protocol=PROTOCOL,
        )
        after = patient_list_page(session, actor=BCN, query=query)
        assert [(r.patient_id, r.centre) for r in after.rows] in ([], [("P1", "BCN")])


@pytest.mark.parametrize(
    ("given", "name", "says"),
    [
        ({"sort": "name"}, "sort", "allowed: id, last_visit, centre"),
        ({"filter": "alert"}, "filter", "allowed: on_treatment, alerts, overdue, incomplete"),
        ({"limit": 0}, "limit", "allowed: 1 to 200 rows per page"),
        ({"limit": 201}, "limit", "allowed: 1 to 200 rows per page"),
        ({"search": "P/1"}, "q", "contains '/'"),
        ({"cursor": "not-a-cursor"}, "cursor", "is not a cursor of this list sorted by id"),
        ({"filter": "unscreened,alerts"}, "filter", "unscreened cannot be combined"),
        ({"count_limit": 0}, "count_limit", "allowed: a whole number >= 1"),
    ],
)
def test_bad_parameters_name_the_parameter_and_what_is_allowed(
    given: dict[str, Any], name: str, says: str
) -> None:
    if "filter" in given:
        given = {"filters": frozenset(given.pop("filter").split(","))} | given
    with pytest.raises(InputError) as raised:
        PatientQuery(**given)
    assert [p.field for p in raised.value.problems] == [name]
    assert says in str(raised.value)


@pytest.mark.parametrize(
    "payload",
    [
        {"v": 1, "s": "id", "b": False, "k": ["P1", 2**63], "p": 1},  # beyond SQL integers
        {"v": 1, "s": "id", "b": False, "k": ["P1", 1], "p": -1},
        {"v": 1, "s": "id", "b": "no", "k": ["P1", 1], "p": 1},
        {"v": 1, "s": "id", "b": False, "k": ["P1"], "p": 1},
        {"v": 2, "s": "id", "b": False, "k": ["P1", 1], "p": 1},
        [1, 2],
    ],
)
def test_a_crafted_cursor_is_refused(payload: object) -> None:
    text = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    with pytest.raises(InputError, match="cursor: is not a cursor of this list"):
        PatientQuery(cursor=text)


@pytest.mark.parametrize(
    ("limit", "total", "capped"), [(2, 2, True), (3, 3, True), (4, 4, False), (5, 4, False)]
)
def test_the_total_counts_up_to_the_count_limit_and_says_when_more_match(
    session: Session, limit: int, total: int, capped: bool
) -> None:
    # four patients of BCN match "p" (P1, P3, P4, P5); LYO's P2 is outside BCN's scope
    two_centres(session)
    for pid in ("P3", "P4", "P5"):
        create_patient(session, actor=ADMIN, patient_id=pid, centre="BCN", today=TODAY)
    query = PatientQuery(search="p", limit=1, count_limit=limit)
    page = patient_list_page(session, actor=BCN, query=query)
    assert (page.total, page.total_capped) == (total, capped)
    assert len(page.rows) == 1  # the cap bounds the count, never the pages
    assert page.next_cursor is not None


def test_a_cursor_of_one_sort_is_refused_by_another(session: Session) -> None:
    two_centres(session)
    create_patient(session, actor=ADMIN, patient_id="P3", centre="BCN", today=TODAY)
    page = patient_list_page(session, actor=BCN, query=PatientQuery(limit=1, sort="centre"))
    assert page.next_cursor is not None
    with pytest.raises(InputError, match="cursor: is not a cursor of this list sorted by id"):
        PatientQuery(cursor=page.next_cursor)


def test_summaries_are_stored_only_for_the_actors_patients_and_replace_older_ones(
    session: Session,
) -> None:
    two_centres(session)
    last = last_entry_ids(session, actor=ADMIN)
    summary = WorklistSummary("P1", PROTOCOL, TODAY, last["P1"], 2, 1)
    assert store_worklist_summaries(session, actor=BCN, summaries=[summary]) == 1
    other = WorklistSummary("P2", PROTOCOL, TODAY, last["P2"], 1, 0)  # LYO's patient
    assert store_worklist_summaries(session, actor=BCN, summaries=[other]) == 0
    newer = WorklistSummary("P1", PROTOCOL, TODAY, last["P1"], 0, 3)
    assert store_worklist_summaries(session, actor=BCN, summaries=[newer]) == 1
    stored = session.execute(sa.select(summaries_table.c.alerts, summaries_table.c.overdue)).all()
    assert [tuple(r) for r in stored] == [(0, 3)]
    with pytest.raises(InputError, match="alerts: must be a whole number of at least 0"):
        store_worklist_summaries(
            session,
            actor=BCN,
            summaries=[WorklistSummary("P1", PROTOCOL, TODAY, last["P1"], -1, 0)],
        )
    assert [
        tuple(r)
        for r in session.execute(sa.select(summaries_table.c.alerts, summaries_table.c.overdue))
    ] == [(0, 3)]


def test_a_write_makes_the_patient_not_yet_screened_again(session: Session) -> None:
    two_centres(session)
    query = PatientQuery(as_of=TODAY, protocol=PROTOCOL)
    (row,) = patient_list_page(session, actor=BCN, query=query).rows
    assert not row.screened
    assert row.alerts is None
    summary = WorklistSummary("P1", PROTOCOL, TODAY, row.last_entry_id, 1, 0)
    store_worklist_summaries(session, actor=BCN, summaries=[summary])
    (row,) = patient_list_page(session, actor=BCN, query=query).rows
    assert (row.screened, row.alerts, row.overdue) == (True, 1, 0)
    add_record(
        session,
        actor=BCN,
        table="visits",
        patient_id="P1",
        values={"visit_date": TODAY},
        today=TODAY,
    )
    (row,) = patient_list_page(session, actor=BCN, query=query).rows
    assert not row.screened
    assert row.alerts is None
    alerts = PatientQuery(filters=frozenset({"alerts"}), as_of=TODAY, protocol=PROTOCOL)
    page = patient_list_page(session, actor=BCN, query=alerts)
    assert (page.rows, page.unscreened) == ((), 1)  # left out, and counted


def _screen(session: Session, *pids: str) -> None:
    """Store a summary with one alert for each of ``pids``, under its current key."""
    keys = last_entry_ids(session, actor=ADMIN)
    summaries = [WorklistSummary(pid, PROTOCOL, TODAY, keys[pid], 1, 0) for pid in pids]
    assert store_worklist_summaries(session, actor=ADMIN, summaries=summaries) == len(pids)


def _alerts(session: Session) -> tuple[list[str], int | None]:
    query = PatientQuery(filters=frozenset({"alerts"}), as_of=TODAY, protocol=PROTOCOL)
    page = patient_list_page(session, actor=ADMIN, query=query)
    return [r.patient_id for r in page.rows], page.unscreened


def test_a_summary_older_than_the_records_is_not_stored(session: Session) -> None:
    two_centres(session)
    key = last_entry_ids(session, actor=ADMIN)["P1"]
    # the screening read P1 at ``key``; a visit was saved before its counts were stored
    add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P1",
        values={"visit_date": TODAY},
        today=TODAY,
    )
    late = WorklistSummary("P1", PROTOCOL, TODAY, key, 1, 0)
    assert store_worklist_summaries(session, actor=ADMIN, summaries=[late]) == 0
    assert _alerts(session) == ([], 2)  # not listed, and counted as not yet screened


@pytest.mark.slow
def test_every_audited_write_of_a_patient_removes_their_summary(session: Session) -> None:
    two_centres(session)
    visit = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P1",
        values={"visit_date": TODAY},
        today=TODAY,
    )
    other = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P1",
        values={"visit_date": TODAY - dt.timedelta(days=7)},
        today=TODAY,
    )
    patient = get_patient(session, actor=ADMIN, patient_id="P1")
    writes = {
        "a change of baseline values": lambda: update_patient(
            session,
            actor=ADMIN,
            patient_id="P1",
            version=patient.version,
            changes={"sex": "male"},
            today=TODAY,
        ),
        "a changed visit": lambda: update_record(
            session,
            actor=ADMIN,
            table="visits",
            record_id=visit.id,
            version=visit.version,
            changes={"anc": 3.2},
            today=TODAY,
        ),
        "a deleted visit": lambda: delete_record(
            session,
            actor=ADMIN,
            table="visits",
            record_id=visit.id,
            version=visit.version + 1,
            reason="wrong patient",
            today=TODAY,
        ),
        # a locked visit refuses deletion (clears.registry._locks): another visit is locked
        "a locked visit": lambda: lock_visit(
            session,
            actor=ADMIN,
            record_id=other.id,
            version=other.version,
            reason="reviewed",
            today=TODAY,
        ),
    }
    for name, write in writes.items():
        _screen(session, "P1", "P2")
        assert _alerts(session) == (["P1", "P2"], 0), name
        write()
        assert _alerts(session) == (["P2"], 1), name  # left out, and counted
    _screen(session, "P1")
    rename_patient(session, actor=ADMIN, old="P1", new="P7", reason="typed wrongly")
    assert _alerts(session) == (["P2"], 1)  # the renamed patient is not yet screened
