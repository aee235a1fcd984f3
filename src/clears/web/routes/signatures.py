"""Pages that sign and unlock: a patient's signatures, a visit's view, Sign and Unlock.

An investigator signs the patient's record (``/patients/{id}/sign``) or a visit
(``/patients/{id}/visits/{visit}/sign``) by choosing a meaning and entering their password
again (21 CFR Part 11 §11.50, §11.200(a)); an administrator unlocks either with a reason.
Who may do which is :data:`clears.registry.PERMISSIONS` (``Action.sign``,
``Action.unlock``): another role is refused with 403 before anything is read. A refused
signature answers with the page again, the meaning chosen kept and the password never
echoed: 422 for a wrong password (counted as a failed sign-in, :mod:`clears.web._signatures`)
or a bad meaning, 429 with ``Retry-After`` once the sign-in limiter refuses the user or
address, 409 when the record changed since it was read. Another centre's patient or visit
is "not found" (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from clears._exceptions import ConflictError, InputError
from clears.registry import (
    Action,
    Record,
    TooManyAttemptsError,
    unlock_record,
)
from clears.registry.patients import timeline
from clears.web._records import patient_record
from clears.web._render import render
from clears.web._signatures import (
    PatientTarget,
    Target,
    VisitTarget,
    sign_request,
    signing_of,
)
from clears.web._urls import SegmentRoute, patient_path
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, permitted
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["router", "visit_signatures_path"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

SignerUser = Annotated[User, Depends(permitted(Action.sign, "may not sign records"))]
UnlockerUser = Annotated[User, Depends(permitted(Action.unlock, "may not unlock records"))]

_PASSWORD: Final = 1000
_MEANING: Final = 64
_REASON: Final = 10_000
_VERSION: Final = 12


def visit_signatures_path(patient_id: str, visit_id: int) -> str:
    """The visit's view, with its signatures and the Sign and Unlock forms.

    Examples
    --------
    >>> visit_signatures_path("P 1", 7)
    '/patients/P%201/visits/7/signatures'
    """
    return patient_path(patient_id, "visits", str(visit_id), "signatures")


def _version(raw: str) -> int:
    """The version a form carried (-1, always stale, when it is not a number)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < _VERSION else -1


def _page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    visit_id: int | None = None,
    *,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    error: Exception | None = None,
) -> Response:
    """The patient's signatures page, or the visit's view, with a refusal if any."""
    with registry.reading().session() as session:
        actor = user.actor()
        records = timeline(session, actor=actor, patient_id=patient_id)
        patient: Record = records["patients"][0]
        visit = (
            None
            if visit_id is None
            else patient_record(
                session, actor=actor, table="visits", patient_id=patient_id, record_id=visit_id
            )
        )
        signing = signing_of(session, user=user, patient=patient, visits=records["visits"])
    context: dict[str, Any] = {
        "signing": signing,
        "values": dict(values or {}),
        "problems": list(error.problems) if isinstance(error, InputError) else [],
        "refusal": str(error) if error is not None and not isinstance(error, InputError) else "",
    }
    template = "signatures.html" if visit is None else "visit.html"
    response = render(request, state, user, template, status=status, visit=visit, **context)
    if isinstance(error, TooManyAttemptsError):
        response.headers["Retry-After"] = str(max(1, round(error.seconds)))
    return response


@router.get("/patients/{patient_id}/signatures")
def patient_signatures(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, patient_id: str
) -> Response:
    """Every signature of the patient's record and visits, withdrawn ones included."""
    return _page(request, state, registry, user, patient_id)


@router.get("/patients/{patient_id}/visits/{record_id}/signatures")
def visit_view(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    record_id: RecordId,
) -> Response:
    """A visit's values, its signatures, and the Sign and Unlock forms the role allows."""
    return _page(request, state, registry, user, patient_id, record_id)


def _landing(target: Target) -> str:
    if target.visit_id is None:
        return patient_path(target.patient_id)
    return visit_signatures_path(target.patient_id, target.visit_id)


def _sign(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    target: Target,
    *,
    meaning: str,
    password: str,
    version: str,
) -> Response:
    kept = {"meaning": meaning}  # never the password
    try:
        sign_request(
            request,
            state,
            user,
            table=target.table,
            record_id=target.record_id,
            version=_version(version),
            meaning=meaning,
            password=password,
        )
    except (InputError, TooManyAttemptsError, ConflictError) as exc:
        status = (
            422
            if isinstance(exc, InputError)
            else 429
            if isinstance(exc, TooManyAttemptsError)
            else 409
        )
        return _page(
            request,
            state,
            registry,
            user,
            target.patient_id,
            target.visit_id,
            status=status,
            values=kept,
            error=exc,
        )
    return RedirectResponse(_landing(target), status_code=303)


# The target is looked up before the role is checked: another centre's record is "not
# found" (404) whatever the role; a role the table refuses gets 403 on its own centres'.


@router.post("/patients/{patient_id}/sign", dependencies=[CSRF])
def sign_patient(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    target: PatientTarget,
    user: SignerUser,
    meaning: Annotated[str, Form(max_length=_MEANING)] = "",
    password: Annotated[str, Form(max_length=_PASSWORD)] = "",
    version: Annotated[str, Form(max_length=_VERSION)] = "",
) -> Response:
    """Sign the patient's record (it and all their records are locked from then on)."""
    return _sign(
        request, state, registry, user, target, meaning=meaning, password=password, version=version
    )


@router.post("/patients/{patient_id}/visits/{record_id}/sign", dependencies=[CSRF])
def sign_visit(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    target: VisitTarget,
    user: SignerUser,
    meaning: Annotated[str, Form(max_length=_MEANING)] = "",
    password: Annotated[str, Form(max_length=_PASSWORD)] = "",
    version: Annotated[str, Form(max_length=_VERSION)] = "",
) -> Response:
    """Sign a visit (it is locked from then on)."""
    return _sign(
        request, state, registry, user, target, meaning=meaning, password=password, version=version
    )


def _unlock(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    target: Target,
    reason: str,
) -> Response:
    try:
        with registry.session() as session:
            unlock_record(
                session,
                account=user,
                table=target.table,
                record_id=target.record_id,
                reason=reason,
            )
    except InputError as exc:
        return _page(
            request,
            state,
            registry,
            user,
            target.patient_id,
            target.visit_id,
            status=422,
            values={"reason": reason},
            error=exc,
        )
    return RedirectResponse(_landing(target), status_code=303)


@router.post("/patients/{patient_id}/unlock", dependencies=[CSRF])
def unlock_patient(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    target: PatientTarget,
    user: UnlockerUser,
    reason: Annotated[str, Form(max_length=_REASON)] = "",
) -> Response:
    """Unlock the patient's record: its signatures are withdrawn, with the reason."""
    return _unlock(request, state, registry, user, target, reason)


@router.post("/patients/{patient_id}/visits/{record_id}/unlock", dependencies=[CSRF])
def unlock_visit(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    target: VisitTarget,
    user: UnlockerUser,
    reason: Annotated[str, Form(max_length=_REASON)] = "",
) -> Response:
    """Unlock a visit: its signatures are withdrawn and its lock flag cleared."""
    return _unlock(request, state, registry, user, target, reason)
