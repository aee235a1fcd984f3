"""Pages: the patient list, enrolment, the patient page and a record's audit history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clears._exceptions import ConflictError, InputError, Problem
from clears.cohort import TABLES
from clears.instruments.clasi import ACTIVITY_MAX, DAMAGE_MAX
from clears.instruments.sledai import MAXIMUM as SLEDAI_MAX
from clears.registry import (
    RECORD_NOUNS,
    RegistryBusyError,
    audit,
    centre_codes,
    patient_list_page,
)
from clears.registry.patients import create_patient, get_patient, timeline
from clears.web import _patient_view as view
from clears.web._audit import entry_row
from clears.web._cohort import cohort_for, with_all_columns
from clears.web._dose_chart import dose_timeline
from clears.web._enrol import id_refusal
from clears.web._form_status import status_section
from clears.web._forms import submitted, table_fields
from clears.web._patient_list import (
    FILTER_LABELS,
    PAGE_SIZES,
    SORT_LABELS,
    ListRequest,
    list_parameters,
    list_query,
    list_request,
)
from clears.web._photos import photo_strip
from clears.web._presets import PRESETS
from clears.web._queries import query_panel
from clears.web._render import render
from clears.web._signatures import signing_of
from clears.web._urls import SegmentRoute, patient_path
from clears.web._worklist import app_cache
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, WriterUser
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)


@router.get("/")
def home() -> Response:
    """Go to the patient list."""
    return RedirectResponse("/patients", status_code=303)


@router.get("/patients")
def patients(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    given: Annotated[ListRequest, Depends(list_request)],
) -> Response:
    """The patients of the user's centres, one page at a time: search by id, filters, sort
    (docs/web.md, "The patient list")."""
    actor = user.actor()
    protocol = app_cache(request.app, state.settings.protocol).label
    form = {"q": given.q, "centre": given.centre, "filters": set(given.filters)}
    form |= {"sort": given.sort, "limit": given.limit}
    context: dict[str, Any] = {"form": form, "filter_labels": FILTER_LABELS}
    context |= {"sort_labels": SORT_LABELS, "page_sizes": PAGE_SIZES}
    with registry.session() as session:
        context["centres"] = centre_codes(session, actor=actor)
        try:
            query = list_query(given, as_of=dt.date.today(), protocol=protocol)
            page = patient_list_page(session, actor=actor, query=query)
        except InputError as exc:
            context |= {"page": None, "query": None, "problems": exc.problems}
            return render(request, state, user, "patients.html", status=422, **context)
    form |= {"sort": query.sort, "limit": str(query.limit), "filters": set(query.filters)}
    return render(
        request,
        state,
        user,
        "patients.html",
        query=query,
        page=page,
        params=list_parameters(query),
        unscreened_params=list_parameters(query, unscreened=True),
        problems=[],
        **context,
    )


def _enrol_page(
    request: Request,
    state: StateDep,
    user: CurrentUser,
    registry: RegistryDep,
    *,
    values: dict[str, str],
    problems: list[Any],
    status: int = 200,
    busy: str = "",
) -> Response:
    # Only reads: the form comes back while an import holds the write lock too.
    with registry.reading().session() as session:
        centres = centre_codes(session, actor=user.actor())
    return render(
        request,
        state,
        user,
        "patient_new.html",
        status=status,
        fields=table_fields("patients"),
        centres=centres,
        values=values,
        problems=problems,
        busy=busy,
    )


@router.get("/patients/new")
def enrol_form(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser
) -> Response:
    """The enrolment form."""
    return _enrol_page(request, state, user, registry, values={}, problems=[])


@router.post("/patients/new", dependencies=[CSRF])
async def enrol(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser
) -> Response:
    """Enrol a patient; a rejected save keeps every value and points at the fields."""
    values = submitted(await request.form())
    # Reading the form needs the event loop; the write blocks, so it runs in the thread pool.
    return await run_in_threadpool(_enrol, request, state, registry, user, values)


def _enrol(
    request: Request, state: StateDep, registry: RegistryDep, user: User, values: dict[str, str]
) -> Response:
    patient_id = values.pop("patient_id", "")
    centre = values.pop("centre", "")
    try:
        with registry.session() as session:
            record = create_patient(
                session,
                actor=user.actor(),
                patient_id=patient_id,
                centre=centre,
                values=values,
            )
    except (InputError, ConflictError, RegistryBusyError) as exc:
        # Every refusal comes back as the form with every value typed and the reason: a
        # taken id (409, one answer wherever it is held: clears.web._enrol), a registry
        # busy with an import (503: nothing was written, save again later) or bad values.
        typed = {"patient_id": patient_id, "centre": centre, **values}
        if isinstance(exc, RegistryBusyError):
            return _enrol_page(
                request, state, user, registry, status=503, values=typed, problems=[], busy=str(exc)
            )
        if isinstance(exc, ConflictError):
            refusal = str(id_refusal(patient_id))
            problems = [Problem("patient_id", patient_id, refusal)]
            return _enrol_page(
                request, state, user, registry, status=409, values=typed, problems=problems
            )
        return _enrol_page(
            request, state, user, registry, status=422, values=typed, problems=list(exc.problems)
        )
    return RedirectResponse(patient_path(record.patient_id), status_code=303)


@router.get("/patients/{patient_id}")
def patient_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    criteria: str | None = None,
    saved: str | None = None,
) -> Response:
    """Timeline, scores over time, events, response status and decision support.

    After a record form's save (``?saved=TABLE``) the page opens saying so, with the count
    of data-quality warnings in the patient's records and a link to them.

    The response is shown under the criteria preset the decision-support protocol names
    unless another bundled preset is asked for, so the page and the advice on it classify
    the same data the same way (issue 12, hazard 11).
    """
    own = view.protocol_criteria(state.settings.protocol)
    preset = criteria if criteria in PRESETS else (own if own in PRESETS else PRESETS[0])
    actor = user.actor()
    with registry.session() as session:
        records = timeline(session, actor=actor, patient_id=patient_id)
        patient_id = records["patients"][0].patient_id  # as registered (' P01' names P01)
        cohort = cohort_for(session, actor=actor, patient_ids=[patient_id])
        photos = photo_strip(session, actor=actor, patient_id=patient_id)
        signing = signing_of(
            session, user=user, patient=records["patients"][0], visits=records["visits"]
        )
        form_status = status_section(session, actor=actor, records=records)
        queries = query_panel(session, user=user, patient_id=patient_id, records=records)
    complete = with_all_columns(cohort)
    visits = records["visits"]
    today = dt.date.today()
    return render(
        request,
        state,
        user,
        "patient.html",
        patient=records["patients"][0],
        records=records,
        tables=TABLES[1:],
        dose=dose_timeline(records["treatments"], as_of=today),
        charts=[
            view.series(visits, "clasi_a", ACTIVITY_MAX),
            view.series(visits, "clasi_d", DAMAGE_MAX),
            view.series(visits, "sledai", SLEDAI_MAX),
        ],
        grades={v.id: view.lab_grades(v.data) for v in visits},
        response=view.response_status(cohort, patient_id, preset),
        presets=PRESETS,
        preset=preset,
        advice=view.advice(complete, patient_id, as_of=today, protocol=state.settings.protocol),
        quality=view.quality_findings(cohort, state.quality_rules),
        photos=photos,
        signing=signing,
        form_status=form_status,
        query_panel=queries,
        saved=("baseline" if saved == "patients" else RECORD_NOUNS.get(saved or "")),
    )


@router.get("/patients/{patient_id}/audit")
def patient_audit(
    request: Request, state: StateDep, registry: RegistryDep, user: CurrentUser, patient_id: str
) -> Response:
    """Every audited change to the patient and their records, oldest first."""
    with registry.session() as session:
        patient_id = get_patient(session, actor=user.actor(), patient_id=patient_id).patient_id
        entries = audit.history(session, actor=user.actor(), patient_id=patient_id)
        rows = [entry_row(e) for e in entries]
    return render(
        request,
        state,
        user,
        "audit.html",
        patient_id=patient_id,
        subject=f"patient {patient_id} and their records",
        entries=rows,
    )
