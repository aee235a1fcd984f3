"""Stored values of site-defined fields: read per record or per patient, written per record.

Values are kept in ``site_values`` as canonical text (:func:`clears.cohort.site_text`), one
row per field of one record; reads go through the primary key (one record) or the index on
``patient_key`` (one patient), never the whole table. The service core
(:mod:`clears.registry._records`) checks the values against the declaration
(:func:`clears.cohort.check_site_values`), writes them here and records them in the audit
entry of the record (``site_fields`` beside the record's values). A value whose field is no
longer declared keeps its row.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.registry._models import site_values_table

__all__ = ["drop", "of_patient", "of_record", "write"]

_T = site_values_table


def of_record(session: Session, *, table: str, record_id: int) -> dict[str, str]:
    """The stored site values of one record, by field name."""
    rows = session.execute(
        sa.select(_T.c.field, _T.c.value)
        .where(_T.c.entity == table, _T.c.record_id == record_id)
        .order_by(_T.c.field)
    )
    return {str(name): str(value) for name, value in rows}


def of_patient(session: Session, *, patient_key: int) -> dict[tuple[str, int], dict[str, str]]:
    """Every stored site value of one patient's records, by ``(table, record id)``."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    rows = session.execute(
        sa.select(_T.c.entity, _T.c.record_id, _T.c.field, _T.c.value)
        .where(_T.c.patient_key == patient_key)
        .order_by(_T.c.entity, _T.c.record_id, _T.c.field)
    )
    for entity, record_id, name, value in rows:
        found.setdefault((str(entity), int(record_id)), {})[str(name)] = str(value)
    return found


def write(
    session: Session,
    *,
    table: str,
    record_id: int,
    patient_key: int,
    texts: Mapping[str, str | None],
) -> None:
    """Set (text) or clear (``None``) the given fields of one record."""
    for name, text in texts.items():
        key = (_T.c.entity == table) & (_T.c.record_id == record_id) & (_T.c.field == name)
        session.execute(sa.delete(_T).where(key))
        if text is not None:
            session.execute(
                sa.insert(_T).values(
                    entity=table,
                    record_id=record_id,
                    field=name,
                    patient_key=patient_key,
                    value=text,
                )
            )


def drop(session: Session, *, table: str, record_id: int) -> None:
    """Remove every site value of a deleted record."""
    session.execute(sa.delete(_T).where(_T.c.entity == table, _T.c.record_id == record_id))
