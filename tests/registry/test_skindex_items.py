"""Skindex-29+3 items stored on visits and read back, on both backends (revision 0021).

The 33 items are visit columns (``skindex_q1`` ... ``skindex_q33``, codes 0-4); a visit
written with them reads back equal, is audited, scores as the written answers do, and a
code outside 0-4 is refused before anything is written, by the service and by the
database's CHECK constraint.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import BCN, TODAY, two_centres

from clears._exceptions import InputError
from clears.instruments import skindex
from clears.registry import audit
from clears.registry.records import add_record, get_record

#: Answers by item: item n answered n mod 5 (0 never ... 4 all the time).
ANSWERS = {f"skindex_q{n}": n % 5 for n in range(1, 34)}


def test_a_visit_with_every_skindex_item_reads_back_and_is_audited(session: Session) -> None:
    two_centres(session)
    values = {"visit_date": "2024-03-01", **ANSWERS}
    added = add_record(
        session, actor=BCN, table="visits", patient_id="P1", values=values, today=TODAY
    )
    session.expunge_all()
    read = get_record(session, actor=BCN, table="visits", record_id=added.id)
    assert {k: read.data[k] for k in ANSWERS} == ANSWERS
    entry = audit.history(session, actor=BCN, patient_id="P1")[-1]
    assert (entry.action, entry.entity) == ("insert", "visits")
    assert entry.after == audit.canonical(read.data)
    assert {k: json.loads(entry.after)[k] for k in ANSWERS} == ANSWERS
    # Symptoms items 1, 7, 10, 16, 19, 24, 27 answered 1, 2, 0, 1, 4, 4, 2: 14 x 25 / 7 = 50.
    scored = skindex.score_frame(pd.DataFrame([{k: read.data[k] for k in ANSWERS}]))
    assert scored["skindex_symptoms"].tolist() == [50.0]


def test_a_code_outside_0_to_4_is_refused_naming_the_item(session: Session) -> None:
    two_centres(session)
    values = {"visit_date": "2024-03-02", "skindex_q5": 5}
    with pytest.raises(InputError) as caught:
        add_record(session, actor=BCN, table="visits", patient_id="P1", values=values, today=TODAY)
    assert "skindex_q5" in str(caught.value)
    assert "4 (all the time)" in str(caught.value)
    visits = sa.table("visits", sa.column("visit_date"))
    stored = session.execute(sa.select(sa.func.count()).select_from(visits)).scalar_one()
    assert stored == 0


def test_the_database_check_constraint_holds_the_codes(session: Session) -> None:
    columns = {c["name"]: c for c in sa.inspect(session.connection()).get_columns("visits")}
    assert {f"skindex_q{n}" for n in range(1, 34)} <= set(columns)
    checks = sa.inspect(session.connection()).get_check_constraints("visits")
    texts = {c["name"]: c["sqltext"] for c in checks}
    assert "0, 1, 2, 3, 4" in texts["ck_visits_skindex_q33"].replace("(", "").replace(")", "")
