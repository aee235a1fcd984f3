"""JSON API for signatures: sign a patient's record or a visit, unlock either, list them.

The same rules as the pages (:mod:`clears.web.routes.signatures`): the roles of
:data:`clears.registry.PERMISSIONS` (403 otherwise), the password entered again and a
meaning of :data:`clears.registry.SIGNATURE_MEANINGS` (422 naming the field otherwise, a
wrong password counted as a failed sign-in), 429 with ``Retry-After`` while the sign-in
limiter refuses, 409 for a record changed since its version was read, 404 outside the
user's centres. The password is never echoed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from clears.registry import Action, Signature, TooManyAttemptsError, unlock_record
from clears.registry.patients import timeline
from clears.web._signatures import (
    PatientTarget,
    Target,
    VisitTarget,
    sign_request,
    signing_of,
)
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, permitted
from clears.web.schemas import Version
from clears.web.users import User

__all__ = ["SignBody", "SignatureRead", "UnlockBody", "router"]

router = APIRouter(route_class=SegmentRoute, prefix="/api/patients/{patient_id}", tags=["api"])

SignerUser = Annotated[User, Depends(permitted(Action.sign, "may not sign records"))]
UnlockerUser = Annotated[User, Depends(permitted(Action.unlock, "may not unlock records"))]


class SignBody(BaseModel):
    """Sign the record read at ``version`` with ``meaning``, entering ``password`` again."""

    model_config = ConfigDict(extra="forbid")
    version: Version
    meaning: str = Field(max_length=64)
    password: str = Field(max_length=1000, repr=False)


class UnlockBody(BaseModel):
    """Unlock a signed or locked record; the reason is kept in the audit trail."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=10_000)


class SignatureRead(BaseModel):
    """A signature as stored, with its manifestation (21 CFR Part 11 §11.50)."""

    id: int
    patient_id: str
    entity: str
    record_id: int
    record_version: int
    record_sha256: str
    meaning: str
    signer: str
    signer_name: str
    signer_role: str
    signed_at: dt.datetime
    manifestation: str
    active: bool
    withdrawn_at: dt.datetime | None
    withdrawn_by: str | None
    withdrawal_reason: str | None

    @classmethod
    def of(cls, s: Signature) -> SignatureRead:
        """From a registry signature."""
        return cls(
            id=s.id,
            patient_id=s.patient_id,
            entity=s.table,
            record_id=s.record_id,
            record_version=s.record_version,
            record_sha256=s.record_sha256,
            meaning=s.meaning,
            signer=s.signer,
            signer_name=s.signer_name,
            signer_role=s.signer_role,
            signed_at=s.signed_at,
            manifestation=s.manifestation,
            active=s.active,
            withdrawn_at=s.withdrawn_at,
            withdrawn_by=s.withdrawn_by,
            withdrawal_reason=s.withdrawal_reason,
        )


@router.get("/signatures")
def signatures(patient_id: str, registry: RegistryDep, user: CurrentUser) -> list[SignatureRead]:
    """The signatures of the patient's record and visits, newest first, withdrawn included."""
    with registry.session() as session:
        records = timeline(session, actor=user.actor(), patient_id=patient_id)
        signing = signing_of(
            session, user=user, patient=records["patients"][0], visits=records["visits"]
        )
    found = [*signing.patient, *(s for group in signing.visits.values() for s in group)]
    return [SignatureRead.of(s) for s in sorted(found, key=lambda s: -s.id)]


def _sign(
    request: Request, state: StateDep, user: User, target: Target, body: SignBody
) -> Response:
    try:
        made = sign_request(
            request,
            state,
            user,
            table=target.table,
            record_id=target.record_id,
            version=body.version,
            meaning=body.meaning,
            password=body.password,
        )
    except TooManyAttemptsError as exc:
        wait = str(max(1, round(exc.seconds)))
        return JSONResponse({"detail": str(exc)}, status_code=429, headers={"Retry-After": wait})
    return JSONResponse(SignatureRead.of(made).model_dump(mode="json"), status_code=201)


# The target is looked up before the role is checked (and before the body is validated):
# another centre's record is "not found" (404) whatever the role and the body.


@router.post("/sign", status_code=201, response_model=SignatureRead, dependencies=[CSRF])
def sign_patient(
    request: Request, state: StateDep, target: PatientTarget, user: SignerUser, body: SignBody
) -> Response:
    """Sign the patient's record: it and all their records are locked from then on."""
    return _sign(request, state, user, target, body)


@router.post(
    "/visits/{record_id}/sign", status_code=201, response_model=SignatureRead, dependencies=[CSRF]
)
def sign_visit(
    request: Request, state: StateDep, target: VisitTarget, user: SignerUser, body: SignBody
) -> Response:
    """Sign a visit: it is locked from then on."""
    return _sign(request, state, user, target, body)


def _unlock(registry: RegistryDep, user: User, target: Target, reason: str) -> list[SignatureRead]:
    with registry.session() as session:
        withdrawn = unlock_record(
            session, account=user, table=target.table, record_id=target.record_id, reason=reason
        )
    return [SignatureRead.of(s) for s in withdrawn]


@router.post("/unlock", dependencies=[CSRF])
def unlock_patient(
    registry: RegistryDep, target: PatientTarget, user: UnlockerUser, body: UnlockBody
) -> list[SignatureRead]:
    """Unlock the patient's record; answers the signatures withdrawn."""
    return _unlock(registry, user, target, body.reason)


@router.post("/visits/{record_id}/unlock", dependencies=[CSRF])
def unlock_visit(
    registry: RegistryDep, target: VisitTarget, user: UnlockerUser, body: UnlockBody
) -> list[SignatureRead]:
    """Unlock a visit; answers the signatures withdrawn (none for a lock without one)."""
    return _unlock(registry, user, target, body.reason)
