"""Electronic signatures and locks (clears.registry.signatures, clears.registry._locks).

21 CFR Part 11: §11.50 (name, time and meaning shown), §11.70 (signature linked to the
record), §11.200(a) (the password entered again to sign), §11.10(e) (audit trail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._helpers import ADMIN, TODAY, two_centres
from tests.registry._own_db import own_database

from clears._exceptions import ConflictError, InputError, NotFoundError
from clears.registry import PERMISSIONS, Account, Action, RefusedError, Role, SignInLimiter
from clears.registry._engine import make_engine, transaction
from clears.registry._models import AuditEntry, signatures_table
from clears.registry.accounts import add_account, get_account, set_full_name
from clears.registry.patients import get_patient, rename_patient, update_patient
from clears.registry.records import add_record, delete_record, lock_visit, update_record
from clears.registry.signatures import (
    MEANINGS,
    RecordLockedError,
    TooManyAttemptsError,
    WrongPasswordError,
    linked,
    list_signatures,
    sign,
    sign_limited,
    unlock,
)

PASSWORD = "correct horse battery staple"
AT = dt.datetime(2026, 12, 3, 10, 15, 30, tzinfo=dt.UTC)


def _account(session: Session, role: Role, centres: frozenset[str] = frozenset({"BCN"})) -> Account:
    name = f"{role.value}_{uuid.uuid4().hex[:6]}"
    return add_account(
        session, actor=ADMIN, username=name, role=role.value, centres=centres, password=PASSWORD
    )


def _visit(session: Session, account: Account, day: dt.date = TODAY) -> Any:
    return add_record(
        session,
        actor=account.actor(),
        table="visits",
        patient_id="P1",
        values={"visit_date": day, "clasi_a": 7, "hb": 12.5},
        today=TODAY,
    )


def _sign_visit(session: Session, account: Account, visit: Any, **kwargs: Any) -> Any:
    given: dict[str, Any] = {"password": PASSWORD, "meaning": "approval", "at": AT} | kwargs
    return sign(
        session,
        account=account,
        table="visits",
        record_id=visit.id,
        version=visit.version,
        **given,
    )


def _count(session: Session) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(signatures_table)).scalar())


def test_meanings_have_their_wording() -> None:
    # §11.50(a)(3): the meaning (review, approval, responsibility, authorship) is shown.
    assert [m.code for m in MEANINGS] == ["authorship", "review", "approval"]
    assert all(m.statement.endswith(".") and m.word for m in MEANINGS)


def test_an_investigator_signs_a_visit_and_it_is_locked(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    visit = _visit(session, investigator)
    made = _sign_visit(session, investigator, visit)
    assert (made.signer, made.signer_name, made.signer_role) == (
        investigator.username,
        investigator.username,  # the account has no full name: the user name is shown
        "investigator",
    )
    assert made.signed_at == AT
    assert (made.table, made.record_id, made.record_version) == ("visits", visit.id, 1)
    assert made.manifestation == (
        f"Signed by {investigator.username} (investigator) on 2026-12-03 10:15 UTC — approval"
    )
    # the hash of the signed values, computed here from the values written above
    # clasi_a is a number column of the cohort schema: stored and canonicalised as 7.0
    values = {"visit_date": TODAY.isoformat(), "clasi_a": 7.0, "hb": 12.5}
    stored = {k: v for k, v in visit.data.items() if k != "locked"}
    assert {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in stored.items()} == (
        values
    )
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert made.record_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert linked(session, actor=investigator.actor(), signature_id=made.id)
    listed = list_signatures(session, actor=investigator.actor(), patient_id="P1")
    assert [s.id for s in listed] == [made.id]


def test_a_signed_visit_refuses_update_and_delete_naming_the_signer(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    visit = _visit(session, investigator)
    _sign_visit(session, investigator, visit)
    expected = (
        f"visit {visit.id} was signed by {investigator.username} on 2026-12-03 10:15 UTC "
        "(approval); an administrator must unlock it, giving a reason"
    )
    before = _count(session), session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar()
    for actor in (investigator.actor(), ADMIN):  # an administrator too must unlock first
        with pytest.raises(RecordLockedError) as refused:
            update_record(
                session,
                actor=actor,
                table="visits",
                record_id=visit.id,
                version=2,
                changes={"hb": 11.0},
                reason="typo",
                today=TODAY,
            )
        assert refused.value.problems[0].message == expected
        with pytest.raises(RecordLockedError, match="was signed by"):
            delete_record(
                session,
                actor=actor,
                table="visits",
                record_id=visit.id,
                version=2,
                reason="wrong patient",
                today=TODAY,
            )
    after = _count(session), session.execute(sa.select(sa.func.count(AuditEntry.id))).scalar()
    assert after == before  # nothing changed, nothing audited


def test_a_locked_visit_without_signature_is_refused_too(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    visit = _visit(session, investigator)
    lock_visit(session, actor=investigator.actor(), record_id=visit.id, version=1, today=TODAY)
    with pytest.raises(RecordLockedError, match=f"visit {visit.id} is locked; an admin"):
        update_record(
            session,
            actor=investigator.actor(),
            table="visits",
            record_id=visit.id,
            version=2,
            changes={"hb": 11.0},
            today=TODAY,
        )


def test_a_wrong_password_is_refused_and_nothing_is_stored(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    visit = _visit(session, investigator)
    with pytest.raises(WrongPasswordError, match="password: is not your password"):
        _sign_visit(session, investigator, visit, password="wrong horse battery staple")
    assert _count(session) == 0
    update_record(  # still editable
        session,
        actor=investigator.actor(),
        table="visits",
        record_id=visit.id,
        version=1,
        changes={"hb": 11.0},
        today=TODAY,
    )


@pytest.mark.parametrize("role", list(Role))
def test_who_may_sign_is_the_declared_table(session: Session, role: Role) -> None:
    two_centres(session)
    writer = _account(session, Role.investigator)
    visit = _visit(session, writer)
    signer = _account(session, role)
    if role in PERMISSIONS[Action.sign]:
        _sign_visit(session, signer, visit)
        assert _count(session) == 1
    else:
        with pytest.raises(RefusedError, match=f"the {role} role may not sign records"):
            _sign_visit(session, signer, visit)
        assert _count(session) == 0


def test_monitors_and_data_entry_do_not_sign() -> None:
    # The policy of the issue, written here independently of the table.
    assert Role.monitor not in PERMISSIONS[Action.sign]
    assert Role.data_entry not in PERMISSIONS[Action.sign]
    assert PERMISSIONS[Action.unlock] == frozenset({Role.administrator})


def test_another_centre_is_not_found(session: Session) -> None:
    two_centres(session)
    writer = _account(session, Role.investigator)
    visit = _visit(session, writer)
    lyon = _account(session, Role.investigator, frozenset({"LYO"}))
    with pytest.raises(NotFoundError):
        _sign_visit(session, lyon, visit)
    admin_lyon = _account(session, Role.administrator, frozenset({"LYO"}))
    _sign_visit(session, writer, visit)
    with pytest.raises(NotFoundError):
        unlock(session, account=admin_lyon, table="visits", record_id=visit.id, reason="x")


def test_an_older_version_is_not_signed(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    visit = _visit(session, investigator)
    update_record(
        session,
        actor=investigator.actor(),
        table="visits",
        record_id=visit.id,
        version=1,
        changes={"hb": 11.0},
        today=TODAY,
    )
    with pytest.raises(ConflictError, match="changed since you read it"):
        _sign_visit(session, investigator, visit)  # read at version 1, now 2
    assert _count(session) == 0


def test_unlock_by_an_administrator_with_a_reason_allows_edits_again(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    admin = _account(session, Role.administrator)
    visit = _visit(session, investigator)
    made = _sign_visit(session, investigator, visit)
    for blank in ("", "   "):
        with pytest.raises(InputError, match="reason: is required to unlock"):
            unlock(session, account=admin, table="visits", record_id=visit.id, reason=blank)
    with pytest.raises(RefusedError, match="the investigator role may not unlock"):
        unlock(session, account=investigator, table="visits", record_id=visit.id, reason="x")
    withdrawn = unlock(
        session, account=admin, table="visits", record_id=visit.id, reason="lab value corrected"
    )
    assert [s.id for s in withdrawn] == [made.id]
    assert withdrawn[0].withdrawn_by == admin.username
    assert withdrawn[0].withdrawal_reason == "lab value corrected"
    assert not withdrawn[0].active
    # the signature stays in the history, marked withdrawn
    listed = list_signatures(session, actor=admin.actor(), patient_id="P1")
    assert [(s.id, s.active) for s in listed] == [(made.id, False)]
    changed = update_record(
        session,
        actor=investigator.actor(),
        table="visits",
        record_id=visit.id,
        version=3,  # 1 added, 2 locked by the signature, 3 unlocked
        changes={"hb": 11.0},
        today=TODAY,
    )
    assert changed.data["hb"] == 11.0
    assert not linked(session, actor=admin.actor(), signature_id=made.id)  # values moved on
    with pytest.raises(InputError, match="is not locked"):
        unlock(session, account=admin, table="visits", record_id=visit.id, reason="again")


def test_every_step_is_audited(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    admin = _account(session, Role.administrator)
    visit = _visit(session, investigator)
    first = session.execute(sa.select(sa.func.max(AuditEntry.id))).scalar_one()
    made = _sign_visit(session, investigator, visit)
    unlock(session, account=admin, table="visits", record_id=visit.id, reason="corrected")
    entries = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.id > first).order_by(AuditEntry.id)
    ).all()
    assert [(e.actor, e.action, e.entity, e.entity_id, e.reason) for e in entries] == [
        (investigator.username, "insert", "signatures", made.id, None),
        (investigator.username, "update", "visits", visit.id, "signed (approval)"),
        (admin.username, "update", "signatures", made.id, "corrected"),
        (admin.username, "update", "visits", visit.id, "corrected"),
    ]
    inserted = json.loads(entries[0].after or "{}")
    assert (inserted["meaning"], inserted["signer"]) == ("approval", investigator.username)
    assert json.loads(entries[1].after or "{}")["locked"] is True
    assert json.loads(entries[2].after or "{}")["withdrawn_by"] == admin.username


def test_a_signed_patient_record_locks_the_patient_and_all_their_records(
    session: Session,
) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    admin = _account(session, Role.administrator)
    visit = _visit(session, investigator)
    patient = get_patient(session, actor=investigator.actor(), patient_id="P1")
    made = sign(
        session,
        account=investigator,
        password=PASSWORD,
        table="patients",
        record_id=patient.id,
        version=patient.version,
        meaning="review",
        at=AT,
    )
    assert made.record == "the record of patient P1"
    # the hash covers the patient row and each record, by table and id
    content = {
        "patient": {"sex": "female"},
        "treatments": [],
        "visits": [
            {"id": visit.id, "values": {"visit_date": "2024-06-01", "clasi_a": 7.0, "hb": 12.5}}
        ],
        "adverse_events": [],
        "flares": [],
        "concomitant_medications": [],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert made.record_sha256 == hashlib.sha256(text.encode()).hexdigest()
    actor = investigator.actor()
    refusals = {
        "baseline": lambda: update_patient(
            session, actor=actor, patient_id="P1", version=1, changes={"sex": "male"}, today=TODAY
        ),
        "visit": lambda: update_record(
            session,
            actor=actor,
            table="visits",
            record_id=visit.id,
            version=1,
            changes={"hb": 1.0},
            today=TODAY,
        ),
        "new record": lambda: add_record(
            session,
            actor=actor,
            table="flares",
            patient_id="P1",
            values={"flare_date": TODAY, "severity": "mild"},
            today=TODAY,
        ),
    }
    for write in refusals.values():
        with pytest.raises(RecordLockedError, match="the record of patient P1 was signed by"):
            write()
    with pytest.raises(InputError, match="unlock the patient's record instead"):
        unlock(session, account=admin, table="visits", record_id=visit.id, reason="x")
    unlock(session, account=admin, table="patients", record_id=patient.id, reason="correction")
    refusals["visit"]()  # editable again


@pytest.fixture(params=["sqlite", "postgresql"])
def own_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated database of the test's own, with real commits."""
    with own_database(request, f"sqlite:///{tmp_path / 'sign.db'}") as url:
        built = make_engine(url)
        yield built
        built.dispose()


def test_a_wrong_signing_password_counts_as_a_failed_sign_in(own_engine: sa.Engine) -> None:
    engine = own_engine
    with transaction(engine) as session:
        two_centres(session)
        investigator = _account(session, Role.investigator)
        visit = _visit(session, investigator)
    limiter = SignInLimiter(engine, limit=3, window_seconds=300)
    kwargs: dict[str, Any] = {
        "address": "10.0.0.9",
        "account": investigator,
        "table": "visits",
        "record_id": visit.id,
        "version": visit.version,
        "meaning": "approval",
    }
    for _ in range(3):
        with pytest.raises(WrongPasswordError):
            sign_limited(engine, limiter, password="not the password!", **kwargs)
    # the address is refused as a sign-in from it would be, even with the right password
    assert limiter.wait_seconds(name=f"user:{investigator.username}", address="ip:10.0.0.9")
    with pytest.raises(TooManyAttemptsError, match="wait"):
        sign_limited(engine, limiter, password=PASSWORD, **kwargs)
    with transaction(engine, write=False) as session:
        assert _count(session) == 0
    # from another address the right password signs, and the failures are forgotten
    made = sign_limited(engine, limiter, password=PASSWORD, **(kwargs | {"address": "b"}))
    assert made.active


def test_a_patient_with_signatures_is_not_renamed(session: Session) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    admin = _account(session, Role.administrator)
    visit = _visit(session, investigator)
    _sign_visit(session, investigator, visit)
    unlock(session, account=admin, table="visits", record_id=visit.id, reason="corrected")
    with pytest.raises(ConflictError, match="'P1' has 1 electronic signature"):
        rename_patient(session, actor=ADMIN, old="P1", new="P9", reason="typed wrongly")
    assert get_patient(session, actor=ADMIN, patient_id="P1").patient_id == "P1"
    rename_patient(session, actor=ADMIN, old="P2", new="P8", reason="typed wrongly")  # unsigned


def test_a_signature_prints_the_signers_full_name_set_by_an_administrator(
    session: Session,
) -> None:
    # §11.50(a)(1): the manifestation holds the printed name of the signer.
    two_centres(session)
    investigator = _account(session, Role.investigator)
    first = _sign_visit(session, investigator, _visit(session, investigator))
    assert first.signer_name == investigator.username  # no full name yet: the user name
    named = set_full_name(
        session, actor=ADMIN, username=investigator.username, full_name="  Ana García Pérez "
    )
    assert named.full_name == "Ana García Pérez"
    second = _sign_visit(session, named, _visit(session, named, TODAY - dt.timedelta(days=1)))
    assert second.signer_name == "Ana García Pérez"
    assert second.manifestation.startswith("Signed by Ana García Pérez (investigator) on ")
    assert first.signer_name == investigator.username  # an earlier signature keeps its name
    entries = session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    changed = [e for e in entries if e.entity == "users" and e.action == "update"]
    assert json.loads(changed[-1].after or "{}")["full_name"] == "Ana García Pérez"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201, "Ana\nSigned by someone else"])
def test_a_full_name_that_cannot_be_printed_is_refused(session: Session, bad: str) -> None:
    two_centres(session)
    investigator = _account(session, Role.investigator)
    with pytest.raises(InputError, match="full_name") as caught:
        set_full_name(session, actor=ADMIN, username=investigator.username, full_name=bad)
    assert caught.value.problems[0].allowed == "1 to 200 printable characters"
    assert get_account(session, actor=ADMIN, username=investigator.username).full_name is None
