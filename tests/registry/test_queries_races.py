"""Query steps racing each other, on SQLite and on a real PostgreSQL server, with real
commits (the ``racing`` database of tests/registry/test_records_races.py): one step wins,
every other one is a conflict, and the thread and the record hold the winner's only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from tests.registry._helpers import BCN, TODAY, race
from tests.registry.test_records_races import racing  # noqa: F401  (the fixture)

from clears._exceptions import ConflictError
from clears.registry import answer_query, correct_query, get_query, open_query, transaction
from clears.registry.records import add_record, get_record

THREADS = 6


def _query(engine: sa.Engine) -> Any:
    with transaction(engine) as session:
        visit = add_record(
            session,
            actor=BCN,
            table="visits",
            patient_id="P1",
            values={"visit_date": "2024-03-01", "anc": 1.8},
            today=TODAY,
        )
        return open_query(
            session,
            actor=BCN,
            role="monitor",
            patient_id="P1",
            table="visits",
            record_id=visit.id,
            field="anc",
            text="?",
        )


def _settled(outcomes: list[object]) -> tuple[list[object], list[object]]:
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(e, ConflictError) for e in errors), errors
    return winners, errors


def test_answers_at_once_keep_one(racing: sa.Engine) -> None:  # noqa: F811
    query = _query(racing)

    def save(session: Any, n: int) -> object:
        return answer_query(
            session, actor=BCN, role="data_entry", query_id=query.id, version=1, text=f"a{n}"
        )

    (winner,), _ = _settled(race(racing, save, THREADS))
    with transaction(racing) as session:
        after = get_query(session, actor=BCN, query_id=query.id)
    assert (after.status, after.version) == ("answered", 2)
    assert [m.text for m in after.messages] == ["?", winner.messages[-1].text]  # type: ignore[attr-defined]


def test_corrections_at_once_change_the_record_once(racing: sa.Engine) -> None:  # noqa: F811
    query = _query(racing)

    def save(session: Any, n: int) -> object:
        return correct_query(
            session,
            actor=BCN,
            role="data_entry",
            query_id=query.id,
            version=1,
            record_version=1,
            value=str(2.0 + n / 10),
            text=f"c{n}",
            today=TODAY,
        )

    (winner,), _ = _settled(race(racing, save, THREADS))
    with transaction(racing) as session:
        record = get_record(session, actor=BCN, table="visits", record_id=query.record_id)
        after = get_query(session, actor=BCN, query_id=query.id)
    assert record.version == 2
    assert str(record.data["anc"]) == winner.messages[-1].new_value  # type: ignore[attr-defined]
    assert [m.step for m in after.messages] == ["open", "correct"]
