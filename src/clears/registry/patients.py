"""Service functions for centres and patients, and a patient's full timeline.

Every function is keyword-only and takes the acting :class:`~clears.registry.Actor`; every
query is limited to the actor's centres. Writes are audited in the caller's transaction
(use :func:`clears.registry.transaction` for a unit of work).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.cohort import TABLES, SiteFields
from clears.cohort._coerce import length_problem
from clears.cohort._schema import TEXT_MAX_LENGTH, schema_of
from clears.registry import _records, _site_values, audit
from clears.registry._actor import Actor
from clears.registry._models import ENTITY_TABLES, Centre, Patient
from clears.registry._patient_ids import (
    conflict_on_duplicate,
    lock_enrolment,
    new_patient_id,
)
from clears.registry._records import Record
from clears.registry._rename import rename_patient

__all__ = [
    "centre_codes",
    "create_centre",
    "create_patient",
    "get_patient",
    "list_patients",
    "patient_centre",
    "rename_patient",
    "timeline",
    "update_patient",
]


def centre_codes(session: Session, *, actor: Actor) -> list[str]:
    """Codes of the centres the actor may see, sorted (every centre for network-wide actors)."""
    if not actor.all_centres:
        return sorted(actor.centres)
    return sorted(session.execute(sa.select(Centre.code)).scalars())


def create_centre(session: Session, *, actor: Actor, code: str, name: str | None = None) -> int:
    """Create a centre (network-wide actors only); return its id."""
    if not actor.all_centres:
        raise InputError(Problem("centre", code, "only a network-wide user may create centres"))
    if not code.strip():
        raise InputError(Problem("centre", code, "is blank", "a centre code"))
    # The schema's limits, which the centres table's String(n) columns are built from.
    code_limit = schema_of("patients")["centre"].max_length or TEXT_MAX_LENGTH
    for field, value, limit in (("centre", code, code_limit), ("name", name, TEXT_MAX_LENGTH)):
        too_long = None if value is None else length_problem(value, limit)
        if too_long is not None:
            raise InputError(Problem(field, value, too_long, f"at most {limit} characters"))
    lock_enrolment(session)
    if session.execute(sa.select(Centre.id).where(Centre.code == code)).first():
        raise ConflictError(f"centre {code!r} already exists")
    centre = Centre(code=code, name=name)
    session.add(centre)
    with conflict_on_duplicate(f"centre {code!r}"):
        session.flush()
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change("insert", "centres", centre.id, None, None, {"code": code, "name": name})
        ],
    )
    return centre.id


def create_patient(
    session: Session,
    *,
    actor: Actor,
    patient_id: str,
    centre: str,
    values: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Record:
    """Register a patient under a pseudonymous identifier in one of the actor's centres.

    The identifier is normalised and checked as at every entry point
    (:func:`clears.registry._patient_ids.new_patient_id`): ``' P01 '`` is stored as
    ``P01``, and an id equal to a registered one ignoring case is refused.

    Raises
    ------
    InputError
        Invalid values (the identifier outside the alphabet among them), or a centre the
        actor does not belong to or that does not exist.
    ConflictError
        The identifier is already registered (in any centre, in any letter case; the
        message names the registered id), also when another transaction registered it at
        the same moment: never a duplicate patient. Nothing was written; retrying is safe.
    """
    lock_enrolment(session)  # first: the checks below see every earlier enrolment
    if not actor.can_see(centre):
        raise InputError(
            Problem(
                "centre",
                centre,
                "is not one of your centres",
                ", ".join(sorted(actor.centres)),
                "patients",
            )
        )
    centre_key = session.execute(sa.select(Centre.id).where(Centre.code == centre)).scalar()
    if centre_key is None:
        raise InputError(
            Problem(
                "centre",
                centre,
                "is not a registered centre",
                "a centre created with create_centre",
                "patients",
            )
        )
    typed = _records.validate(
        "patients",
        {"patient_id": patient_id, "centre": centre, **(values or {})},
        today=today or dt.date.today(),
    )
    typed.pop("centre", None)
    patient_id = new_patient_id(session, patient_id)
    patient = Patient(patient_id=patient_id, centre_key=centre_key, **typed)
    session.add(patient)
    with conflict_on_duplicate(f"patient {patient_id!r}"):
        session.flush()
    record = _records.get(session, actor=actor, table="patients", record_id=patient.id)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "insert",
                "patients",
                patient.id,
                patient_id,
                None,
                {"centre": centre, **record.data},
            )
        ],
    )
    return record


def patient_centre(session: Session, *, actor: Actor, patient_id: str) -> str:
    """The code of a patient's centre, within the actor's centres (the site fields a
    record form shows depend on it)."""
    patient = _records.patient_in_scope(session, actor=actor, patient_id=patient_id)
    code: str = session.execute(
        sa.select(Centre.code).where(Centre.id == patient.centre_key)
    ).scalar_one()
    return code


def get_patient(session: Session, *, actor: Actor, patient_id: str) -> Record:
    """A patient by identifier, within the actor's centres."""
    patient = _records.patient_in_scope(session, actor=actor, patient_id=patient_id)
    return _records.get(session, actor=actor, table="patients", record_id=patient.id)


def update_patient(
    session: Session,
    *,
    actor: Actor,
    patient_id: str,
    version: int,
    changes: Mapping[str, Any],
    reason: str | None = None,
    today: dt.date | None = None,
    site_fields: SiteFields | None = None,
    site_values: Mapping[str, Any] | None = None,
) -> Record:
    """Change baseline values (and site values) of a patient read at ``version`` (see
    :func:`_records.update`)."""
    patient = _records.patient_in_scope(session, actor=actor, patient_id=patient_id)
    return _records.update(
        session,
        actor=actor,
        table="patients",
        record_id=patient.id,
        version=version,
        changes=changes,
        reason=reason,
        today=today,
        site_fields=site_fields,
        site_values=site_values,
    )


def list_patients(session: Session, *, actor: Actor, centre: str | None = None) -> list[str]:
    """Identifiers of the patients the actor can see (optionally of one centre), sorted."""
    query = sa.select(Patient.patient_id, Centre.code).join(Centre, Patient.centre_key == Centre.id)
    if centre is not None:
        query = query.where(Centre.code == centre)
    if not actor.all_centres:
        query = query.where(Centre.code.in_(sorted(actor.centres)))
    return sorted(row[0] for row in session.execute(query))


def timeline(session: Session, *, actor: Actor, patient_id: str) -> dict[str, list[Record]]:
    """One patient's full record: the patient row and every treatment, visit, adverse event
    and flare, each table in date order.

    Raises
    ------
    NotFoundError
        The patient is unknown or outside the actor's centres.
    """
    patient = _records.patient_in_scope(session, actor=actor, patient_id=patient_id)
    result: dict[str, list[Record]] = {
        "patients": [_records.get(session, actor=actor, table="patients", record_id=patient.id)]
    }
    site = _site_values.of_patient(session, patient_key=patient.id)
    for table in TABLES[1:]:
        source = ENTITY_TABLES[table]
        date_column = next(c.name for c in source.columns if c.name.endswith("_date"))
        cls = _records.CLASSES[table]
        rows = session.execute(
            sa.select(cls)
            .where(source.c.patient_key == patient.id)
            .order_by(source.c[date_column], source.c.id)
        ).scalars()
        result[table] = [
            dataclasses.replace(r, site=site.get((table, r.id), {}))
            for r in (_records.to_record(table, row, patient_id) for row in rows)
        ]
    if not result["patients"]:  # pragma: no cover - patient_in_scope found it
        raise NotFoundError(patient_id)
    return result
