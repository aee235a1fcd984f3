"""The hash-chained audit trail: every write recorded, every tampering detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._chain import hmac_of, sha256_of
from tests.registry._helpers import ADMIN, BCN, LYO, TODAY, two_centres

from clears._exceptions import NotFoundError
from clears.registry import audit, migrate
from clears.registry._engine import make_engine, transaction
from clears.registry.patients import create_centre, update_patient
from clears.registry.records import add_record


def _populate(session: Session) -> None:
    two_centres(session)
    update_patient(
        session,
        actor=BCN,
        patient_id="P1",
        version=1,
        changes={"birth_year": 1970},
        reason="typo",
        today=TODAY,
    )
    add_record(
        session,
        actor=BCN,
        table="flares",
        patient_id="P1",
        values={"flare_date": "2024-01-01", "severity": "mild"},
        today=TODAY,
    )


def test_every_write_is_recorded_with_before_and_after(session: Session) -> None:
    _populate(session)
    entries = audit.history(session, actor=BCN, patient_id="P1")
    assert [(e.action, e.entity) for e in entries] == [
        ("insert", "patients"),
        ("update", "patients"),
        ("insert", "flares"),
    ]
    update = entries[1]
    assert update.actor == "dr_bcn"
    assert update.reason == "typo"
    assert json.loads(update.before or "{}").get("birth_year") is None
    assert json.loads(update.after or "{}")["birth_year"] == 1970
    assert audit.verify(session).ok


def test_entries_are_hmac_sha256_with_the_configured_key(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "k" * 40
    monkeypatch.setenv("CLEARS_AUDIT_KEY", key)
    _populate(session)
    row = session.execute(sa.text("SELECT * FROM audit_log WHERE id = 1")).mappings().one()
    assert row["prev_hash"] == "0" * 64
    assert row["hash"] == hmac_of(row, key.encode())
    second = session.execute(sa.text("SELECT * FROM audit_log WHERE id = 2")).mappings().one()
    assert second["prev_hash"] == row["hash"]
    assert "entries 1–6 keyed (HMAC-SHA256)" in audit.verify(session).to_text()


def test_without_a_key_entries_are_sha256_of_the_canonical_entry(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "resolve_audit_key", lambda *_, **__: None)
    _populate(session)
    row = session.execute(sa.text("SELECT * FROM audit_log WHERE id = 1")).mappings().one()
    assert row["prev_hash"] == "0" * 64
    assert row["hash"] == sha256_of(row)
    text = audit.verify(session).to_text()
    assert "entries 1–6 unkeyed (SHA-256)" in text
    assert "note: no entry is keyed yet" in text


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit_log SET after = REPLACE(after, '1970', '1971') WHERE id = 5", "edited"),
        ("DELETE FROM audit_log WHERE id = 2", "missing (deleted)"),
        ("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)", "head records"),
        ("UPDATE audit_log SET actor = 'someone' WHERE id = 1", "edited"),
        ("UPDATE audit_head SET last_id = last_id + 1", "head records"),
    ],
)
def test_verify_detects_edits_and_deletions(session: Session, tamper: str, expected: str) -> None:
    _populate(session)
    assert audit.verify(session).ok
    session.execute(sa.text(tamper))
    report = audit.verify(session)
    assert not report.ok
    assert expected in report.to_text()


def test_verify_detects_a_rewritten_entry_with_a_fresh_hash(session: Session) -> None:
    # Recomputing the edited entry's own hash still breaks the link of the next entry.
    _populate(session)
    row = dict(session.execute(sa.text("SELECT * FROM audit_log WHERE id = 2")).mappings().one())
    row["actor"] = "forger"
    session.execute(
        sa.text("UPDATE audit_log SET actor = 'forger', hash = :h WHERE id = 2"),
        {"h": sha256_of(row)},
    )
    assert "entry 3: does not follow" in audit.verify(session).to_text()


def test_history_is_scoped(session: Session) -> None:
    _populate(session)
    with pytest.raises(NotFoundError):
        audit.history(session, actor=LYO, patient_id="P1")


@pytest.mark.slow
def test_a_database_at_an_older_revision_is_verified_on_the_columns_it_has(
    tmp_path: Path,
) -> None:
    # revision 0003 has neither concomitant_medications (0004) nor patients.sle_onset_date
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, revision="0003")
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            create_centre(session, actor=ADMIN, code="BCN")
            report = audit.verify(session)
            assert report.ok, report.to_text()
            assert report.rows == 1
            session.execute(
                sa.text(
                    "INSERT INTO patients (patient_id, centre_key, version) VALUES ('P9', 1, 1)"
                )
            )
            text = audit.verify(session).to_text()
    finally:
        engine.dispose()
    assert "(patient P9): stored row has no audit entry (added outside clears)" in text
