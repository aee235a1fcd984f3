"""The generic service core: validate, scope, version and audit one record of any entity.

Values are checked exactly as a cohort file would be (:mod:`clears.cohort` parsers, the
instrument definitions for item columns, the per-table checks such as end before start and
the dose ceilings, and the CLASI totals against complete items), and then, with the
patient's other records, by :func:`clears.cohort.validate` itself
(:mod:`clears.registry._row_checks`: duplicates, overlapping dose periods, CTCAE grades per
term), so a record written through the services never makes the registry's export fail
``clears cohort validate``. Writers of one patient are serialised (the patient row is
locked), so two identical saves at once store one record. An edit made on an older version
is merged field by field with what changed since (:mod:`clears.registry._merge`). Every
read and write is scoped by the acting user's centres; a patient outside them is "not
found".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.cohort import REQUIRED_COLUMNS, SiteFields, check_site_values
from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item, derive_totals, instrument_modules
from clears.cohort._schema import BOOLEAN_FALSE, BOOLEAN_TRUE, schema_of
from clears.cohort._table_checks import check_table, dose_without_unit
from clears.registry import _site_values, audit
from clears.registry._actor import Actor
from clears.registry._changes import follow_items, python, typed_changes
from clears.registry._clearing import after_edit, forget
from clears.registry._list_columns import refresh_last_visits
from clears.registry._locks import refuse_if_locked
from clears.registry._merge import merge, same, state_at
from clears.registry._models import (
    ENTITY_TABLES,
    AdverseEvent,
    Base,
    Centre,
    ConcomitantMedication,
    Flare,
    Patient,
    Treatment,
    Visit,
    data_columns,
    item_fields,
)
from clears.registry._patient_ids import REGISTERED_ID, find_patient_id
from clears.registry._row_checks import check_in_context, lock_patient, record_label

__all__ = [
    "CLASSES",
    "Record",
    "add",
    "delete",
    "get",
    "patient_in_scope",
    "python",
    "to_record",
    "update",
    "with_site",
]

#: Mapped class of each cohort table.
CLASSES: Mapping[str, type[Base]] = {
    "patients": Patient,
    "treatments": Treatment,
    "visits": Visit,
    "adverse_events": AdverseEvent,
    "flares": Flare,
    "concomitant_medications": ConcomitantMedication,
}


@dataclass(frozen=True, slots=True)
class Record:
    """A record as read back: entity, database id, patient, version and values.

    ``site`` holds the record's values of site-defined fields as stored text, by field name
    (:mod:`clears.registry._site_values`); it is filled by the reads that fetch them
    (:func:`get`, the writes, :func:`clears.registry.patients.timeline`).
    """

    entity: str
    id: int
    patient_id: str
    version: int
    data: Mapping[str, Any]
    site: Mapping[str, str] = field(default_factory=dict)

    def audited(self) -> dict[str, Any]:
        """The values an audit entry records: the data, and the site values when any."""
        return {**self.data, "site_fields": dict(self.site)} if self.site else dict(self.data)


def validate(table: str, values: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Check one record's values as a one-row cohort table; return them typed.

    Raises
    ------
    InputError
        Every problem: unknown fields, bad values (with the allowed ones), missing required
        values, and the per-table checks.
    """
    known = schema_of(table)
    items = {f.column: f for f in item_fields()} if table == "visits" else {}
    allowed_names = (
        set(data_columns(table))
        | set(REQUIRED_COLUMNS[table])
        | ({"locked"} if table == "visits" else set())
    )
    problems = [
        Problem(name, None, "unknown field", ", ".join(sorted(allowed_names)), table)
        for name in values
        if name not in allowed_names
    ]
    typed: dict[str, pd.Series] = {}
    for name in [*REQUIRED_COLUMNS[table], *values]:
        if name in typed or name == "locked" or (name not in known and name not in items):
            continue
        series = pd.Series([values.get(name)], dtype=object)
        if name in known:
            typed[name], found = coerce_column(
                series, known[name], required=name in REQUIRED_COLUMNS[table], file=table
            )
        else:
            typed[name], found = coerce_item(series, items[name], file=table)
        problems += [Problem(p.field, p.value, p.message, p.allowed, table) for p in found]
    locked = _locked(values["locked"]) if "locked" in values else False
    if locked is None:
        allowed = ", ".join(sorted(BOOLEAN_TRUE | BOOLEAN_FALSE))
        problems.append(
            Problem("locked", values["locked"], "is not a yes/no value", allowed, table)
        )
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(typed, index=pd.RangeIndex(1))
    found = check_table(table, frame, today=today, file=table)
    if table == "concomitant_medications":
        given = pd.DataFrame({"dose_unit": [values.get("dose_unit")]}, dtype=object)
        found += dose_without_unit(frame, given, table)
    if table == "visits":
        frame, totals = derive_totals(frame, instrument_modules(), file=table)
        found += totals
    if found:
        raise InputError([Problem(p.field, p.value, p.message, p.allowed, table) for p in found])
    result = {
        name: python(frame[name].iloc[0])
        for name in frame.columns
        if name not in ("patient_id", "centre")
    }
    if "locked" in values:
        result["locked"] = locked
    return result


def _locked(value: Any) -> bool | None:
    """A visit's ``locked`` as true or false: a boolean, blank (false) or the yes/no text a
    form or file gives (``"false"`` is false); ``None`` for anything else.

    Examples
    --------
    >>> [_locked(v) for v in (True, "false", "Yes", None, "", "maybe")]
    [True, False, True, False, False, None]
    """
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in BOOLEAN_TRUE:
        return True
    if text in BOOLEAN_FALSE or text == "":
        return False
    return None


def patient_in_scope(session: Session, *, actor: Actor, patient_id: str) -> Patient:
    """The patient, if the actor's centres include theirs; else :class:`NotFoundError`.

    ``patient_id`` is looked up as every entry point does (:func:`find_patient_id`).
    """
    stored = find_patient_id(session, patient_id)
    row = session.execute(
        sa.select(Patient, Centre.code)
        .join(Centre, Patient.centre_key == Centre.id)
        .where(Patient.patient_id == stored)
    ).first()
    if stored is None or row is None or not actor.can_see(row[1]):
        raise NotFoundError(f"no patient {patient_id!r} in your centres")
    patient: Patient = row[0]
    return patient


def _values(table: str, obj: Base) -> dict[str, Any]:
    names = list(data_columns(table)) + (["locked"] if table == "visits" else [])
    values = {name: getattr(obj, name) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def to_record(table: str, obj: Base, patient_id: str) -> Record:
    return Record(
        table,
        int(cast(Any, obj).id),
        patient_id,
        int(cast(Any, obj).version),
        _values(table, obj),
    )


def _load(session: Session, *, actor: Actor, table: str, record_id: int) -> tuple[Base, str, str]:
    cls = CLASSES[table]
    if table == "patients":
        query = (
            sa.select(cls, Patient.patient_id, Centre.code)
            .join(Centre, Patient.centre_key == Centre.id)
            .where(Patient.id == record_id)
        )
    else:
        key = ENTITY_TABLES[table].c.patient_key
        query = (
            sa.select(cls, Patient.patient_id, Centre.code)
            .join(Patient, key == Patient.id)
            .join(Centre, Patient.centre_key == Centre.id)
            .where(ENTITY_TABLES[table].c.id == record_id)
        )
    row = session.execute(query).first()
    if row is None or not actor.can_see(row[2]):
        raise NotFoundError(f"no {table} record {record_id} in your centres")
    return row[0], row[1], row[2]


def get(session: Session, *, actor: Actor, table: str, record_id: int) -> Record:
    """One record by id, within the actor's centres, with its site values."""
    obj, patient_id, _ = _load(session, actor=actor, table=table, record_id=record_id)
    return with_site(session, to_record(table, obj, patient_id))


def with_site(session: Session, record: Record) -> Record:
    """``record`` with its stored site values."""
    site = _site_values.of_record(session, table=record.entity, record_id=record.id)
    return dataclasses.replace(record, site=site)


def _site_texts(
    site_fields: SiteFields | None,
    *,
    table: str,
    centre: str,
    values: Mapping[str, Any] | None,
    stored: Mapping[str, str],
    adding: bool,
) -> tuple[dict[str, str | None], list[Problem]]:
    """The site values to write (:func:`clears.cohort.check_site_values`) and the problems."""
    if not values and site_fields is None:
        return {}, []
    try:
        texts = check_site_values(
            site_fields or SiteFields(),
            table=table,
            centre=centre,
            values=values or {},
            stored=stored,
            adding=adding,
        )
    except InputError as exc:
        return {}, list(exc.problems)
    return texts, []


def add(
    session: Session,
    *,
    actor: Actor,
    table: str,
    patient_id: str,
    values: Mapping[str, Any],
    today: dt.date | None = None,
    site_fields: SiteFields | None = None,
    site_values: Mapping[str, Any] | None = None,
) -> Record:
    """Add one treatment, visit, adverse event or flare to a patient in the actor's centres.

    ``site_values`` are the record's values of the site-defined fields ``site_fields``
    declares for the table and the patient's centre (checked with the record's values, and
    required ones must be given).
    """
    if table == "patients" or table not in CLASSES:
        raise ValueError(f"add() takes a per-patient table, not {table!r}")
    # Validate before the first statement: on SQLite that statement takes the write lock
    # (BEGIN IMMEDIATE), so other writers wait only for the SQL, not for the validation.
    # An unknown patient is still reported before invalid values.
    typed: dict[str, Any] = {}
    invalid: InputError | None = None
    try:
        typed = validate(
            table, {**values, "patient_id": REGISTERED_ID}, today=today or dt.date.today()
        )
    except InputError as exc:
        invalid = exc
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    centre = _centre_of(session, patient)
    texts, site_problems = _site_texts(
        site_fields, table=table, centre=centre, values=site_values, stored={}, adding=True
    )
    if invalid is not None or site_problems:
        problems = [*(invalid.problems if invalid is not None else ()), *site_problems]
        raise _located(InputError(problems), patient_id, record_label(table, values, None))
    lock_patient(session, patient.id)
    refuse_if_locked(
        session, table=table, record_id=None, patient_key=patient.id, patient_id=patient_id
    )
    check_in_context(
        session,
        table=table,
        patient=patient,
        centre=centre,
        values=typed,
        today=today or dt.date.today(),
    )
    obj = CLASSES[table](patient_key=patient.id, **typed)
    session.add(obj)
    session.flush()
    _listed(session, table, patient.id)
    record = to_record(table, obj, patient_id)
    if texts:
        _site_values.write(
            session, table=table, record_id=record.id, patient_key=patient.id, texts=texts
        )
        record = with_site(session, record)
    audit.append(
        session,
        actor=actor,
        changes=[audit.Change("insert", table, record.id, patient_id, None, record.audited())],
    )
    return record


#: The prefix of a site value among a record's fields when edits are merged and verified.
_SITE = "site_fields."


def _flat(values: Mapping[str, Any]) -> dict[str, Any]:
    """An audited state with its site values as ``site_fields.<name>`` fields."""
    flat = {n: v for n, v in values.items() if n != "site_fields"}
    site = values.get("site_fields")
    if isinstance(site, Mapping):
        flat |= {_SITE + n: v for n, v in site.items()}
    return flat


def _listed(session: Session, table: str, patient_key: int) -> None:
    """Keep the patient's list columns in step with a visit just written
    (:mod:`clears.registry._list_columns`)."""
    if table == "visits":
        refresh_last_visits(session, ENTITY_TABLES["patients"].c.id == patient_key)


def _located(error: InputError, patient_id: str, record: str) -> InputError:
    """``error`` with each problem naming the patient and the record."""
    return InputError(
        [
            dataclasses.replace(p, row=None, patient=p.patient or patient_id, record=record)
            for p in error.problems
        ]
    )


def _centre_of(session: Session, patient: Patient) -> str:
    code: str = session.execute(
        sa.select(Centre.code).where(Centre.id == patient.centre_key)
    ).scalar_one()
    return code


def _stale(table: str, record: Record, version: int) -> ConflictError:
    return ConflictError(
        f"{table} record {record.id} was changed by someone else since you read it "
        f"(your version {version}, now version {record.version}); nothing was deleted.",
        version=record.version,
    )


def _needs_reason(table: str, before: Mapping[str, Any], today: dt.date) -> bool:
    """Changes to a visit dated before today need a reason (a locked one is refused:
    :mod:`clears.registry._locks`)."""
    if table != "visits":
        return False
    visit_date = before.get("visit_date")
    return visit_date is not None and visit_date < today


def _reason_problem(
    table: str, reason: str | None, before: Mapping[str, Any], today: dt.date
) -> None:
    if _needs_reason(table, before, today) and not (reason and reason.strip()):
        raise InputError(
            Problem(
                "reason",
                reason,
                "is required to change a past visit",
                "a non-blank reason",
                table,
            )
        )


def update(
    session: Session,
    *,
    actor: Actor,
    table: str,
    record_id: int,
    version: int,
    changes: Mapping[str, Any],
    reason: str | None = None,
    today: dt.date | None = None,
    site_fields: SiteFields | None = None,
    site_values: Mapping[str, Any] | None = None,
) -> Record:
    """Change some values of a record read at ``version``; refuse if it changed since.

    ``changes`` are the fields the edit sets; ``site_values`` the site-defined fields it
    sets (blank clears one), checked against ``site_fields`` and merged like the others
    (as ``site_fields.<name>``). When the record moved on since ``version``,
    they are merged with what changed (:func:`clears.registry._merge.merge`): fields nobody
    else changed are applied, the rest of the record keeps the newer values.

    Raises
    ------
    ConflictError
        Someone else changed one of the same fields to another value since ``version``
        (``conflicts`` lists each with both values), the record changed while saving, or
        the change would make it a copy of another record; nothing is written.
    InputError
        Invalid values, or a missing reason for a past visit.
    clears.registry._locks.RecordLockedError
        The record, or its patient's record, is signed or locked (nothing is written).
    """
    today = today or dt.date.today()
    obj, patient_id, centre = _load(session, actor=actor, table=table, record_id=record_id)
    loaded = cast(Any, obj)
    patient_key = int(loaded.id if table == "patients" else loaded.patient_key)
    lock_patient(session, patient_key)
    session.refresh(obj)  # as committed by any writer this one waited for
    current = with_site(session, to_record(table, obj, patient_id))
    refuse_if_locked(
        session,
        table=table,
        record_id=record_id,
        patient_key=patient_key,
        patient_id=patient_id,
        values=current.data,
    )
    if "patient_id" in changes or "centre" in changes:
        raise InputError(
            Problem(
                next(iter(set(changes) & {"patient_id", "centre"})),
                None,
                "cannot be changed",
                "the other fields",
                table,
                patient=patient_id,
                record=f"record {record_id}",
            )
        )
    wanted = typed_changes(table, changes)
    texts, site_problems = _site_texts(
        site_fields,
        table=table,
        centre=centre,
        values=site_values,
        stored=current.site,
        adding=False,
    )
    if site_problems:
        raise _located(
            InputError(site_problems), patient_id, record_label(table, current.data, record_id)
        )
    wanted |= {_SITE + n: t for n, t in texts.items()}
    if current.version != version:
        base = state_at(
            session, table=table, record_id=record_id, version=version, current=current.audited()
        )
        wanted = merge(
            table=table,
            record_id=record_id,
            version=version,
            current_version=current.version,
            current=_flat(current.audited()),
            base=None if base is None else _flat(base),
            changes=wanted,
        )
    now = _flat(current.audited())
    wanted = {n: v for n, v in wanted.items() if not same(v, now.get(n))}
    texts = {n[len(_SITE) :]: t for n, t in wanted.items() if n.startswith(_SITE)}
    wanted = {n: v for n, v in wanted.items() if not n.startswith(_SITE)}
    if not wanted and not texts:
        return current  # nothing to change: no new version, no audit entry
    _reason_problem(table, reason, current.data, today)
    merged = {**current.data, **wanted}
    if table == "visits":
        merged = follow_items(current.data, merged, wanted)
    merged = {name: value for name, value in merged.items() if value is not None}
    merged |= {"patient_id": REGISTERED_ID} | ({"centre": centre} if table == "patients" else {})
    try:
        typed = validate(table, merged, today=today)
    except InputError as exc:
        raise _located(exc, patient_id, record_label(table, merged, record_id)) from None
    if table != "patients":
        check_in_context(
            session,
            table=table,
            patient=session.get_one(Patient, patient_key),
            centre=centre,
            values=typed,
            record_id=record_id,
            today=today,
        )
    for name in set(current.data) | set(typed):
        setattr(obj, name, typed.get(name))
    if texts:
        _site_values.write(
            session, table=table, record_id=record_id, patient_key=patient_key, texts=texts
        )
        flag_modified(obj, "extra")  # a change of site values alone is a new version too
    try:
        session.flush()
    except StaleDataError as exc:  # changed by another transaction between read and write
        raise ConflictError(
            f"{table} record {record_id} was changed by someone else while saving; "
            "nothing was overwritten. Open it again and repeat your change."
        ) from exc
    _listed(session, table, patient_key)
    after = with_site(session, to_record(table, obj, patient_id))
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "update", table, after.id, patient_id, current.audited(), after.audited(), reason
            )
        ],
    )
    changed = {**wanted, **{_SITE + n: t for n, t in texts.items()}}
    after_edit(  # source data verification of what changed is cleared (clears.registry._clearing)
        session,
        actor=actor,
        table=table,
        record_id=after.id,
        changed=changed,
        version=after.version,
    )
    return after


def delete(
    session: Session,
    *,
    actor: Actor,
    table: str,
    record_id: int,
    version: int,
    reason: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Delete a record read at ``version`` (same conflict and reason rules as :func:`update`)."""
    today = today or dt.date.today()
    obj, patient_id, _ = _load(session, actor=actor, table=table, record_id=record_id)
    current = with_site(session, to_record(table, obj, patient_id))
    patient_key = int(cast(Any, obj).patient_key) if table != "patients" else None
    refuse_if_locked(
        session,
        table=table,
        record_id=record_id,
        patient_key=patient_key if patient_key is not None else record_id,
        patient_id=patient_id,
        values=current.data,
    )
    if current.version != version:
        raise _stale(table, current, version)
    _reason_problem(table, reason, current.data, today)
    _site_values.drop(session, table=table, record_id=current.id)
    session.delete(obj)
    session.flush()
    if patient_key is not None:
        _listed(session, table, patient_key)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change("delete", table, current.id, patient_id, current.audited(), None, reason)
        ],
    )
    forget(session, actor=actor, table=table, record_id=current.id, patient_id=patient_id)
