"""The one refusal of a write to a signed or locked record.

A record is locked while (21 CFR Part 11 §11.10(e), §11.50, §11.70):

- it is a visit whose ``locked`` flag is set (a signature of the visit sets it;
  :func:`clears.registry.lock_visit` sets it without a signature);
- it has an active (not withdrawn) signature of its own;
- its patient's record has an active signature: that locks the patient row and every
  record of the patient (treatments, visits, adverse events, flares, medications), those
  added later included, so nothing can be added to a signed patient's record either.

The record services (:mod:`clears.registry._records`) call :func:`refuse_if_locked` once
before each add, update and delete; only an administrator's unlock
(:func:`clears.registry.signatures.unlock`) lifts a lock, with a reason. The lookups use the
``(entity, record_id)`` and ``patient_key`` indexes of ``signatures``, so they do not grow
with the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, Problem
from clears.registry._accounts_rules import as_utc
from clears.registry._models import signatures_table

__all__ = [
    "RECORD_NOUNS",
    "UNLOCK_NEEDED",
    "RecordLockedError",
    "active_signature",
    "label",
    "refuse_if_locked",
    "refuse_rename_if_signed",
]

_SIGNATURES: Final = signatures_table

#: What lifts a lock, as refusals say it.
UNLOCK_NEEDED: Final = "an administrator must unlock it, giving a reason"

#: What one record of each table is called in messages and pages.
RECORD_NOUNS: Final[Mapping[str, str]] = {
    "visits": "visit",
    "treatments": "treatment period",
    "adverse_events": "adverse event",
    "flares": "flare",
    "concomitant_medications": "concomitant medication",
}


class RecordLockedError(InputError):
    """A write refused because the record (or its patient's record) is signed or locked;
    nothing was changed. Its one problem names the field ``locked``, who signed and when."""


def label(table: str, record_id: int | None, patient_id: str) -> str:
    """How a message names a record.

    Examples
    --------
    >>> label("visits", 12, "P1"), label("patients", 3, "P1"), label("flares", None, "P1")
    ('visit 12', 'the record of patient P1', 'a new flare')
    """
    if table == "patients":
        return f"the record of patient {patient_id}"
    if record_id is None:
        return f"a new {RECORD_NOUNS[table]}"
    return f"{RECORD_NOUNS[table]} {record_id}"


def shown_time(at: dt.datetime) -> str:
    """A signature time as messages and pages show it: UTC, to the minute.

    Examples
    --------
    >>> shown_time(dt.datetime(2026, 12, 3, 11, 15, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '2026-12-03 10:15 UTC'
    """
    aware = as_utc(at)
    assert aware is not None
    return f"{aware:%Y-%m-%d %H:%M} UTC"


def active_signature(
    session: Session, *, patient_key: int, table: str, record_id: int | None
) -> Any:
    """The newest active signature locking this record: the patient's record's first, else
    the record's own; ``None`` when there is none."""
    columns = _SIGNATURES.c
    patient_level = sa.and_(columns.entity == "patients", columns.patient_key == patient_key)
    own = (
        sa.and_(columns.entity == table, columns.record_id == record_id)
        if record_id is not None and table != "patients"
        else sa.false()
    )
    return session.execute(
        sa.select(_SIGNATURES)
        .where(columns.withdrawn_at.is_(None), sa.or_(patient_level, own))
        .order_by((columns.entity == "patients").desc(), columns.id.desc())
        .limit(1)
    ).first()


def refuse_if_locked(
    session: Session,
    *,
    table: str,
    record_id: int | None,
    patient_key: int,
    patient_id: str,
    values: Mapping[str, Any] | None = None,
) -> None:
    """Raise :class:`RecordLockedError` if the record is signed or locked.

    Parameters
    ----------
    table, record_id
        The record written (``record_id`` ``None`` for one being added).
    patient_key, patient_id
        Its patient's row id and identifier.
    values
        The record's stored values (a visit's ``locked`` flag is read from them).
    """
    signature = active_signature(session, patient_key=patient_key, table=table, record_id=record_id)
    what = label(table, record_id, patient_id)
    if signature is not None:
        signed = label(signature.entity, signature.record_id, patient_id)
        by = f"{signature.signer} on {shown_time(signature.signed_at)} ({signature.meaning})"
        if signed == what:
            message = f"{what} was signed by {by}; {UNLOCK_NEEDED}"
        else:
            message = f"{what} is locked: {signed} was signed by {by}; {UNLOCK_NEEDED}"
    elif values is not None and values.get("locked"):
        message = f"{what} is locked; {UNLOCK_NEEDED}"
    else:
        return
    raise RecordLockedError(Problem("locked", None, message, patient=patient_id))


def refuse_rename_if_signed(session: Session, *, patient_key: int, patient_id: str) -> None:
    """Refuse a rename of a patient who has any signature, withdrawn ones included.

    A rename writes every record again under new record numbers and deletes the old rows
    (:mod:`clears.registry._rename`); the signatures name the old rows, and are never
    deleted, so the rename would detach them from what they signed (21 CFR Part 11 §11.70).
    A registry at a revision before 0019 has no signatures: nothing to refuse.

    Raises
    ------
    ConflictError
        The patient has signatures; nothing is renamed.
    """
    if not sa.inspect(session.connection()).has_table(_SIGNATURES.name):
        return
    count = session.execute(
        sa.select(sa.func.count())
        .select_from(_SIGNATURES)
        .where(_SIGNATURES.c.patient_key == patient_key)
    ).scalar_one()
    if count:
        raise ConflictError(
            f"patient {patient_id!r} has {count} electronic signature(s), withdrawn ones "
            "included; a rename would detach them from the signed records, so it is refused "
            "and nothing was renamed"
        )
