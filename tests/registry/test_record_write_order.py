"""Single-record writes: validation runs before the transaction's first statement.

On SQLite the first statement of a transaction takes the write lock (BEGIN IMMEDIATE), so
validating first keeps the lock only for the SQL. What callers see must not change: an
unknown or foreign patient is still "not found" even when the values are also invalid, and
invalid values of a visible patient are still refused with every problem.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, TODAY, two_centres

from clears._exceptions import InputError, NotFoundError
from clears.registry import _records
from clears.registry._engine import make_engine, transaction
from clears.registry.records import add_record

BAD = {"visit_date": "2024-13-01", "clasi_scalp_ery": 7}


def test_an_unknown_patient_is_reported_before_invalid_values(session: Session) -> None:
    two_centres(session)
    with pytest.raises(NotFoundError, match="no patient 'P9' in your centres"):
        add_record(session, actor=BCN, table="visits", patient_id="P9", values=BAD, today=TODAY)
    with pytest.raises(NotFoundError, match="no patient 'P2' in your centres"):  # LYO patient
        add_record(session, actor=BCN, table="visits", patient_id="P2", values=BAD, today=TODAY)


def test_invalid_values_of_a_visible_patient_list_every_problem(session: Session) -> None:
    two_centres(session)
    with pytest.raises(InputError) as caught:
        add_record(session, actor=BCN, table="visits", patient_id="P1", values=BAD, today=TODAY)
    assert sorted(p.field for p in caught.value.problems) == ["clasi_scalp_ery", "visit_date"]


def test_validation_happens_before_the_write_lock_is_taken(
    fresh_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine's "begin" event is where BEGIN IMMEDIATE is sent (clears.registry._engine).
    log: list[str] = []
    validate = _records.validate

    def logged(*args: Any, **kwargs: Any) -> dict[str, Any]:
        log.append("validate")
        return validate(*args, **kwargs)

    monkeypatch.setattr(_records, "validate", logged)
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        two_centres(session)
    log.clear()  # creating the patients validated too
    event.listen(engine, "begin", lambda _connection: log.append("BEGIN"))
    with transaction(engine) as session:
        add_record(
            session,
            actor=BCN,
            table="visits",
            patient_id="P1",
            values={"visit_date": "2024-05-02", "clasi_scalp_ery": 2},
            today=TODAY,
        )
    engine.dispose()
    assert log == ["validate", "BEGIN"]
