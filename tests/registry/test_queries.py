"""Data queries in the registry (SQLite and PostgreSQL through the ``session`` fixture).

The expected behaviour is the issue's ("Data management for a multi-centre registry"),
written out here independently of the code: a monitor opens a query on a field of a record;
data entry answers or corrects; the monitor closes or re-opens; open -> answered -> closed,
answered -> open and closed -> open, anything else refused naming the current status; a
field that is not a column of the table is refused naming the allowed ones; another
centre's query or record is not found; a stale version is a conflict; every step audited.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.cohort import SCHEMA
from clears.registry import (
    RefusedError,
    answer_query,
    audit,
    close_query,
    correct_query,
    get_query,
    list_queries,
    open_query,
    patient_queries,
    query_counts,
    reopen_query,
)
from clears.registry._models import AuditEntry, data_queries_table
from clears.registry.records import add_record, get_record

#: The issue's state machine: (status, step) -> next status; every other pair is refused.
ALLOWED = {
    ("open", "answer"): "answered",
    ("open", "correct"): "answered",
    ("answered", "close"): "closed",
    ("answered", "reopen"): "open",
    ("closed", "reopen"): "open",
}
STATUSES = ("open", "answered", "closed")
STEPS = ("answer", "correct", "close", "reopen")
NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
#: Who takes each step in the issue's workflow: a monitor opens, closes and re-opens; data
#: entry answers and corrects.
STEP_ROLES = {
    "open": "monitor",
    "answer": "data_entry",
    "correct": "data_entry",
    "close": "monitor",
    "reopen": "monitor",
}


@pytest.fixture
def visit(session: Session) -> int:
    two_centres(session)
    record = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-03-01", "clasi_a": 12, "anc": 1.8},
        today=TODAY,
    )
    return record.id


def _open(session: Session, visit: int, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "actor": BCN,
        "role": "monitor",
        "patient_id": "P1",
        "table": "visits",
        "record_id": visit,
        "field": "anc",
        "text": "ANC 1.8 is not in the lab report (2.8?)",
        "proposed_value": "2.8",
        "now": NOW,
    } | kw
    return open_query(session, **values)


def _entries(session: Session) -> list[AuditEntry]:
    return list(session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars())


def _count_queries(session: Session) -> int:
    return int(
        session.execute(sa.select(sa.func.count()).select_from(data_queries_table)).scalar_one()
    )


def _take(session: Session, step: str, query: Any, visit_version: int) -> Any:
    common = {
        "actor": BCN,
        "role": STEP_ROLES[step],
        "query_id": query.id,
        "version": query.version,
        "now": NOW,
    }
    if step == "answer":
        return answer_query(session, text="checked, it is right", **common)
    if step == "correct":
        # alternate the value so a second correction is a change too
        value = (
            "2.8"
            if get_record(session, actor=BCN, table="visits", record_id=query.record_id).data["anc"]
            != 2.8
            else "1.8"
        )
        return correct_query(
            session, record_version=visit_version, value=value, text="typo", today=TODAY, **common
        )
    if step == "close":
        return close_query(session, text="thanks", **common)
    return reopen_query(session, text="still unclear", **common)


def _reach(session: Session, visit: int, status: str) -> Any:
    query = _open(session, visit)
    path = {"open": [], "answered": ["answer"], "closed": ["answer", "close"]}[status]
    for step in path:
        query = _take(session, step, query, 1)
    assert query.status == status
    return query


@pytest.mark.parametrize(("status", "step"), list(itertools.product(STATUSES, STEPS)))
def test_each_step_from_each_status(session: Session, visit: int, status: str, step: str) -> None:
    query = _reach(session, visit, status)
    record = get_record(session, actor=BCN, table="visits", record_id=visit)
    if (status, step) in ALLOWED:
        after = _take(session, step, query, record.version)
        assert after.status == ALLOWED[(status, step)]
        assert after.version == query.version + 1
        assert after.messages[-1].step == step
    else:
        before = len(_entries(session))
        with pytest.raises(InputError) as caught:
            _take(session, step, query, record.version)
        assert f"is {status}" in str(caught.value)
        assert caught.value.problems[0].value == status
        assert len(_entries(session)) == before
        assert get_query(session, actor=BCN, query_id=query.id).status == status


def test_a_full_cycle_keeps_the_thread_in_order(session: Session, visit: int) -> None:
    query = _open(session, visit)
    query = answer_query(
        session, actor=BCN, role="data_entry", query_id=query.id, version=1, text="ok", now=NOW
    )
    query = reopen_query(
        session, actor=BCN, role="monitor", query_id=query.id, version=2, text="no", now=NOW
    )
    query = answer_query(
        session, actor=BCN, role="data_entry", query_id=query.id, version=3, text="ok2", now=NOW
    )
    query = close_query(session, actor=BCN, role="monitor", query_id=query.id, version=4, now=NOW)
    query = reopen_query(
        session, actor=BCN, role="monitor", query_id=query.id, version=5, text="again", now=NOW
    )
    assert [m.step for m in query.messages] == [
        "open", "answer", "reopen", "answer", "close", "reopen",
    ]  # fmt: skip
    assert query.messages[0].proposed_value == "2.8"
    assert (query.status, query.version) == ("open", 6)


def test_reopening_needs_a_reason(session: Session, visit: int) -> None:
    query = _reach(session, visit, "closed")
    with pytest.raises(InputError, match="text"):
        reopen_query(
            session, actor=BCN, role="monitor", query_id=query.id, version=query.version, text=" "
        )


@pytest.mark.parametrize(
    ("table", "field", "named"),
    [
        ("visits", "grade", "field"),
        ("labs", "anc", "table"),
        ("flares", "anc", "field"),
    ],
)
def test_a_field_or_table_that_does_not_exist_is_refused(
    session: Session, visit: int, table: str, field: str, named: str
) -> None:
    before = (len(_entries(session)), _count_queries(session))
    with pytest.raises(InputError) as caught:
        _open(session, visit, table=table, field=field)
    problem = caught.value.problems[0]
    assert problem.field == named
    if named == "field":
        # the allowed values are the table's cohort columns (clears.cohort.SCHEMA)
        for column in SCHEMA[table]:
            if column.name != "patient_id":
                assert column.name in (problem.allowed or "").split(", ")
    else:
        assert "visits" in (problem.allowed or "")
    assert (len(_entries(session)), _count_queries(session)) == before


def test_an_item_column_of_visits_can_be_queried(session: Session, visit: int) -> None:
    query = _open(session, visit, field="clasi_scalp_ery", proposed_value=None)
    assert (query.field, query.proposed_value) == ("clasi_scalp_ery", None)


def test_a_patient_field_can_be_queried(session: Session, visit: int) -> None:
    query = _open(
        session, visit, table="patients", record_id=None, field="sex", proposed_value="female"
    )
    assert query.table == "patients"
    assert get_query(session, actor=BCN, query_id=query.id).record_id == query.record_id


def test_a_record_of_another_patient_or_unknown_is_not_found(session: Session, visit: int) -> None:
    other = add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id="P2",
        values={"visit_date": "2024-03-01"},
        today=TODAY,
    )
    with pytest.raises(NotFoundError):
        _open(session, visit, actor=ADMIN, record_id=other.id)
    with pytest.raises(NotFoundError):
        _open(session, visit, record_id=10**6)
    assert _count_queries(session) == 0


def test_another_centre_sees_nothing(session: Session, visit: int) -> None:
    query = _open(session, visit)
    with pytest.raises(NotFoundError):
        _open(session, visit, actor=LYO)
    with pytest.raises(NotFoundError):
        get_query(session, actor=LYO, query_id=query.id)
    with pytest.raises(NotFoundError):
        answer_query(session, actor=LYO, role="data_entry", query_id=query.id, version=1, text="x")
    with pytest.raises(NotFoundError):
        list_queries(session, actor=LYO, centre="BCN")
    with pytest.raises(NotFoundError):
        patient_queries(session, actor=LYO, patient_id="P1")
    assert query_counts(session, actor=LYO) == {"LYO": dict.fromkeys(STATUSES, 0)}
    assert get_query(session, actor=BCN, query_id=query.id).status == "open"


def test_a_stale_version_is_a_conflict(session: Session, visit: int) -> None:
    query = _open(session, visit)
    answer_query(
        session, actor=BCN, role="data_entry", query_id=query.id, version=1, text="first", now=NOW
    )
    with pytest.raises(ConflictError) as caught:
        reopen_query(
            session, actor=BCN, role="monitor", query_id=query.id, version=1, text="stale", now=NOW
        )
    assert caught.value.version == 2
    with pytest.raises(ConflictError):
        answer_query(
            session,
            actor=BCN,
            role="data_entry",
            query_id=query.id,
            version=1,
            text="late",
            now=NOW,
        )
    assert [m.text for m in get_query(session, actor=BCN, query_id=query.id).messages] == [
        query.text,
        "first",
    ]


def test_every_step_is_audited(session: Session, visit: int) -> None:
    start = len(_entries(session))
    query = _open(session, visit)
    answer_query(
        session, actor=BCN, role="data_entry", query_id=query.id, version=1, text="right", now=NOW
    )
    close_query(
        session, actor=ADMIN, role="monitor", query_id=query.id, version=2, text="fine", now=NOW
    )
    entries = _entries(session)[start:]
    # each step: the query row and the message, under the patient, by the actor
    assert [(e.action, e.entity) for e in entries] == [
        ("insert", "data_queries"),
        ("insert", "data_query_messages"),
        ("update", "data_queries"),
        ("insert", "data_query_messages"),
        ("update", "data_queries"),
        ("insert", "data_query_messages"),
    ]
    assert {e.patient_id for e in entries} == {"P1"}
    assert [e.actor for e in entries] == ["dr_bcn"] * 4 + ["admin"] * 2
    assert json.loads(entries[2].before or "{}")["status"] == "open"
    assert json.loads(entries[2].after or "{}")["status"] == "answered"
    assert json.loads(entries[5].after or "{}")["text"] == "fine"


def test_a_correction_changes_the_record_with_a_reason_naming_the_query(
    session: Session, visit: int
) -> None:
    query = _open(session, visit)
    start = len(_entries(session))
    after = correct_query(
        session,
        actor=BCN,
        role="data_entry",
        query_id=query.id,
        version=1,
        record_version=1,
        value="2.8",
        text="typed 1.8 for 2.8",
        now=NOW,
        today=TODAY,
    )
    record = get_record(session, actor=BCN, table="visits", record_id=visit)
    assert record.data["anc"] == 2.8
    assert record.version == 2
    assert after.status == "answered"
    step = after.messages[-1]
    assert (step.step, step.old_value, step.new_value) == ("correct", "1.8", "2.8")
    entries = _entries(session)[start:]
    change = next(e for e in entries if e.entity == "visits")
    assert change.action == "update"
    assert f"query {query.id}" in (change.reason or "")
    assert json.loads(change.before or "{}")["anc"] == 1.8
    assert json.loads(change.after or "{}")["anc"] == 2.8
    assert [e.entity for e in entries] == ["visits", "data_queries", "data_query_messages"]


def test_a_refused_correction_changes_nothing(session: Session, visit: int) -> None:
    query = _open(session, visit)
    start = len(_entries(session))
    for value in ("lots", "1.8"):  # not a number; the value already stored
        with pytest.raises(InputError) as caught:
            correct_query(
                session,
                actor=BCN,
                role="data_entry",
                query_id=query.id,
                version=1,
                record_version=1,
                value=value,
                text="fix",
                today=TODAY,
            )
        assert caught.value.problems[0].field in {"anc", "value"}
    assert get_record(session, actor=BCN, table="visits", record_id=visit).data["anc"] == 1.8
    assert get_query(session, actor=BCN, query_id=query.id).status == "open"
    assert len(_entries(session)) == start


def test_the_centre_list_pages_oldest_first_with_status_filter(
    session: Session, visit: int
) -> None:
    opened = [_open(session, visit, now=NOW + dt.timedelta(days=n), text=f"q{n}") for n in range(5)]
    answer_query(session, actor=BCN, role="data_entry", query_id=opened[1].id, version=1, text="a")
    first = list_queries(session, actor=BCN, centre="BCN", limit=2)
    assert [q.text for q in first.queries] == ["q0", "q1"]
    second = list_queries(session, actor=BCN, centre="BCN", limit=2, after=first.next_after)
    third = list_queries(session, actor=BCN, centre="BCN", limit=2, after=second.next_after)
    assert [q.text for q in second.queries + third.queries] == ["q2", "q3", "q4"]
    assert third.next_after is None
    open_only = list_queries(session, actor=BCN, centre="BCN", status="open")
    assert [q.text for q in open_only.queries] == ["q0", "q2", "q3", "q4"]
    # opened 2024-06-01 09:00 UTC; on 2024-06-11 it is 10 days old
    assert first.queries[0].age_days(dt.date(2024, 6, 11)) == 10
    with pytest.raises(InputError, match="status"):
        list_queries(session, actor=BCN, centre="BCN", status="pending")


def test_patient_list_and_counts(session: Session, visit: int) -> None:
    a = _open(session, visit, text="a")
    b = _open(session, visit, text="b")
    _open(session, visit, text="c")
    answer_query(session, actor=BCN, role="data_entry", query_id=a.id, version=1, text="x")
    answer_query(session, actor=BCN, role="data_entry", query_id=b.id, version=1, text="x")
    close_query(session, actor=BCN, role="monitor", query_id=b.id, version=2)
    assert [q.text for q in patient_queries(session, actor=BCN, patient_id="P1")] == ["a", "c"]
    assert query_counts(session, actor=ADMIN) == {
        "BCN": {"open": 1, "answered": 1, "closed": 1},
        "LYO": {"open": 0, "answered": 0, "closed": 0},
    }


def _plans(session: Session, work: Any) -> list[str]:
    """SQLite's query plan of every statement on ``data_queries`` that ``work`` sends."""
    statements: list[tuple[str, Any]] = []
    connection = session.connection()

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM data_queries" in statement and not statement.startswith("EXPLAIN"):
            statements.append((statement, parameters))

    sa.event.listen(connection, "before_cursor_execute", seen)
    try:
        work()
    finally:
        sa.event.remove(connection, "before_cursor_execute", seen)
    return [
        " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
        for s, p in statements
    ]


def test_lists_and_counts_read_through_their_indexes(session: Session, visit: int) -> None:
    # What a list costs must not grow with the registry: each statement on data_queries
    # searches an index of revision 0018 (SQLite's plan says "SEARCH ... USING ... INDEX")
    # and never sorts the whole table (no "USE TEMP B-TREE").
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the plan is read from SQLite's EXPLAIN QUERY PLAN")
    for n in range(3):
        _open(session, visit, text=f"q{n}")
    # (call, whether it may sort: a patient's own unresolved queries, found by the index on
    # patient and status, are few; a centre's list and the counts never sort)
    calls = [
        (lambda: list_queries(session, actor=BCN, centre="BCN", status="open", after=1), False),
        (lambda: list_queries(session, actor=BCN, centre="BCN", limit=2), False),
        (lambda: patient_queries(session, actor=BCN, patient_id="P1"), True),
        (lambda: query_counts(session, actor=BCN), False),
    ]
    index = re.compile(r"SEARCH data_queries USING (COVERING )?INDEX ix_data_queries_")
    for call, may_sort in calls:
        plans = _plans(session, call)
        assert plans, call
        for plan in plans:
            assert index.search(plan), plan
            assert may_sort or "TEMP B-TREE" not in plan, plan


def test_the_audit_trail_verifies_after_every_step(session: Session, visit: int) -> None:
    # The chain stays intact and the corrected visit reconciles with its entries
    # (clears.registry.audit.verify walks the chain and replays the records).
    query = _open(session, visit)
    correct_query(
        session,
        actor=BCN,
        role="data_entry",
        query_id=query.id,
        version=1,
        record_version=1,
        value="2.8",
        text="typo",
        now=NOW,
        today=TODAY,
    )
    close_query(session, actor=BCN, role="monitor", query_id=query.id, version=2, now=NOW)
    reopen_query(
        session, actor=BCN, role="monitor", query_id=query.id, version=3, text="no", now=NOW
    )
    report = audit.verify(session)
    assert report.ok, report.to_text()


def test_a_proposed_value_the_field_cannot_hold_is_refused(session: Session, visit: int) -> None:
    # anc is a number (cohort schema); sex one of its choices; a CLASI item one of its codes
    # (Albrecht 2005: erythema 0-3)
    start = len(_entries(session))
    for table, field, value in (
        ("visits", "anc", "about two"),
        ("patients", "sex", "F"),
        ("visits", "clasi_scalp_ery", "7"),
    ):
        with pytest.raises(InputError) as caught:
            _open(session, visit, table=table, field=field, proposed_value=value)
        problem = caught.value.problems[0]
        assert (problem.field, problem.value) == ("proposed_value", value)
        assert field in problem.message
    assert (len(_entries(session)), _count_queries(session)) == (start, 0)
    assert _open(session, visit, field="clasi_scalp_ery", proposed_value="2").proposed_value == "2"


def test_every_problem_of_an_open_is_named_at_once(session: Session, visit: int) -> None:
    with pytest.raises(InputError) as caught:
        _open(session, visit, field="grade", text="  ")
    assert [p.field for p in caught.value.problems] == ["field", "text"]


def test_a_rename_carries_the_queries_to_the_new_records(session: Session, visit: int) -> None:
    from clears.registry import get_patient, rename_patient
    from clears.registry.records import get_record as record_of

    query = _open(session, visit)
    on_patient = _open(
        session, visit, table="patients", record_id=None, field="birth_year", proposed_value=None
    )
    rename_patient(session, actor=ADMIN, old="P1", new="P1-B", reason="legacy id")
    moved = get_query(session, actor=BCN, query_id=query.id)
    assert moved.patient_id == "P1-B"
    # the rename wrote the visit again under a new number: the query names that one
    assert moved.record_id != visit
    assert (
        record_of(session, actor=BCN, table="visits", record_id=moved.record_id).data["anc"] == 1.8
    )
    baseline = get_query(session, actor=BCN, query_id=on_patient.id)
    assert baseline.record_id == get_patient(session, actor=BCN, patient_id="P1-B").id
    assert {q.id for q in patient_queries(session, actor=BCN, patient_id="P1-B")} == {
        query.id,
        on_patient.id,
    }


#: The issue's roles table for queries, written out here: who may take each step.
MAY_TAKE = {
    "open": {"administrator", "monitor"},
    "answer": {"administrator", "investigator", "data_entry"},
    "correct": {"administrator", "investigator", "data_entry"},
    "close": {"administrator", "monitor"},
    "reopen": {"administrator", "monitor"},
}
ROLES = ("administrator", "investigator", "data_entry", "monitor")


@pytest.mark.parametrize("step", STEPS)
def test_a_refused_role_changes_nothing(session: Session, visit: int, step: str) -> None:
    # a query in the state where the step is allowed, so only the role can refuse it
    query = _reach(session, visit, "open" if step in {"answer", "correct"} else "answered")
    for role in ROLES:
        if role in MAY_TAKE[step]:
            continue
        start = len(_entries(session))
        common = {"actor": BCN, "role": role, "query_id": query.id, "version": query.version}
        take = {
            "answer": partial(answer_query, session, text="x", **common),
            "correct": partial(
                correct_query, session, record_version=1, value="2.8", text="x", **common
            ),
            "close": partial(close_query, session, **common),
            "reopen": partial(reopen_query, session, text="x", **common),
        }[step]
        with pytest.raises(RefusedError, match=f"the {role} role may not"):
            take()
        assert len(_entries(session)) == start
        assert get_query(session, actor=BCN, query_id=query.id).version == query.version
    assert get_record(session, actor=BCN, table="visits", record_id=visit).data["anc"] == 1.8


def test_opening_is_refused_to_writers_and_another_centre_is_not_found_first(
    session: Session, visit: int
) -> None:
    for role in set(ROLES) - MAY_TAKE["open"]:
        with pytest.raises(RefusedError):
            _open(session, visit, role=role)
    assert _count_queries(session) == 0
    query = _open(session, visit)
    # another centre's query is "not found" whatever the role, never "refused"
    with pytest.raises(NotFoundError):
        answer_query(session, actor=LYO, role="monitor", query_id=query.id, version=1, text="x")
