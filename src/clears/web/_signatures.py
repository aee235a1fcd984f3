"""What the pages show of signatures and locks, and the signing the page and the API share.

:func:`signing_of` gathers, for one patient, every signature (withdrawn ones included) and
which records are locked, in one indexed query (:func:`clears.registry.list_signatures`),
so the patient page and the visit view show the manifestation of each signature (21 CFR
Part 11 §11.50) and hide the edit links of locked records, saying why. :func:`sign_request`
signs through :func:`clears.registry.sign_limited`, so that a wrong password counts as a
failed sign-in of the user from the request's address and is refused like one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from clears.registry import (
    SIGNATURE_MEANINGS,
    Action,
    Record,
    Signature,
    list_signatures,
    sign_limited,
)
from clears.registry.patients import get_patient
from clears.web._records import patient_record
from clears.web.deps import AppState, CurrentUser, RegistryDep
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = [
    "LOCKED_NOTE",
    "PatientTarget",
    "Signing",
    "Target",
    "VisitTarget",
    "client_address",
    "sign_request",
    "signing_of",
]

#: Why a visit locked by :func:`clears.registry.lock_visit` (no signature) is locked.
LOCKED_NOTE: Final = "locked without a signature"


@dataclass(frozen=True)
class Signing:
    """One patient's signatures and locks, as the pages show them.

    ``patient`` are the signatures of the patient's record, ``visits`` those of each
    visit (newest first, withdrawn ones included); ``locked_visits`` the visits whose lock
    flag is set.
    """

    patient_id: str
    patient_version: int
    patient: Sequence[Signature] = ()
    visits: Mapping[int, Sequence[Signature]] = field(default_factory=dict)
    locked_visits: frozenset[int] = frozenset()
    may_sign: bool = False
    may_unlock: bool = False

    @property
    def meanings(self) -> Sequence[Any]:
        """The meanings a signer chooses from, with their statements."""
        return SIGNATURE_MEANINGS

    @property
    def patient_active(self) -> list[Signature]:
        """The signatures of the patient's record that still stand."""
        return [s for s in self.patient if s.active]

    def visit_active(self, visit_id: int) -> list[Signature]:
        """The signatures of a visit that still stand."""
        return [s for s in self.visits.get(visit_id, ()) if s.active]

    def locked(self, table: str, record_id: int) -> bool:
        """Whether the record refuses edits: the patient's record is signed, or the visit
        is signed or locked (:mod:`clears.registry._locks` refuses the same)."""
        if self.patient_active:
            return True
        return table == "visits" and (
            record_id in self.locked_visits or bool(self.visit_active(record_id))
        )

    def why(self, table: str, record_id: int) -> str:
        """Why a record is locked, for the note shown in place of its edit link ("" when
        it is not locked)."""
        if self.patient_active:
            signed = self.patient_active[0].manifestation
            return signed if table == "patients" else f"the patient's record is signed: {signed}"
        if table == "visits" and self.visit_active(record_id):
            return self.visit_active(record_id)[0].manifestation
        return LOCKED_NOTE if self.locked(table, record_id) else ""


def signing_of(
    session: Session, *, user: User, patient: Record, visits: Sequence[Record]
) -> Signing:
    """The signatures and locks of ``patient`` (read with the page's other data)."""
    found = list_signatures(session, actor=user.actor(), patient_id=patient.patient_id)
    by_visit: dict[int, list[Signature]] = {}
    for signature in found:
        if signature.table == "visits":
            by_visit.setdefault(signature.record_id, []).append(signature)
    return Signing(
        patient_id=patient.patient_id,
        patient_version=patient.version,
        patient=[s for s in found if s.table == "patients"],
        visits=by_visit,
        locked_visits=frozenset(v.id for v in visits if v.data.get("locked")),
        may_sign=user.may(Action.sign),
        may_unlock=user.may(Action.unlock),
    )


@dataclass(frozen=True)
class Target:
    """The record a sign or unlock request names: the patient's record or one visit."""

    table: str
    record_id: int
    patient_id: str
    visit_id: int | None = None


def patient_target(patient_id: str, registry: RegistryDep, user: CurrentUser) -> Target:
    """The patient's record, if in the user's centres (404 otherwise). A dependency that
    runs before the role check, so another centre's patient is "not found" to every role."""
    with registry.reading().session() as session:
        patient = get_patient(session, actor=user.actor(), patient_id=patient_id)
    return Target("patients", patient.id, patient.patient_id)


def visit_target(
    patient_id: str, record_id: RecordId, registry: RegistryDep, user: CurrentUser
) -> Target:
    """The patient's visit, if in the user's centres (404 otherwise; see
    :func:`patient_target`)."""
    with registry.reading().session() as session:
        visit = patient_record(
            session, actor=user.actor(), table="visits", patient_id=patient_id, record_id=record_id
        )
    return Target("visits", visit.id, visit.patient_id, visit.id)


PatientTarget = Annotated[Target, Depends(patient_target)]
VisitTarget = Annotated[Target, Depends(visit_target)]


def client_address(request: Request) -> str:
    """The address a request comes from, as the sign-in form counts it."""
    return request.client.host if request.client else "unknown"


def sign_request(
    request: Request,
    state: AppState,
    user: User,
    *,
    table: str,
    record_id: int,
    version: int,
    meaning: str,
    password: str,
) -> Signature:
    """Sign as ``user`` from the request's address (see the module docstring)."""
    return sign_limited(
        state.registry.engine,
        state.limiter,
        address=client_address(request),
        account=user,
        password=password,
        table=table,
        record_id=record_id,
        version=version,
        meaning=meaning,
    )
