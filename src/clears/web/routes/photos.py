"""Pages of clinical photographs: a visit's photographs with the upload form, a patient's
photographs page by page, two visits side by side, a photograph's bytes, and removal.

Every lookup is scoped to the user's centres by the registry
(:mod:`clears.registry.photos`), so another centre's photograph, visit or patient is "not
found" (404), its bytes too. An upload is checked and re-encoded by the registry before
anything is written; a refused one (not an image, too big, an area that is not a CLASI
area, a caption too long) answers 422 with the form again, the caption, area and view as
typed and each problem naming its field and what is allowed, and stores nothing. A removal
needs a reason and the version shown; a stale version answers 409 with the conflict notice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.registry import Record, RegistryBusyError
from clears.registry.patients import get_patient, timeline
from clears.registry.photos import (
    AREAS,
    CAPTION_LENGTH,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    VIEW_LENGTH,
    get_photo,
    limits_text,
    recent_photos,
    remove_photo,
)
from clears.web._edge import DB_INT_MAX
from clears.web._photos import (
    PAGE_SIZE,
    Upload,
    area_choices,
    read_upload,
    served_image,
    store_upload,
)
from clears.web._photos import store_of as _store_of
from clears.web._photos import visit_photos as photos_of_visit
from clears.web._render import render
from clears.web._threaded import with_form
from clears.web._urls import SegmentRoute, patient_path
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, WriterUser
from clears.web.schemas import RecordId
from clears.web.users import User

__all__ = ["router", "visit_photos_path"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

#: The most pages of a patient's photographs that can be asked for.
_MAX_PAGES = 10_000


def visit_photos_path(patient_id: str, visit_id: int) -> str:
    """The page of a visit's photographs (where an upload or a removal lands).

    Examples
    --------
    >>> visit_photos_path("P 1", 7)
    '/patients/P%201/visits/7/photos'
    """
    return patient_path(patient_id, "visits", str(visit_id), "photos")


def _visit_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    visit_id: int,
    *,
    values: dict[str, str] | None = None,
    error: InputError | ConflictError | RegistryBusyError | None = None,
    removing: int | None = None,
    reason: str = "",
) -> Response:
    """The visit's photographs and the upload form; after a refusal, the form as typed and
    the problems (422), the conflict notice (409) or the busy notice (503)."""
    with registry.reading().session() as session:
        visit, photos = photos_of_visit(
            session, actor=user.actor(), patient_id=patient_id, visit_id=visit_id
        )
    status = 200
    if isinstance(error, InputError):
        status = 422
    elif isinstance(error, ConflictError):
        status = 409
    elif isinstance(error, RegistryBusyError):
        status = 503
    context: dict[str, Any] = {
        "patient_id": visit.patient_id,
        "visit": visit,
        "photos": photos,
        "areas": area_choices(),
        "values": values or {},
        "problems": list(error.problems) if isinstance(error, InputError) else [],
        "conflicts": [],
        "copies": [],
        "conflict": "",
        "conflict_message": str(error) if isinstance(error, ConflictError) else "",
        "busy": str(error) if isinstance(error, RegistryBusyError) else "",
        "removing": removing,
        "reason": reason,
        "allowed": limits_text(max_bytes=DEFAULT_MAX_BYTES, max_pixels=DEFAULT_MAX_PIXELS),
        "caption_length": CAPTION_LENGTH,
        "view_length": VIEW_LENGTH,
    }
    return render(request, state, user, "visit_photos.html", status=status, **context)


@router.get("/patients/{patient_id}/visits/{record_id}/photos")
def visit_photos(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    record_id: RecordId,
) -> Response:
    """A visit's photographs, newest first, with the upload form (for those who write)."""
    return _visit_page(request, state, registry, user, patient_id, record_id)


@router.post("/patients/{patient_id}/visits/{record_id}/photos", dependencies=[CSRF])
async def upload(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    record_id: RecordId,
) -> Response:
    """Attach a photograph to the visit; 303 back to the visit's photographs."""
    sent = await read_upload(request, max_bytes=DEFAULT_MAX_BYTES)
    # Reading the file needs the event loop; checking, re-encoding and writing block.
    return await run_in_threadpool(
        _upload, request, state, registry, user, patient_id, record_id, sent
    )


def _upload(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    visit_id: int,
    sent: Upload,
) -> Response:
    store = _store_of(state)
    try:
        with registry.session() as session:
            photo = store_upload(
                session,
                actor=user.actor(),
                store=store,
                patient_id=patient_id,
                visit_id=visit_id,
                sent=sent,
            )
    except (InputError, RegistryBusyError) as exc:
        return _visit_page(
            request, state, registry, user, patient_id, visit_id, values=sent.values, error=exc
        )
    return RedirectResponse(visit_photos_path(photo.patient_id, photo.visit_id), status_code=303)


@router.get("/patients/{patient_id}/photos")
def patient_photos(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    page: Annotated[int, Query(ge=1, le=_MAX_PAGES)] = 1,
) -> Response:
    """A patient's photographs, newest first, :data:`PAGE_SIZE` a page."""
    with registry.session() as session:
        # the patient as registered (' P1' names P1), for the heading and the links
        patient_id = get_patient(session, actor=user.actor(), patient_id=patient_id).patient_id
        found = recent_photos(
            session,
            actor=user.actor(),
            patient_id=patient_id,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
    return render(
        request,
        state,
        user,
        "photos.html",
        patient_id=patient_id,
        photos=found[:PAGE_SIZE],
        page=page,
        more=len(found) > PAGE_SIZE,
    )


def _side(visits: list[Record], wanted: int | None, default: Record | None) -> Record | None:
    if wanted is None:
        return default
    for visit in visits:
        if visit.id == wanted:
            return visit
    raise NotFoundError(f"no visit {wanted} of this patient")


@router.get("/patients/{patient_id}/photos/compare")
def compare(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    left: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
    right: Annotated[int | None, Query(ge=1, le=DB_INT_MAX)] = None,
    area: str | None = None,
) -> Response:
    """Two visits of one patient side by side (default: the first and the latest visit),
    all their photographs or those of one CLASI area."""
    chosen = (area or "").strip() or None
    problems = []
    if chosen is not None and chosen not in AREAS:
        problems.append(Problem("area", area, "is not a CLASI area", ", ".join(AREAS)))
        chosen = None
    actor = user.actor()
    with registry.session() as session:
        records = timeline(session, actor=actor, patient_id=patient_id)
        patient_id = records["patients"][0].patient_id
        visits = records["visits"]
        sides = [
            _side(visits, left, visits[0] if visits else None),
            _side(visits, right, visits[-1] if visits else None),
        ]
        photos = [
            []
            if visit is None
            else recent_photos(
                session,
                actor=actor,
                patient_id=patient_id,
                limit=PAGE_SIZE,
                visit_ids=(visit.id,),
                area=chosen,
            )
            for visit in sides
        ]
    return render(
        request,
        state,
        user,
        "photo_compare.html",
        status=422 if problems else 200,
        patient_id=patient_id,
        visits=visits,
        sides=list(zip(sides, photos, strict=True)),
        area=chosen or "",
        areas=area_choices(),
        problems=problems,
    )


@router.get("/photos/{photo_id}")
def image(
    state: StateDep, registry: RegistryDep, user: CurrentUser, photo_id: RecordId
) -> Response:
    """A photograph's JPEG (404 in another centre, or removed)."""
    return served_image(state, registry, user.actor(), photo_id, thumbnail=False)


@router.get("/photos/{photo_id}/thumbnail")
def thumbnail(
    state: StateDep, registry: RegistryDep, user: CurrentUser, photo_id: RecordId
) -> Response:
    """A photograph's thumbnail, as stored with it."""
    return served_image(state, registry, user.actor(), photo_id, thumbnail=True)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/photos/{photo_id}/remove", dependencies=[CSRF])
async def remove(
    request: Request, state: StateDep, registry: RegistryDep, user: WriterUser, photo_id: RecordId
) -> Response:
    """Remove a photograph (softly, with a reason) read at the version the form carries."""
    return await with_form(request, _remove, request, state, registry, user, photo_id)


def _remove(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: User,
    photo_id: int,
    form: FormData,
) -> Response:
    with registry.reading().session() as session:  # a removed one too: 409 says by whom
        photo = get_photo(session, actor=user.actor(), photo_id=photo_id, removed=True)
    raw = _field(form, "version")
    version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else -1
    reason = _field(form, "reason")
    try:
        with registry.session() as session:
            remove_photo(
                session, actor=user.actor(), photo_id=photo_id, version=version, reason=reason
            )
    except (InputError, ConflictError, RegistryBusyError) as exc:
        return _visit_page(
            request,
            state,
            registry,
            user,
            photo.patient_id,
            photo.visit_id,
            error=exc,
            removing=photo_id,
            reason=reason,
        )
    return RedirectResponse(visit_photos_path(photo.patient_id, photo.visit_id), status_code=303)
