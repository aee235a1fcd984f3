"""The missing-data report per patient and per centre, and the record status dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import InputError
from clears.instruments import clasi, sledai
from clears.registry import (
    MAX_VISIT_COLUMNS,
    add_record,
    centre_missing,
    create_patient,
    patient_missing,
    set_form_status,
    status_grid,
)


def _visit(date: str, **blanks: None) -> dict[str, Any]:
    items = dict.fromkeys((*clasi.DEFINITION.columns, *sledai.DEFINITION.columns), 0)
    values = {"visit_date": date, **items, "anc": 2.0, "wbc": 5.0, "platelets": 200.0, "hb": 12.5}
    return {k: v for k, v in values.items() if k not in blanks}


def _add(session: Session, patient: str, values: dict[str, Any]) -> int:
    actor = ADMIN
    return add_record(
        session, actor=actor, table="visits", patient_id=patient, values=values, today=TODAY
    ).id


def test_a_patients_report_names_each_blank_required_field(session: Session) -> None:
    two_centres(session)  # P1 has sex only: birth year, CLE subtypes and SLE are missing
    first = _add(session, "P1", _visit("2024-01-10", anc=None, hb=None))
    _add(session, "P1", _visit("2024-02-10"))
    report = patient_missing(session, actor=BCN, patient_id="P1")
    assert [(r.table, r.missing) for r in report] == [
        ("patients", ("birth_year", "cle_subtypes", "sle")),
        ("visits", ("anc", "hb")),
    ]
    assert report[1].record_id == first
    assert str(report[1].date) == "2024-01-10"


def test_the_centre_report_counts_in_the_database_per_centre(session: Session) -> None:
    two_centres(session)
    _add(session, "P1", _visit("2024-01-10", anc=None, hb=None))
    _add(session, "P1", _visit("2024-02-10", anc=None))
    _add(session, "P2", _visit("2024-02-10", wbc=None))
    rows = centre_missing(session, actor=ADMIN)
    counted = {(r.centre, r.table, r.field): (r.missing, r.records) for r in rows}
    assert counted["BCN", "visits", "anc"] == (2, 2)
    assert counted["BCN", "visits", "hb"] == (1, 2)
    assert counted["BCN", "visits", "wbc"] == (0, 2)
    assert counted["LYO", "visits", "wbc"] == (1, 1)
    assert counted["LYO", "patients", "sex"] == (1, 1)  # P2 was enrolled without sex
    assert counted["BCN", "patients", "sex"] == (0, 1)
    assert counted["BCN", "flares", "source"] == (0, 0)
    # A user of BCN sees BCN only, and cannot ask for LYO.
    assert {r.centre for r in centre_missing(session, actor=BCN)} == {"BCN"}
    with pytest.raises(InputError, match=r"centre.*not one of your centres"):
        centre_missing(session, actor=BCN, centre="LYO")


def test_the_dashboard_shows_a_page_of_patients_by_visits(session: Session) -> None:
    two_centres(session)
    for n in range(3, 6):
        create_patient(session, actor=ADMIN, patient_id=f"P{n}", centre="BCN", today=TODAY)
    v1 = _add(session, "P1", _visit("2024-01-10"))
    v2 = _add(session, "P1", _visit("2024-02-10", anc=None))
    _add(session, "P3", _visit("2024-01-05"))
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=v1, status="complete"
    )
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=v2, status="incomplete"
    )
    grid = status_grid(session, actor=BCN, centre="BCN", limit=2)
    assert [r.patient_id for r in grid.rows] == ["P1", "P3"]
    assert grid.columns == 2
    p1 = grid.rows[0]
    assert [(c.status, c.missing) for c in p1.visits] == [("complete", 0), ("incomplete", 1)]
    assert grid.rows[1].visits[0].status == "not_set"
    assert grid.page_counts == {"not_set": 1, "incomplete": 1, "complete": 1, "verified": 0}
    assert grid.centre_counts == {"incomplete": 1, "complete": 1, "verified": 0}
    assert [r.open_queries for r in grid.rows] == [0, 0]
    # unresolved queries (open or answered) count per patient; closed ones do not
    from clears.registry import answer_query, close_query, open_query

    def query(text: str) -> Any:
        return open_query(
            session, actor=BCN, role="monitor", patient_id="P1", table="visits", record_id=v2,
            field="anc",
            text=text,
        )  # fmt: skip

    first, second, third = query("ANC?"), query("ANC again?"), query("and again?")
    answered = answer_query(session, actor=BCN, role="data_entry", query_id=second.id,
                            version=second.version,
                            text="checked")  # fmt: skip
    answered_too = answer_query(session, actor=BCN, role="data_entry", query_id=third.id,
                                version=third.version,
                                text="checked")  # fmt: skip
    close_query(
        session,
        actor=BCN,
        role="monitor",
        query_id=third.id,
        version=answered_too.version,
        text="ok",
    )
    assert answered.status == "answered"
    counted = status_grid(session, actor=BCN, centre="BCN", limit=2)
    assert [r.open_queries for r in counted.rows] == [2, 0]
    assert first.status == "open"
    following = status_grid(session, actor=BCN, centre="BCN", limit=2, cursor=grid.next_cursor)
    assert [r.patient_id for r in following.rows] == ["P4", "P5"]
    with pytest.raises(InputError):
        status_grid(session, actor=LYO, centre="BCN")


def test_the_dashboard_shows_at_most_its_visit_columns(session: Session) -> None:
    two_centres(session)
    for month in range(MAX_VISIT_COLUMNS + 2):
        year, m = divmod(month, 12)
        _add(session, "P1", _visit(f"{2020 + year}-{m + 1:02d}-01"))
    [row] = status_grid(session, actor=BCN, centre="BCN").rows
    assert len(row.visits) == MAX_VISIT_COLUMNS
    assert row.more_visits == 2
