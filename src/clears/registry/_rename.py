"""Rename a patient: the audited way to give a patient a new identifier.

The fix for an identifier outside the alphabet (from before it was enforced; migration
0007 refuses to upgrade a registry holding one) or for two ids equal ignoring case. The
audit trail is append-only and names each entry's patient by identifier, so a rename does
not edit history: in one transaction the patient and every record are written again under
the new id (audited inserts, each with the reason) and the rows under the old id are deleted
(audited deletes, same reason). ``clears audit verify`` reconciles both, ``clears audit
show --patient OLD`` shows the history up to the rename and ``--patient NEW`` from it on.
Record numbers change; values, centre and dates do not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, Problem
from clears.cohort import TABLES
from clears.cohort._ids import id_key
from clears.registry import _records, _site_values, audit
from clears.registry._actor import Actor
from clears.registry._locks import refuse_rename_if_signed
from clears.registry._models import (
    ENTITY_TABLES,
    Centre,
    data_queries_table,
    form_statuses_table,
    site_values_table,
    verifications_table,
)
from clears.registry._patient_ids import checked_id, lock_enrolment, registered_like

__all__ = ["rename_patient"]


def _data(session: Session, table: str, obj: Any, patient_id: str, *, site: bool) -> dict[str, Any]:
    """What the audit trail records of a row: its values, import ``extra`` columns and, when
    the registry has them (``site``), its site-defined fields."""
    record = _records.to_record(table, obj, patient_id)
    if site:
        stored = _site_values.of_record(session, table=table, record_id=record.id)
        record = _records.Record(
            record.entity, record.id, patient_id, record.version, record.data, stored
        )
    data = record.audited()
    if obj.extra is not None:
        data["extra"] = obj.extra
    return data


def _present(session: Session, table: str) -> list[sa.Column[Any]]:
    """The columns of ``table`` the database has, in model order.

    A rename also runs on a registry at an older revision (before 0007), which lacks later
    columns such as ``patients.last_visit_key`` or the visit items of revision 0015.
    """
    source = ENTITY_TABLES[table]
    present = {c["name"] for c in sa.inspect(session.connection()).get_columns(source.name)}
    return [c for c in source.c if c.name in present]


def _rows(session: Session, table: str, patient_key: int) -> tuple[list[Any], bool]:
    """The patient's rows of ``table`` as mapped objects, and whether they are persistent.

    On a database at an older revision the rows are read column by column into transient
    objects (a later column reads as ``None``), as the mapped select names every column.
    """
    cls = _records.CLASSES[table]
    source = ENTITY_TABLES[table]
    columns = _present(session, table)
    where = source.c.patient_key == patient_key
    if len(columns) == len(source.c):
        query = sa.select(cls).where(where).order_by(source.c.id)
        return list(session.execute(query).scalars()), True
    found = session.execute(sa.select(*columns).where(where).order_by(source.c.id)).mappings()
    return [cls(**dict(row)) for row in found], False


def _followers(session: Session) -> list[sa.Table]:
    """The tables naming records by (entity, record id) that a rename must carry to the new
    rows: form statuses, verification marks, data queries and site values, where the
    registry's revision has them (a rename may run on a registry before 0018, when an upgrade
    asks for one)."""
    present = set(sa.inspect(session.connection()).get_table_names())
    tables = (form_statuses_table, verifications_table, data_queries_table, site_values_table)
    return [t for t in tables if t.name in present]


def _follow(
    session: Session, tables: list[sa.Table], *, table: str, old_id: int, new_id: int, key: int
) -> None:
    """Point the rows of ``tables`` naming record ``old_id`` of ``table`` at its copy."""
    for source in tables:
        session.execute(
            sa.update(source)
            .where(source.c.entity == table, source.c.record_id == old_id)
            .values(record_id=new_id, patient_key=key)
        )


def _copy(session: Session, table: str, row_id: int, **changes: Any) -> int:
    """Insert a copy of row ``row_id`` of ``table`` with ``changes``; return the new id."""
    source = ENTITY_TABLES[table]
    # Only the columns the database has (copied as they are: the visits are copied unchanged).
    columns = _present(session, table)
    row = session.execute(sa.select(*columns).where(source.c.id == row_id)).mappings().one()
    values = {k: v for k, v in row.items() if k != "id"} | {"version": 1, **changes}
    new_id = session.execute(sa.insert(source).values(**values).returning(source.c.id)).scalar()
    return int(new_id)  # type: ignore[arg-type]


def rename_patient(session: Session, *, actor: Actor, old: str, new: str, reason: str) -> str:
    """Give patient ``old`` the identifier ``new``, everywhere, audited; return ``new`` as stored.

    Parameters
    ----------
    old
        The patient's identifier, as stored (a legacy id is matched exactly first).
    new
        The new identifier: normalised and checked like any new id.
    reason
        Why (required; recorded with every audit entry of the rename).

    Raises
    ------
    InputError
        A blank reason, a new id outside the alphabet, or ``new`` equal to ``old``.
    ConflictError
        Another patient has ``new`` (ignoring letter case); the message names it. Or the
        patient has electronic signatures (:func:`clears.registry._locks.refuse_rename_if_signed`).
    NotFoundError
        No patient ``old`` in the actor's centres.
    """
    if not reason or not reason.strip():
        raise InputError(Problem("reason", reason, "is required", "why the identifier changes"))
    lock_enrolment(session)
    patient = _records.patient_in_scope(session, actor=actor, patient_id=old)
    before_id = patient.patient_id
    refuse_rename_if_signed(session, patient_key=patient.id, patient_id=before_id)
    text = checked_id(new)
    if text == before_id:
        raise InputError(Problem("new", new, "is the patient's identifier already"))
    taken = registered_like(session, [text]).get(id_key(text))
    if taken is not None and taken != before_id:
        raise ConflictError(
            f"patient {taken!r} is already registered; {before_id!r} was not renamed to {text!r} "
            "(identifiers ignore letter case)"
        )
    centre = session.execute(
        sa.select(Centre.code).where(Centre.id == patient.centre_key)
    ).scalar_one()
    patients = ENTITY_TABLES["patients"]
    # Free the identifier first (the column is unique: 'p01' -> 'P01' changes only the case);
    # '~' is outside the alphabet, so the stand-in is never a patient's id.
    session.execute(
        sa.update(patients)
        .where(patients.c.id == patient.id)
        .values(patient_id=f"~renaming~{patient.id}")
    )
    followers = _followers(session)
    site = site_values_table in followers
    old_data = {"centre": centre, **_data(session, "patients", patient, before_id, site=site)}
    new_key = _copy(session, "patients", patient.id, patient_id=text)
    _follow(session, followers, table="patients", old_id=patient.id, new_id=new_key, key=new_key)
    changes = [audit.Change("insert", "patients", new_key, text, None, old_data, reason)]
    gone = [audit.Change("delete", "patients", patient.id, before_id, old_data, None, reason)]
    read: list[Any] = [patient]
    for table in TABLES[1:]:
        source = ENTITY_TABLES[table]
        rows, persistent = _rows(session, table, patient.id)
        if persistent:
            read += rows
        for obj in rows:
            data = _data(session, table, obj, before_id, site=site)
            copied = _copy(session, table, obj.id, patient_key=new_key)
            _follow(session, followers, table=table, old_id=obj.id, new_id=copied, key=new_key)
            changes.append(audit.Change("insert", table, copied, text, None, data, reason))
            gone.append(audit.Change("delete", table, obj.id, before_id, data, None, reason))
        session.execute(sa.delete(source).where(source.c.patient_key == patient.id))
    session.execute(sa.delete(patients).where(patients.c.id == patient.id))
    for obj in read:  # gone from the database
        session.expunge(obj)
    audit.append(session, actor=actor, changes=[*changes, *gone])
    return text
