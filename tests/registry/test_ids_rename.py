"""``rename_patient`` and ``clears patients rename``: the audited fix for a bad id (H-INT-36).

A legacy patient (inserted with SQL, as an old registry may hold one) with records gets a
valid id: every record moves with its values, the audit trail still verifies, and each id's
history tells what happened and why.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests._cli import clears
from tests.registry._helpers import ADMIN, BCN, TODAY, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.registry import audit
from clears.registry._engine import make_engine, transaction
from clears.registry._models import Centre, patients_table
from clears.registry.patients import get_patient, list_patients, rename_patient, timeline
from clears.registry.records import add_record

LEGACY = "P/04"


def _legacy_patient(session: Session, patient_id: str = LEGACY) -> None:
    """Patient ``patient_id`` at BCN, inserted bypassing every check, with audited records."""
    key = session.execute(sa.select(Centre.id).where(Centre.code == "BCN")).scalar_one()
    session.execute(
        sa.insert(patients_table).values(
            patient_id=patient_id, centre_key=key, version=1, sex="female"
        )
    )
    row = session.execute(
        sa.select(patients_table.c.id).where(patients_table.c.patient_id == patient_id)
    ).scalar_one()
    audit.append(
        session,
        actor=ADMIN,
        changes=[
            audit.Change(
                "insert", "patients", row, patient_id, None, {"centre": "BCN", "sex": "female"}
            )
        ],
    )
    add_record(
        session,
        actor=ADMIN,
        table="treatments",
        patient_id=patient_id,
        values={"drug": "lenalidomide", "start_date": "2024-01-01", "dose_mg_per_day": 10},
        today=TODAY,
    )
    add_record(
        session,
        actor=ADMIN,
        table="visits",
        patient_id=patient_id,
        values={"visit_date": "2024-02-01", "clasi_a": 9},
        today=TODAY,
    )


def _values(session: Session, patient_id: str) -> dict[str, list[dict[str, object]]]:
    found = timeline(session, actor=ADMIN, patient_id=patient_id)
    return {table: [dict(r.data) for r in records] for table, records in found.items()}


@pytest.mark.slow
def test_a_legacy_id_is_renamed_with_every_record_and_the_trail_verifies(
    session: Session,
) -> None:
    two_centres(session)
    _legacy_patient(session)
    before = _values(session, LEGACY)
    assert (
        rename_patient(session, actor=ADMIN, old=LEGACY, new=" P04 ", reason="legacy id with '/'")
        == "P04"
    )
    assert _values(session, "P04") == before
    assert list_patients(session, actor=ADMIN) == ["P04", "P1", "P2"]
    with pytest.raises(NotFoundError):
        get_patient(session, actor=ADMIN, patient_id=LEGACY)
    report = audit.verify(session)
    assert report.ok, report.problems
    new = audit.history(session, actor=ADMIN, patient_id="P04")
    assert {(e.action, e.entity) for e in new} == {
        ("insert", "patients"),
        ("insert", "treatments"),
        ("insert", "visits"),
    }
    assert {e.reason for e in new} == {"legacy id with '/'"}
    deleted = session.execute(
        sa.select(audit.AuditEntry.entity).where(
            audit.AuditEntry.patient_id == LEGACY, audit.AuditEntry.action == "delete"
        )
    ).scalars()
    assert sorted(deleted) == ["patients", "treatments", "visits"]


def test_a_rename_may_change_only_the_letter_case(session: Session) -> None:
    two_centres(session)
    assert rename_patient(session, actor=ADMIN, old="P1", new="p1", reason="site style") == "p1"
    assert list_patients(session, actor=ADMIN) == ["P2", "p1"]
    assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("new", "reason", "error", "says"),
    [
        ("P 4", "r", InputError, "contains a space"),
        ("p2", "r", ConflictError, "'P2' is already registered"),
        ("P04", " ", InputError, "reason: is required"),
        ("P/04", "r", InputError, "is the patient's identifier already"),
    ],
)
def test_a_rename_is_refused_with_the_reason_and_nothing_changes(
    session: Session, new: str, reason: str, error: type[Exception], says: str
) -> None:
    two_centres(session)
    _legacy_patient(session)
    if new == LEGACY:  # the same id: only reachable for an id the alphabet allows
        new, says = "P1", "is the patient's identifier already"
        with pytest.raises(error, match=says):
            rename_patient(session, actor=ADMIN, old="P1", new=new, reason=reason)
    else:
        with pytest.raises(error, match=says):
            rename_patient(session, actor=ADMIN, old=LEGACY, new=new, reason=reason)
    assert list_patients(session, actor=ADMIN) == [LEGACY, "P1", "P2"]


def test_a_patient_of_another_centre_cannot_be_renamed(session: Session) -> None:
    two_centres(session)
    with pytest.raises(NotFoundError):
        rename_patient(session, actor=BCN, old="P2", new="P02", reason="r")


@pytest.mark.slow
def test_clears_patients_rename(
    fresh_sqlite: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(fresh_sqlite)
    with transaction(engine) as session:
        two_centres(session)
        _legacy_patient(session)
    assert clears(monkeypatch, "patients", "rename", LEGACY, "P04", "--reason", "legacy",
                  "--db", fresh_sqlite) == 0  # fmt: skip
    assert "renamed patient 'P/04' to 'P04'" in capsys.readouterr().out
    assert clears(monkeypatch, "patients", "rename", "P04", "P1", "--reason", "x",
                  "--db", fresh_sqlite) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line, no traceback
    assert "'P1' is already registered" in err
    with transaction(engine) as session:
        assert list_patients(session, actor=ADMIN) == ["P04", "P1", "P2"]
        assert audit.verify(session).ok
    engine.dispose()
