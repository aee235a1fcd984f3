"""JSON API of data queries: a centre's list and counts, a patient's queries, one query with
its thread, and each step (open, answer, correct, close, re-open).

Refused like every API route: another centre's patient, record or query is 404 (for every
role); a role whose :data:`clears.registry.PERMISSIONS` entry does not allow the step is 403
naming the role (:mod:`clears.web._queries`); a stale ``version`` is 409 with the current
one; a field that is not a column of the table is 422 naming the allowed ones; nothing is
written then. The body of ``open`` is read after the patient was found (as the photographs'
upload is), so another centre's patient is 404 whatever was sent.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from clears.registry import centre_codes
from clears.registry.patients import get_patient
from clears.registry.queries import (
    MAX_PAGE,
    UNRESOLVED,
    answer_query,
    close_query,
    correct_query,
    get_query,
    list_queries,
    open_query,
    patient_queries,
    query_counts,
    reopen_query,
)
from clears.web._edge import DB_INT_MAX
from clears.web._queries import QueryCorrection, QueryOpen, QueryRead, QueryStep, check_step
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, prefix="/api", tags=["api"])


class QueryPageRead(BaseModel):
    """A page of a centre's queries and the ``after`` of the next page (null on the last)."""

    queries: list[QueryRead]
    next_after: int | None


@router.get("/queries")
def centre_queries(
    registry: RegistryDep,
    user: CurrentUser,
    centre: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    after: Annotated[int | None, Query(ge=0, le=DB_INT_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> QueryPageRead:
    """A centre's queries (of one status), oldest first, one page after query ``after``
    (``centre``: by default the first of yours)."""
    with registry.session() as session:
        if centre is None:
            centre = next(iter(centre_codes(session, actor=user.actor())), "")
        page = list_queries(
            session, actor=user.actor(), centre=centre, status=status, after=after, limit=limit
        )
    return QueryPageRead(
        queries=[QueryRead.of(q) for q in page.queries], next_after=page.next_after
    )


@router.get("/queries/counts")
def counts(registry: RegistryDep, user: CurrentUser) -> dict[str, dict[str, int]]:
    """How many queries each of your centres has of each status."""
    with registry.session() as session:
        return query_counts(session, actor=user.actor())


@router.get("/queries/{query_id}")
def one_query(query_id: RecordId, registry: RegistryDep, user: CurrentUser) -> QueryRead:
    """One query with its thread."""
    with registry.session() as session:
        return QueryRead.of(get_query(session, actor=user.actor(), query_id=query_id))


@router.get("/patients/{patient_id}/queries")
def of_patient(
    patient_id: str,
    registry: RegistryDep,
    user: CurrentUser,
    status: Annotated[list[str] | None, Query(max_length=3)] = None,
) -> list[QueryRead]:
    """The patient's queries (by default the unresolved ones: open and answered)."""
    with registry.session() as session:
        found = patient_queries(
            session,
            actor=user.actor(),
            patient_id=patient_id,
            statuses=status or UNRESOLVED,
        )
    return [QueryRead.of(q) for q in found]


#: The body of ``open`` in the OpenAPI schema (the route reads it itself, after the patient
#: was found, so that another centre's patient is 404 whatever was sent).
_OPEN_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": QueryOpen.model_json_schema()}},
    }
}


@router.post(
    "/patients/{patient_id}/queries",
    status_code=201,
    dependencies=[CSRF],
    openapi_extra=_OPEN_BODY,
    response_model=QueryRead,
)
async def open_(
    request: Request, patient_id: str, registry: RegistryDep, user: CurrentUser
) -> QueryRead:
    """Open a query on a field of one of the patient's records (body: ``QueryOpen``)."""
    sent = await request.body()
    return await run_in_threadpool(_open, sent, patient_id, registry, user)


def _open(sent: bytes, patient_id: str, registry: RegistryDep, user: User) -> QueryRead:
    with registry.session() as session:
        get_patient(session, actor=user.actor(), patient_id=patient_id)  # 404 first
        check_step(user, "open")
        try:
            body = QueryOpen.model_validate_json(sent or b"null")
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
            ) from None
        query = open_query(
            session,
            actor=user.actor(),
            role=user.role,
            patient_id=patient_id,
            table=body.table,
            record_id=body.record_id,
            field=body.field,
            text=body.text,
            proposed_value=body.proposed_value,
        )
    return QueryRead.of(query)


@router.post("/queries/{query_id}/answer", dependencies=[CSRF])
def answer(
    query_id: RecordId, body: QueryStep, registry: RegistryDep, user: CurrentUser
) -> QueryRead:
    """Answer an open query."""
    with registry.session() as session:
        get_query(session, actor=user.actor(), query_id=query_id)  # 404 first
        check_step(user, "answer")
        query = answer_query(
            session,
            actor=user.actor(),
            role=user.role,
            query_id=query_id,
            version=body.version,
            text=body.text,
        )
    return QueryRead.of(query)


@router.post("/queries/{query_id}/correction", dependencies=[CSRF])
def correct(
    query_id: RecordId, body: QueryCorrection, registry: RegistryDep, user: CurrentUser
) -> QueryRead:
    """Answer an open query by correcting the field (the record changes, audited with a
    reason naming the query)."""
    with registry.session() as session:
        get_query(session, actor=user.actor(), query_id=query_id)  # 404 first
        check_step(user, "correct")
        query = correct_query(
            session,
            actor=user.actor(),
            role=user.role,
            query_id=query_id,
            version=body.version,
            record_version=body.record_version,
            value=body.value,
            text=body.text,
        )
    return QueryRead.of(query)


@router.post("/queries/{query_id}/close", dependencies=[CSRF])
def close(
    query_id: RecordId, body: QueryStep, registry: RegistryDep, user: CurrentUser
) -> QueryRead:
    """Close an answered query."""
    with registry.session() as session:
        get_query(session, actor=user.actor(), query_id=query_id)  # 404 first
        check_step(user, "close")
        query = close_query(
            session,
            actor=user.actor(),
            role=user.role,
            query_id=query_id,
            version=body.version,
            text=body.text,
        )
    return QueryRead.of(query)


@router.post("/queries/{query_id}/reopen", dependencies=[CSRF])
def reopen(
    query_id: RecordId, body: QueryStep, registry: RegistryDep, user: CurrentUser
) -> QueryRead:
    """Re-open an answered or closed query (the text says why)."""
    with registry.session() as session:
        get_query(session, actor=user.actor(), query_id=query_id)  # 404 first
        check_step(user, "reopen")
        query = reopen_query(
            session,
            actor=user.actor(),
            role=user.role,
            query_id=query_id,
            version=body.version,
            text=body.text,
        )
    return QueryRead.of(query)
