"""Form status and source data verification in the registry, on SQLite and PostgreSQL.

Expected missing fields are written here from the sources (the CLASI and SLEDAI-2K item
lists of the instrument definitions, the four blood lines the safety rules read), not read
from the code under test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.instruments import clasi, sledai
from clears.registry import (
    PERMISSIONS,
    Action,
    FormStatus,
    RefusedError,
    Role,
    add_record,
    cleared_by_change,
    record_status,
    set_form_status,
    update_record,
    verification_marks,
    verify_fields,
    verify_record,
    withdraw_mark,
)
from clears.registry._models import AuditEntry

MONITOR = BCN  # the same centre; the role is what differs
BLOOD = {"anc": 2.5, "wbc": 6.0, "platelets": 250.0, "hb": 13.0}


def _complete_visit() -> dict[str, Any]:
    """Every CLASI item (0 = absent, Albrecht 2005), every SLEDAI-2K descriptor (absent),
    and the four blood counts."""
    items = dict.fromkeys((*clasi.DEFINITION.columns, *sledai.DEFINITION.columns), 0)
    return {"visit_date": "2024-05-01", **items, **BLOOD}


def _visit(session: Session, values: dict[str, Any]) -> int:
    two_centres(session)
    record = add_record(
        session, actor=BCN, table="visits", patient_id="P1", values=values, today=TODAY
    )
    return record.id


def _entries(session: Session, entity: str) -> list[AuditEntry]:
    return list(
        session.execute(
            sa.select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).scalars()
    )


def test_a_saved_record_without_a_status_is_not_set(session: Session) -> None:
    visit = _visit(session, _complete_visit())
    status = record_status(session, actor=BCN, table="visits", record_id=visit)
    assert status.status is FormStatus.not_set
    assert status.missing == ()


@pytest.mark.parametrize("role", list(Role))
def test_who_may_mark_a_form_complete_is_the_declared_table(session: Session, role: Role) -> None:
    visit = _visit(session, _complete_visit())
    allowed = role in PERMISSIONS[Action.set_form_status]
    if not allowed:
        with pytest.raises(RefusedError, match=f"the {role} role may not set_form_status"):
            set_form_status(
                session, actor=BCN, role=role, table="visits", record_id=visit, status="complete"
            )
        assert _entries(session, "form_status") == []
        return
    done = set_form_status(
        session, actor=BCN, role=role, table="visits", record_id=visit, status="complete"
    )
    assert done.status is FormStatus.complete
    assert done.set_by == BCN.user
    [entry] = _entries(session, "form_status")
    assert json.loads(entry.after or "{}")["status"] == "complete"


def test_complete_is_refused_naming_every_missing_field(session: Session) -> None:
    values = _complete_visit()
    del values["anc"], values["clasi_scalp_ery"], values["sledai_seizure"]
    visit = _visit(session, values)
    with pytest.raises(InputError) as caught:
        set_form_status(
            session,
            actor=BCN,
            role="data_entry",
            table="visits",
            record_id=visit,
            status="complete",
        )
    message = str(caught.value)
    for name in ("anc", "clasi_scalp_ery", "sledai_seizure"):
        assert name in message
    assert "wbc" not in message
    assert record_status(session, actor=BCN, table="visits", record_id=visit).status == "not_set"
    # With a reason why they stay missing, it is complete, and the reason is audited.
    set_form_status(
        session,
        actor=BCN,
        role="data_entry",
        table="visits",
        record_id=visit,
        status="complete",
        reason="no blood drawn at this visit",
    )
    [entry] = _entries(session, "form_status")
    assert entry.reason == "no blood drawn at this visit"
    assert json.loads(entry.after or "{}")["missing"] == [
        "clasi_scalp_ery",
        "sledai_seizure",
        "anc",
    ]


def test_incomplete_needs_nothing_and_verified_is_not_a_writers_status(session: Session) -> None:
    visit = _visit(session, {"visit_date": "2024-05-01"})
    done = set_form_status(
        session,
        actor=BCN,
        role="investigator",
        table="visits",
        record_id=visit,
        status="incomplete",
    )
    assert done.status is FormStatus.incomplete
    for status in ("verified", "not_set", "done"):
        with pytest.raises(InputError, match="incomplete, complete"):
            set_form_status(
                session,
                actor=BCN,
                role="investigator",
                table="visits",
                record_id=visit,
                status=status,
            )


def test_another_centres_record_is_not_found(session: Session) -> None:
    visit = _visit(session, _complete_visit())
    with pytest.raises(NotFoundError):
        set_form_status(
            session,
            actor=LYO,
            role="investigator",
            table="visits",
            record_id=visit,
            status="complete",
        )
    with pytest.raises(NotFoundError):
        verify_record(
            session, actor=LYO, role="monitor", table="visits", record_id=visit, version=1
        )
    with pytest.raises(NotFoundError):
        record_status(session, actor=LYO, table="visits", record_id=visit)


def test_a_stale_version_is_a_conflict(session: Session) -> None:
    visit = _visit(session, _complete_visit())
    with pytest.raises(ConflictError):
        verify_fields(
            session,
            actor=MONITOR,
            role="monitor",
            table="visits",
            record_id=visit,
            version=7,
            fields=["anc"],
        )


def test_only_monitors_verify_and_a_record_must_be_complete(session: Session) -> None:
    visit = _visit(session, _complete_visit())
    for role in Role:
        if role not in PERMISSIONS[Action.verify]:
            with pytest.raises(RefusedError):
                verify_fields(
                    session,
                    actor=BCN,
                    role=role,
                    table="visits",
                    record_id=visit,
                    version=1,
                    fields=["anc"],
                )
    with pytest.raises(InputError, match="not complete"):
        verify_record(
            session, actor=MONITOR, role="monitor", table="visits", record_id=visit, version=1
        )
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=visit, status="complete"
    )
    verify_record(
        session, actor=MONITOR, role="monitor", table="visits", record_id=visit, version=1
    )
    status = record_status(session, actor=BCN, table="visits", record_id=visit)
    assert status.status is FormStatus.verified
    # A writer cannot change a verified form's status.
    with pytest.raises(InputError, match="verified"):
        set_form_status(
            session,
            actor=BCN,
            role="data_entry",
            table="visits",
            record_id=visit,
            status="incomplete",
        )


def test_unknown_and_blank_fields_are_refused(session: Session) -> None:
    visit = _visit(session, _complete_visit())  # no anti-dsDNA recorded
    with pytest.raises(InputError) as caught:
        verify_fields(
            session,
            actor=MONITOR,
            role="monitor",
            table="visits",
            record_id=visit,
            version=1,
            fields=["ancc", "anti_dsdna"],
        )
    text = str(caught.value)
    assert "ancc" in text
    assert "is not a field" in text
    assert "anti_dsdna" in text
    assert "blank" in text
    assert _entries(session, "verification") == []


def test_an_edit_clears_the_verification_of_the_changed_field_and_says_so(
    session: Session,
) -> None:
    visit = _visit(session, _complete_visit())
    marks = verify_fields(
        session,
        actor=MONITOR,
        role="monitor",
        table="visits",
        record_id=visit,
        version=1,
        fields=["anc", "wbc"],
    )
    assert {m.field for m in marks} == {"anc", "wbc"}
    assert all(m.record_version == 1 and m.verified_by == MONITOR.user for m in marks)
    after = update_record(
        session,
        actor=ADMIN,
        table="visits",
        record_id=visit,
        version=1,
        changes={"anc": 0.9},
        reason="transcription error",
        today=TODAY,
    )
    notices = cleared_by_change(
        session, actor=BCN, table="visits", record_id=visit, version=after.version
    )
    assert len(notices) == 1
    assert notices[0].startswith(f"the verification of anc by {MONITOR.user} on ")
    assert notices[0].endswith("was cleared by this change")
    now = verification_marks(session, actor=BCN, table="visits", record_id=visit)
    assert {m.field for m in now if m.active} == {"wbc"}
    [cleared] = [m for m in now if not m.active]
    assert (cleared.field, cleared.cleared_by, cleared.cleared_version) == (
        "anc",
        ADMIN.user,
        after.version,
    )
    entries = _entries(session, "verification")
    assert [e.action for e in entries] == ["insert", "insert", "update"]
    assert "version 2" in (entries[-1].reason or "")


def test_an_edit_of_a_verified_record_takes_it_back_to_complete(session: Session) -> None:
    visit = _visit(session, _complete_visit())
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=visit, status="complete"
    )
    verify_record(
        session, actor=MONITOR, role="monitor", table="visits", record_id=visit, version=1
    )
    after = update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=visit,
        version=1,
        changes={"hb": 12.0},
        reason="lab report corrected",
        today=TODAY,
    )
    status = record_status(session, actor=BCN, table="visits", record_id=visit)
    assert status.status is FormStatus.complete
    [notice] = cleared_by_change(
        session, actor=BCN, table="visits", record_id=visit, version=after.version
    )
    assert "the whole record" in notice
    # Blanking a required field makes it incomplete.
    update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=visit,
        version=after.version,
        changes={"hb": None},
        reason="value belonged to another patient",
        today=TODAY,
    )
    assert record_status(session, actor=BCN, table="visits", record_id=visit).status == "incomplete"


def test_verifying_every_required_field_verifies_the_record(session: Session) -> None:
    visit = _visit(session, _complete_visit())
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=visit, status="complete"
    )
    required = ["visit_date", *clasi.DEFINITION.columns, *sledai.DEFINITION.columns, *BLOOD]
    required.remove("clasi_dysp_12m")  # asked only when dyspigmentation is present
    verify_fields(
        session,
        actor=MONITOR,
        role="monitor",
        table="visits",
        record_id=visit,
        version=1,
        fields=required[:-1],
    )
    assert record_status(session, actor=BCN, table="visits", record_id=visit).status == "complete"
    verify_fields(
        session,
        actor=MONITOR,
        role="monitor",
        table="visits",
        record_id=visit,
        version=1,
        fields=required[-1:],
    )
    assert record_status(session, actor=BCN, table="visits", record_id=visit).status == "verified"
    withdraw_mark(
        session, actor=MONITOR, role="monitor", table="visits", record_id=visit, field="hb"
    )
    assert record_status(session, actor=BCN, table="visits", record_id=visit).status == "complete"


def test_a_deleted_record_takes_its_status_along(session: Session) -> None:
    from clears.registry import delete_record

    visit = _visit(session, _complete_visit())
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=visit, status="complete"
    )
    delete_record(
        session,
        actor=BCN,
        table="visits",
        record_id=visit,
        version=1,
        reason="duplicate",
        today=TODAY,
    )
    left = session.execute(sa.text("SELECT count(*) FROM form_statuses")).scalar_one()
    assert left == 0
    assert [e.action for e in _entries(session, "form_status")] == ["insert", "delete"]


def test_a_rename_keeps_the_statuses_and_marks(session: Session) -> None:
    from clears.registry import get_patient, rename_patient

    visit = _visit(session, _complete_visit())
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=visit, status="complete"
    )
    verify_fields(
        session,
        actor=MONITOR,
        role="monitor",
        table="visits",
        record_id=visit,
        version=1,
        fields=["anc"],
    )
    rename_patient(session, actor=ADMIN, old="P1", new="P1-B", reason="legacy id")
    patient = get_patient(session, actor=BCN, patient_id="P1-B")
    from clears.registry import timeline

    [moved] = timeline(session, actor=BCN, patient_id=patient.patient_id)["visits"]
    assert moved.id != visit
    assert record_status(session, actor=BCN, table="visits", record_id=moved.id).status == (
        "complete"
    )
    marks = verification_marks(session, actor=BCN, table="visits", record_id=moved.id)
    assert [(m.field, m.active) for m in marks] == [("anc", True)]


def test_the_audit_trail_still_verifies_after_statuses_marks_and_clearings(
    session: Session,
) -> None:
    from clears.registry import audit

    visit = _visit(session, _complete_visit())
    set_form_status(
        session, actor=BCN, role="data_entry", table="visits", record_id=visit, status="complete"
    )
    verify_record(
        session, actor=MONITOR, role="monitor", table="visits", record_id=visit, version=1
    )
    update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=visit,
        version=1,
        changes={"wbc": 6.5},
        reason="lab report corrected",
        today=TODAY,
    )
    report = audit.verify(session)
    assert report.ok, report.to_text()
    # status set, verified; mark inserted and cleared; status back to complete
    assert [e.action for e in _entries(session, "form_status")] == ["insert", "update", "update"]
    assert [e.action for e in _entries(session, "verification")] == ["insert", "update"]
