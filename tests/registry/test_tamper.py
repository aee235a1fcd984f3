"""Tampering with the registry outside clears is evident to ``verify`` (SQLite and PostgreSQL).

Each test changes the database with plain SQL, as someone with database access but without
the audit key could, and checks the problem ``verify`` reports. The keyed hashes are
recomputed here independently (hashlib/hmac over the documented payload), never with clears'
own functions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.registry._chain import hmac_of, sha256_of
from tests.registry._helpers import ADMIN, BCN, TODAY, two_centres

import clears.cohort
from clears.registry import audit
from clears.registry.audit_key import AuditKey, AuditKeyError
from clears.registry.importer import import_cohort
from clears.registry.patients import update_patient
from clears.registry.records import add_record, delete_record, update_record

EXAMPLE = Path(clears.cohort.__file__).parents[3] / "examples" / "cohort"
KEY = "tamper-suite-key-" + "0123456789abcdef" * 2
GENESIS = "0" * 64


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both backends write keyed entries with the same configured key."""
    monkeypatch.setenv("CLEARS_AUDIT_KEY", KEY)


def _registry(session: Session) -> dict[str, int]:
    """Two centres and patients, a visit added and edited, a flare added and deleted."""
    two_centres(session)
    visit = add_record(
        session,
        actor=BCN,
        table="visits",
        patient_id="P1",
        values={"visit_date": "2024-05-01", "hb": 12.5},
        today=TODAY,
    )
    update_record(
        session,
        actor=BCN,
        table="visits",
        record_id=visit.id,
        version=visit.version,
        changes={"hb": 12.8},
        reason="lab report corrected",
        today=TODAY,
    )
    flare = add_record(
        session,
        actor=BCN,
        table="flares",
        patient_id="P1",
        values={"flare_date": "2024-04-01", "severity": "mild"},
        today=TODAY,
    )
    delete_record(
        session,
        actor=BCN,
        table="flares",
        record_id=flare.id,
        version=flare.version,
        reason="entered twice",
        today=TODAY,
    )
    return {"visit": visit.id, "flare": flare.id}


def _sql(session: Session, statement: str, **params: Any) -> None:
    session.execute(sa.text(statement), params)


def _entries(session: Session) -> list[dict[str, Any]]:
    query = sa.text("SELECT * FROM audit_log ORDER BY id")
    return [dict(row) for row in session.execute(query).mappings()]


def _problems(session: Session, **kwargs: Any) -> str:
    report = audit.verify(session, **kwargs)
    assert not report.ok
    return report.to_text()


@pytest.mark.slow
def test_an_untampered_registry_with_edits_deletes_and_an_import_is_intact(
    session: Session,
) -> None:
    _registry(session)
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    update_patient(session, actor=ADMIN, patient_id="P01", version=1, changes={"birth_year": 1971})
    tables = ("centres", "patients", "treatments", "visits", "adverse_events", "flares")
    tables += ("concomitant_medications",)
    stored = sum(session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables)
    entries = session.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    report = audit.verify(session)
    assert report.ok, report.to_text()
    assert report.rows == stored
    assert report.legacy_rows == 0
    assert report.to_text().startswith(f"audit trail intact: {entries} entries")
    assert f"entries 1–{entries} keyed (HMAC-SHA256)" in report.to_text()


@pytest.mark.slow
def test_a_visit_edited_in_the_table(session: Session) -> None:
    ids = _registry(session)
    _sql(session, "UPDATE visits SET hb = 9.9 WHERE id = :id", id=ids["visit"])
    text = _problems(session)
    assert f"visits {ids['visit']} (patient P1): hb stored 9.9, audited 12.8" in text
    assert "(changed outside clears)" in text


@pytest.mark.slow
def test_a_row_inserted_in_the_table(session: Session) -> None:
    ids = _registry(session)
    key = session.execute(sa.text("SELECT id FROM patients WHERE patient_id = 'P2'")).scalar()
    _sql(
        session,
        "INSERT INTO flares (id, patient_key, flare_date, severity, version) "
        "VALUES (:id, :key, '2024-03-03', 'severe', 1)",
        id=ids["flare"] + 100,
        key=key,
    )
    new = ids["flare"] + 100
    text = _problems(session)
    assert (
        f"flares {new} (patient P2): stored row has no audit entry (added outside clears)" in text
    )


@pytest.mark.slow
def test_a_row_deleted_from_the_table(session: Session) -> None:
    ids = _registry(session)
    _sql(session, "DELETE FROM visits WHERE id = :id", id=ids["visit"])
    text = _problems(session)
    assert (
        f"visits {ids['visit']} (patient P1): the row is gone but no audit entry deletes it "
        "(deleted outside clears)"
    ) in text


@pytest.mark.slow
def test_a_deleted_row_restored(session: Session) -> None:
    ids = _registry(session)
    key = session.execute(sa.text("SELECT id FROM patients WHERE patient_id = 'P1'")).scalar()
    _sql(
        session,
        "INSERT INTO flares (id, patient_key, flare_date, severity, version) "
        "VALUES (:id, :key, '2024-04-01', 'mild', 1)",
        id=ids["flare"],
        key=key,
    )
    text = _problems(session)
    assert f"flares {ids['flare']} (patient P1): stored, but its audit entries delete it" in text


@pytest.mark.slow
def test_a_row_moved_to_another_patient(session: Session) -> None:
    ids = _registry(session)
    _sql(
        session,
        "UPDATE visits SET patient_key = (SELECT id FROM patients WHERE patient_id = 'P2') "
        "WHERE id = :id",
        id=ids["visit"],
    )
    text = _problems(session)
    assert f'visits {ids["visit"]} (patient P2): patient stored "P2", audited "P1"' in text


@pytest.mark.slow
def test_a_patient_row_deleted_with_its_records(session: Session) -> None:
    ids = _registry(session)
    _sql(session, "DELETE FROM patients WHERE patient_id = 'P1'")  # its visit goes with it
    text = _problems(session)
    assert "(patient P1): the row is gone but no audit entry deletes it" in text
    assert f"visits {ids['visit']} (patient P1): the row is gone" in text


@pytest.mark.slow
def test_last_entries_deleted_and_the_head_moved_back(session: Session) -> None:
    _registry(session)
    anchor = audit.take_anchor(session)
    entries = _entries(session)
    keep = entries[-3]  # the flare's insert and delete entries go; its row is gone anyway
    _sql(session, "DELETE FROM audit_log WHERE id > :id", id=keep["id"])
    _sql(
        session,
        "UPDATE audit_head SET last_id = :id, last_hash = :h",
        id=keep["id"],
        h=keep["hash"],
    )
    assert audit.verify(session).ok  # chain, head and tables agree: only the anchor tells
    text = _problems(session, anchor=anchor)
    assert (
        f"the trail ends at entry {keep['id']} but the anchor of {anchor.at} recorded "
        f"{len(entries)} entries (entries deleted from the end, the log rewound)"
    ) in text


@pytest.mark.slow
def test_last_entries_deleted_while_their_rows_remain(session: Session) -> None:
    ids = _registry(session)
    entries = _entries(session)
    update = next(e for e in entries if e["action"] == "update" and e["entity"] == "visits")
    keep = entries[update["id"] - 2]  # the entry before the visit's update
    _sql(session, "DELETE FROM audit_log WHERE id > :id", id=keep["id"])
    _sql(
        session,
        "UPDATE audit_head SET last_id = :id, last_hash = :h",
        id=keep["id"],
        h=keep["hash"],
    )
    text = _problems(session)
    assert f"visits {ids['visit']} (patient P1): hb stored 12.8, audited 12.5" in text


@pytest.mark.slow
def test_the_log_emptied_with_its_head(session: Session) -> None:
    _registry(session)
    anchor = audit.take_anchor(session)
    _sql(session, "DELETE FROM audit_log")
    _sql(session, "UPDATE audit_head SET last_id = 0, last_hash = :h", h=GENESIS)
    text = _problems(session)
    assert "(patient P1): stored row has no audit entry (added outside clears)" in text
    assert re.search(r"centres \d+ \(no patient\): stored row has no audit entry", text)
    with_anchor = _problems(session, anchor=anchor)
    assert (
        f"the audit log is empty but the anchor of {anchor.at} recorded "
        f"{anchor.entries} entries (log emptied)"
    ) in with_anchor


def _rechain(session: Session, rows: list[dict[str, Any]], seal: Any, start: int) -> None:
    """Rewrite entries from ``start`` on with fresh hashes, and the head, as a forger would."""
    previous = rows[start - 2]["hash"] if start > 1 else GENESIS
    for row in rows[start - 1 :]:
        row["prev_hash"] = previous
        row["hash"] = seal(row)
        _sql(
            session,
            "UPDATE audit_log SET after = :after, prev_hash = :p, hash = :h WHERE id = :id",
            after=row["after"],
            p=row["prev_hash"],
            h=row["hash"],
            id=row["id"],
        )
        previous = row["hash"]
    _sql(
        session,
        "UPDATE audit_head SET last_id = :id, last_hash = :h",
        id=rows[-1]["id"],
        h=previous,
    )


def _forge_visit(session: Session, visit: int) -> tuple[list[dict[str, Any]], int]:
    """Set the visit's haemoglobin to 9.9 in its row and in every entry of it."""
    _sql(session, "UPDATE visits SET hb = 9.9 WHERE id = :id", id=visit)
    rows = _entries(session)
    first = None
    for row in rows:
        if row["entity"] == "visits" and row["entity_id"] == visit:
            after = json.loads(row["after"])
            after["hb"] = 9.9
            row["after"] = json.dumps(after, sort_keys=True, separators=(",", ":"))
            first = first or row["id"]
    assert first is not None
    return rows, first


def test_data_rewritten_and_the_chain_recomputed_without_the_key(session: Session) -> None:
    ids = _registry(session)
    rows, first = _forge_visit(session, ids["visit"])
    _rechain(session, rows, sha256_of, first)
    text = _problems(session)
    assert f"entry {first}: unkeyed (SHA-256) after keyed entry 1" in text
    assert "hb stored" not in text  # the forged trail and the table agree


@pytest.mark.slow
def test_the_whole_chain_recomputed_without_the_key_is_caught_by_the_anchor(
    session: Session,
) -> None:
    ids = _registry(session)
    anchor = audit.take_anchor(session)
    assert anchor.keyed
    rows, _ = _forge_visit(session, ids["visit"])
    _rechain(session, rows, sha256_of, 1)
    plain = audit.verify(session)
    assert plain.ok  # indistinguishable from an old unkeyed trail, except that it says so
    assert f"entries 1–{len(rows)} unkeyed (SHA-256)" in plain.to_text()
    text = _problems(session, anchor=anchor)
    assert f"entry {anchor.entries} differs from the anchor of {anchor.at}" in text


@pytest.mark.slow
def test_the_chain_recomputed_with_a_guessed_key(session: Session) -> None:
    ids = _registry(session)
    rows, first = _forge_visit(session, ids["visit"])
    _rechain(session, rows, lambda row: hmac_of(row, "guessed-" + "x" * 32), first)
    text = _problems(session)
    assert f"entry {first}: content does not match its hash (edited)" in text


def test_an_entry_edited(session: Session) -> None:
    _registry(session)
    _sql(session, "UPDATE audit_log SET reason = 'no reason' WHERE id = 6")
    text = _problems(session)
    assert "entry 6: content does not match its hash (edited)" in text


def test_without_the_key_keyed_entries_are_not_verified(session: Session) -> None:
    _registry(session)
    entries = len(_entries(session))
    report = audit.verify(session, key=None)
    assert not report.ok
    assert "intact" not in report.to_text()
    assert (
        f"audit trail NOT VERIFIED: entries 1–{entries} keyed (HMAC-SHA256) cannot be checked "
        "without the audit key"
    ) in report.to_text()


@pytest.mark.slow
def test_a_keyed_trail_refuses_writes_without_its_key(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registry(session)
    before = len(_entries(session))
    monkeypatch.setattr(audit, "resolve_audit_key", lambda *_, **__: None)
    with pytest.raises(AuditKeyError, match="no audit key is configured"):
        add_record(
            session,
            actor=BCN,
            table="flares",
            patient_id="P1",
            values={"flare_date": "2024-04-02", "severity": "mild"},
            today=TODAY,
        )
    other = AuditKey(b"another-key-" + b"y" * 32, "test")
    monkeypatch.setattr(audit, "resolve_audit_key", lambda *_, **__: other)
    with pytest.raises(AuditKeyError, match="does not verify with the audit key from test"):
        update_patient(session, actor=BCN, patient_id="P1", version=1, changes={"birth_year": 1950})
    assert len(_entries(session)) == before


def test_an_unkeyed_trail_becomes_keyed_at_the_next_write(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as unkeyed:
        unkeyed.setattr(audit, "resolve_audit_key", lambda *_, **__: None)
        two_centres(session)  # 4 entries, as written before audit keys existed
    assert [sha256_of(row) == row["hash"] for row in _entries(session)] == [True] * 4
    update_patient(session, actor=BCN, patient_id="P1", version=1, changes={"birth_year": 1960})
    rows = _entries(session)
    assert rows[4]["hash"] == hmac_of(rows[4], KEY)
    report = audit.verify(session)
    assert report.ok, report.to_text()
    assert "entries 1–4 unkeyed (SHA-256), entry 5 keyed (HMAC-SHA256)" in report.to_text()


def _legacy_import(session: Session) -> int:
    """The example imported as clears did before every imported row had its own entry.

    The rows' own import entries are removed and the chain resealed with the key (as the
    older importer would have written it); returns the number of rows left without entries.
    """
    import_cohort(EXAMPLE, actor=ADMIN, session=session, today=TODAY)
    _sql(session, "DELETE FROM audit_log WHERE action = 'import' AND entity <> 'patients'")
    rows = _entries(session)
    previous = GENESIS
    for number, row in enumerate(rows, 1):
        _sql(session, "UPDATE audit_log SET id = :new WHERE id = :old", new=-number, old=row["id"])
        row["id"], row["prev_hash"] = number, previous
        row["hash"] = hmac_of(row, KEY)
        previous = row["hash"]
    for row in rows:
        _sql(
            session,
            "UPDATE audit_log SET id = :id, prev_hash = :p, hash = :h WHERE id = :old",
            id=row["id"],
            p=row["prev_hash"],
            h=row["hash"],
            old=-row["id"],
        )
    _sql(session, "UPDATE audit_head SET last_id = :id, last_hash = :h", id=len(rows), h=previous)
    tables = ("treatments", "visits", "adverse_events", "flares", "concomitant_medications")
    return sum(session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables)


@pytest.mark.slow
def test_rows_of_an_older_import_are_reconciled_by_count(session: Session) -> None:
    legacy = _legacy_import(session)
    report = audit.verify(session)
    assert report.ok, report.to_text()
    assert report.legacy_rows == legacy
    assert f"({legacy} imported before row-level auditing, checked by count)" in report.to_text()
    key = session.execute(sa.text("SELECT id FROM patients WHERE patient_id = 'P01'")).scalar()
    _sql(
        session,
        "INSERT INTO flares (patient_key, flare_date, severity, version) "
        "VALUES (:key, '2021-01-01', 'mild', 1)",
        key=key,
    )
    text = _problems(session)
    assert "(patient P01): stored row has no audit entry (added outside clears)" in text


@pytest.mark.slow
def test_no_anchor_or_write_on_a_head_naming_a_missing_entry(session: Session) -> None:
    _registry(session)
    _sql(session, "UPDATE audit_head SET last_id = last_id + 5")
    with pytest.raises(audit.AuditError, match="which is missing or has another hash"):
        audit.take_anchor(session)
    with pytest.raises(audit.AuditError, match="which is missing; nothing was written"):
        update_patient(session, actor=BCN, patient_id="P1", version=1, changes={"sex": "male"})


def test_without_the_key_the_unkeyed_prefix_is_checked_and_the_rest_is_not(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as unkeyed:
        unkeyed.setattr(audit, "resolve_audit_key", lambda *_, **__: None)
        two_centres(session)  # entries 1-4 unkeyed
    update_patient(session, actor=BCN, patient_id="P1", version=1, changes={"birth_year": 1960})
    report = audit.verify(session, key=None)
    assert (report.unkeyed, report.unchecked) == (4, 1)
    assert report.to_text().startswith(
        "audit trail NOT VERIFIED: entry 5 keyed (HMAC-SHA256) cannot be checked without the "
        "audit key"
    )
    _sql(session, "UPDATE audit_log SET actor = 'someone' WHERE id = 2")
    assert "entry 2: content does not match its hash (edited)" in _problems(session, key=None)
    with_key = audit.verify(session)
    assert with_key.problems == ("entry 2: content does not match its hash (edited)",)
