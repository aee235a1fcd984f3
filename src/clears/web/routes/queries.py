"""Pages of data queries: a centre's list (status filter, age, pages), one query with its
thread and the forms of the steps the user may take, and the saves of those forms and of
the patient page's "open a query" form.

Another centre's query, patient or record is 404 for every role; then each step's role
check reads :data:`clears.registry.PERMISSIONS` (:mod:`clears.web._queries`): a refused role
is 403 naming the role. A refused save (blank text, a field that is not a column of the
table, a value the field does not allow, a step the status does not allow) answers 422
with the form as typed and each problem naming its field and what is allowed; a stale
version answers 409 with the notice and the form as typed; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.registry import RegistryBusyError, centre_codes
from clears.registry.patients import get_patient, timeline
from clears.registry.queries import (
    QUERY_STATUSES,
    QUERY_TABLES,
    QUERY_TEXT_LENGTH,
    QUERY_VALUE_LENGTH,
    STEP_NAMES,
    answer_query,
    close_query,
    correct_query,
    fields_of,
    get_query,
    list_queries,
    open_query,
    query_counts,
    reopen_query,
)
from clears.registry.records import get_record
from clears.web._edge import DB_INT_MAX
from clears.web._queries import (
    check_step,
    record_label,
    steps_for,
    target_value,
)
from clears.web._render import render
from clears.web._threaded import with_form
from clears.web._urls import SegmentRoute, patient_path, segment
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["query_path", "router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

#: Queries per page of the list.
PAGE_SIZE: Final = 50


def query_path(query_id: int) -> str:
    """The page of one query.

    Examples
    --------
    >>> query_path(7)
    '/queries/7'
    """
    return f"/queries/{segment(query_id)}"


async def _with_form(request: Request, work: Callable[..., Response], *args: Any) -> Response:
    """``work(*args, form)`` in the thread pool, with the request's form read first (reading
    needs the event loop; the registry's work blocks)."""
    return await with_form(request, work, *args)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _number(raw: str) -> int:
    """A form's number, or -1 (never a version or a record) when it is not one."""
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 11 else -1


def _status_of(error: Exception | None) -> int:
    if isinstance(error, InputError):
        return 422
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, RegistryBusyError):
        return 503
    return 200


def _notices(error: Exception | None) -> dict[str, Any]:
    return {
        "problems": list(error.problems) if isinstance(error, InputError) else [],
        "conflicts": [],
        "copies": [],
        "conflict": "",
        "conflict_message": str(error) if isinstance(error, ConflictError) else "",
        "busy": str(error) if isinstance(error, RegistryBusyError) else "",
    }


@router.get("/queries")
def queries_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    centre: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    after: Annotated[int | None, Query(ge=0, le=DB_INT_MAX)] = None,
) -> Response:
    """A centre's queries, oldest first, with their age in days; one page at a time."""
    chosen = status if status in QUERY_STATUSES else None
    with registry.session() as session:
        centres = centre_codes(session, actor=user.actor())
        code = centre if centre in centres else (centres[0] if centres else None)
        page = None
        if code is not None:
            page = list_queries(
                session,
                actor=user.actor(),
                centre=code,
                status=chosen,
                after=after,
                limit=PAGE_SIZE,
            )
        counts = query_counts(session, actor=user.actor(), centres=[code] if code else [])
    return render(
        request,
        state,
        user,
        "queries.html",
        centres=centres,
        centre=code,
        chosen_status=chosen,
        statuses=QUERY_STATUSES,
        page=page,
        counts=counts.get(code or "", {}),
        after=after,
    )


def _query_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    query_id: int,
    *,
    error: Exception | None = None,
    step: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """One query, its thread and the forms of the steps the user may take; after a refused
    step, that form as typed with the problems (422), the conflict (409) or busy (503)."""
    with registry.reading().session() as session:
        query = get_query(session, actor=user.actor(), query_id=query_id)
        try:
            record = get_record(
                session,
                actor=user.actor(),
                table=query.table,  # type: ignore[arg-type]  # one of QUERY_TABLES
                record_id=query.record_id,
            )
        except NotFoundError:  # the record was deleted since
            record = None
    return render(
        request,
        state,
        user,
        "query.html",
        status=_status_of(error),
        query=query,
        record=record,
        steps=steps_for(user, query),
        step_names=STEP_NAMES,
        failed_step=step,
        values=values or {},
        text_length=QUERY_TEXT_LENGTH,
        value_length=QUERY_VALUE_LENGTH,
        **_notices(error),
    )


@router.get("/queries/{query_id}")
def query_page(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, query_id: RecordId
) -> Response:
    """One query with its thread and the forms of the steps the user may take."""
    return _query_page(request, state, registry, user, query_id)


def _back(form: FormData, query: Any) -> str:
    """Where a step lands: the patient page's query section, or the query's page."""
    if _field(form, "back") == "patient":
        return patient_path(query.patient_id) + "#queries"
    return query_path(query.id)


def _take(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    query_id: int,
    step: str,
    form: FormData,
) -> Response:
    with registry.reading().session() as session:
        get_query(session, actor=user.actor(), query_id=query_id)  # another centre's: 404
    check_step(user, step)
    version = _number(_field(form, "version"))
    text = _field(form, "text")
    typed = {"text": text, "value": _field(form, "value")}
    try:
        with registry.session() as session:
            actor = user.actor()
            if step == "answer":
                query = answer_query(
                    session,
                    actor=actor,
                    role=user.role,
                    query_id=query_id,
                    version=version,
                    text=text,
                )
            elif step == "correct":
                query = correct_query(
                    session,
                    actor=actor,
                    role=user.role,
                    query_id=query_id,
                    version=version,
                    record_version=_number(_field(form, "record_version")),
                    value=typed["value"],
                    text=text,
                )
            elif step == "close":
                query = close_query(
                    session,
                    actor=actor,
                    role=user.role,
                    query_id=query_id,
                    version=version,
                    text=text,
                )
            else:
                query = reopen_query(
                    session,
                    actor=actor,
                    role=user.role,
                    query_id=query_id,
                    version=version,
                    text=text,
                )
    except (InputError, ConflictError, RegistryBusyError) as exc:
        return _query_page(
            request, state, registry, user, query_id, error=exc, step=step, values=typed
        )
    return RedirectResponse(_back(form, query), status_code=303)


@router.post("/queries/{query_id}/answer", dependencies=[CSRF])
async def answer(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, query_id: RecordId
) -> Response:
    """Answer an open query."""
    return await _with_form(request, _take, request, state, registry, user, query_id, "answer")


@router.post("/queries/{query_id}/correction", dependencies=[CSRF])
async def correct(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, query_id: RecordId
) -> Response:
    """Answer an open query by correcting the field (the record changes, audited)."""
    return await _with_form(request, _take, request, state, registry, user, query_id, "correct")


@router.post("/queries/{query_id}/close", dependencies=[CSRF])
async def close(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, query_id: RecordId
) -> Response:
    """Close an answered query."""
    return await _with_form(request, _take, request, state, registry, user, query_id, "close")


@router.post("/queries/{query_id}/reopen", dependencies=[CSRF])
async def reopen(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, query_id: RecordId
) -> Response:
    """Re-open an answered or closed query (with the reason)."""
    return await _with_form(request, _take, request, state, registry, user, query_id, "reopen")


def _target(raw: str) -> tuple[str, int | None]:
    """The table and record of the form's record list (``visits:3``).

    Examples
    --------
    >>> _target("visits:3"), _target("labs"), _target("visits:x")
    (('visits', 3), ('labs', None), ('visits', -1))
    """
    table, _, number = raw.partition(":")
    return table, (_number(number) if number else None)


def _open(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    form: FormData,
) -> Response:
    with registry.reading().session() as session:
        get_patient(session, actor=user.actor(), patient_id=patient_id)  # another centre's: 404
    check_step(user, "open")
    typed = {name: _field(form, name) for name in ("target", "field", "text", "proposed_value")}
    table, record_id = _target(typed["target"])
    try:
        if not typed["target"]:
            raise InputError(Problem("target", None, "is required", "a record of the patient"))
        with registry.session() as session:
            query = open_query(
                session,
                actor=user.actor(),
                role=user.role,
                patient_id=patient_id,
                table=table,
                record_id=record_id,
                field=typed["field"],
                text=typed["text"],
                proposed_value=typed["proposed_value"] or None,
            )
    except (InputError, RegistryBusyError) as exc:
        return _open_page(request, state, registry, user, patient_id, typed, exc)
    return RedirectResponse(patient_path(query.patient_id) + "#queries", status_code=303)


def _open_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    typed: dict[str, str],
    error: Exception,
) -> Response:
    """The open-a-query form as typed, with the problems (422) or the busy notice (503)."""
    with registry.reading().session() as session:
        records = timeline(session, actor=user.actor(), patient_id=patient_id)
    targets = [
        (target_value(table, r.id), record_label(r))
        for table in QUERY_TABLES
        for r in records.get(table, ())
    ]
    return render(
        request,
        state,
        user,
        "query_new.html",
        status=_status_of(error),
        patient_id=records["patients"][0].patient_id,
        targets=targets,
        fields=[(table, fields_of(table)) for table in QUERY_TABLES],
        values=typed,
        text_length=QUERY_TEXT_LENGTH,
        value_length=QUERY_VALUE_LENGTH,
        **_notices(error),
    )


@router.post("/patients/{patient_id}/queries", dependencies=[CSRF])
async def open_(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, patient_id: str
) -> Response:
    """Open a query on a field of one of the patient's records; 303 to the patient page."""
    return await _with_form(request, _open, request, state, registry, user, patient_id)
