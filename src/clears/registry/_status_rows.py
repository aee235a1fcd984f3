"""The stored form status of one record: read it, write it (audited), and find its record.

Shared by :mod:`clears.registry.form_status` (writers set incomplete or complete),
:mod:`clears.registry.verification` (a monitor's verification makes it verified) and
:mod:`clears.registry._clearing` (an edit after verification takes it back). Every write
is one audit entry of entity ``form_status`` whose values name the table, the record, the
status, the record version and the required fields missing then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import NotFoundError
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._models import (
    ENTITY_TABLES,
    STATUS_TABLES,
    centres_table,
    data_columns,
    form_statuses_table,
    patients_table,
)
from clears.registry._required_fields import missing_fields

__all__ = ["StoredStatus", "Target", "load_target", "stored_status", "write_status"]

_f = form_statuses_table
_p = patients_table


@dataclass(frozen=True, slots=True)
class Target:
    """A record in the actor's centres, as it is now."""

    table: str
    record_id: int
    patient_id: str
    patient_key: int
    centre_key: int
    centre: str
    version: int
    values: Mapping[str, Any]

    @property
    def missing(self) -> tuple[str, ...]:
        """The required fields the record leaves blank (:mod:`._required_fields`)."""
        return missing_fields(self.table, self.values)


@dataclass(frozen=True, slots=True)
class StoredStatus:
    """A record's status row."""

    status: str
    record_version: int
    set_by: str
    set_at: dt.datetime
    missing: int


def load_target(session: Session, *, actor: Actor, table: str, record_id: int) -> Target:
    """The record ``record_id`` of ``table`` in the actor's centres.

    Raises
    ------
    NotFoundError
        An unknown table or record, or one of another centre.
    """
    if table not in STATUS_TABLES:
        raise NotFoundError(f"no table {table!r}; allowed: {', '.join(STATUS_TABLES)}")
    source = ENTITY_TABLES[table]
    names = list(data_columns(table)) + (["locked"] if table == "visits" else [])
    key = source.c.id if table == "patients" else source.c.patient_key
    query = sa.select(
        _p.c.patient_id,
        _p.c.id.label("patient_key"),
        _p.c.centre_key,
        centres_table.c.code,
        source.c.version.label("record_version"),
        *(source.c[n].label(f"v_{n}") for n in names),
    ).select_from(source)
    if table != "patients":
        query = query.join(_p, key == _p.c.id)
    query = query.join(centres_table, _p.c.centre_key == centres_table.c.id).where(
        source.c.id == record_id
    )
    row = session.execute(query).mappings().first()
    if row is None or not actor.can_see(str(row["code"])):
        raise NotFoundError(f"no {table} record {record_id} in your centres")
    return Target(
        table,
        record_id,
        str(row["patient_id"]),
        int(row["patient_key"]),
        int(row["centre_key"]),
        str(row["code"]),
        int(row["record_version"]),
        {n: row[f"v_{n}"] for n in names if row[f"v_{n}"] is not None},
    )


def stored_status(session: Session, table: str, record_id: int) -> StoredStatus | None:
    """The status row of a record, or None when nobody set one ("not set")."""
    row = session.execute(
        sa.select(_f).where(_f.c.entity == table, _f.c.record_id == record_id)
    ).first()
    if row is None:
        return None
    return StoredStatus(row.status, row.record_version, row.set_by, row.set_at, row.missing)


def _audited(target: Target, status: str | None, missing: tuple[str, ...]) -> dict[str, Any] | None:
    if status is None:
        return None
    return {
        "table": target.table,
        "record_id": target.record_id,
        "status": status,
        "record_version": target.version,
        "missing": list(missing),
    }


def write_status(
    session: Session,
    *,
    actor: Actor,
    target: Target,
    status: str | None,
    reason: str | None = None,
) -> None:
    """Store ``status`` for the record (None: remove the row), with one audit entry."""
    before = stored_status(session, target.table, target.record_id)
    where = (_f.c.entity == target.table, _f.c.record_id == target.record_id)
    missing = target.missing
    if before is not None and status is None:
        session.execute(sa.delete(_f).where(*where))
        action = "delete"
    elif status is not None:
        values = {
            "status": status,
            "record_version": target.version,
            "set_by": actor.user,
            "set_at": dt.datetime.now(dt.UTC),
            "missing": len(missing),
        }
        if before is None:
            session.execute(
                sa.insert(_f).values(
                    entity=target.table,
                    record_id=target.record_id,
                    patient_key=target.patient_key,
                    centre_key=target.centre_key,
                    **values,
                )
            )
            action = "insert"
        else:
            session.execute(sa.update(_f).where(*where).values(**values))
            action = "update"
    else:
        return
    earlier = None
    if before is not None:
        earlier = {
            "table": target.table,
            "record_id": target.record_id,
            "status": before.status,
            "record_version": before.record_version,
        }
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                action,
                "form_status",
                target.record_id,
                target.patient_id,
                earlier,
                _audited(target, status, missing),
                reason,
            )
        ],
    )
