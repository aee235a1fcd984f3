"""JSON API of clinical photographs: a visit's photographs (metadata), an upload, a
photograph's bytes.

Scoped and refused like every API route: another centre's patient, visit or photograph is
404; an upload needs a write scope (an API token of scope read is 403) or, signed in, the
CSRF header; a refused upload is 422 with each problem's field and what is allowed, and
stores nothing. The upload is ``multipart/form-data`` with the file in field ``photo`` and
optional ``area`` (a CLASI area), ``caption`` and ``view``; it is read by the route itself,
after the patient and the visit were found, so that another centre's visit is 404 whatever
was sent.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from clears.registry.photos import (
    AREAS,
    CAPTION_LENGTH,
    DEFAULT_MAX_BYTES,
    VIEW_LENGTH,
    remove_photo,
)
from clears.web._photos import Upload, read_upload, served_image, store_of, store_upload
from clears.web._photos import visit_photos as photos_of_visit
from clears.web._urls import SegmentRoute
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, WriterUser
from clears.web.schemas import PhotoRead, PhotoRemoval, RecordId
from clears.web.users import User

__all__ = ["router"]

router = APIRouter(route_class=SegmentRoute, prefix="/api", tags=["api"])

#: The upload's body in the OpenAPI schema (the route reads the form itself).
_UPLOAD_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["photo"],
                    "properties": {
                        "photo": {"type": "string", "format": "binary"},
                        "area": {"type": "string", "enum": list(AREAS)},
                        "caption": {"type": "string", "maxLength": CAPTION_LENGTH},
                        "view": {"type": "string", "maxLength": VIEW_LENGTH},
                    },
                }
            }
        },
    }
}


@router.get("/patients/{patient_id}/visits/{record_id}/photos")
def visit_photos(
    patient_id: str, record_id: RecordId, registry: RegistryDep, user: CurrentUser
) -> list[PhotoRead]:
    """The visit's photographs, newest first (removed ones left out)."""
    with registry.session() as session:
        _, found = photos_of_visit(
            session, actor=user.actor(), patient_id=patient_id, visit_id=record_id
        )
    return [PhotoRead.of(photo) for photo in found]


@router.post(
    "/patients/{patient_id}/visits/{record_id}/photos",
    status_code=201,
    dependencies=[CSRF],
    openapi_extra=_UPLOAD_BODY,
)
async def upload(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: WriterUser,
    patient_id: str,
    record_id: RecordId,
) -> PhotoRead:
    """Attach a photograph to the visit (re-encoded without metadata, stored once)."""
    sent = await read_upload(request, max_bytes=DEFAULT_MAX_BYTES)
    return await run_in_threadpool(_upload, state, registry, user, patient_id, record_id, sent)


def _upload(
    state: StateDep,
    registry: RegistryDep,
    user: User,
    patient_id: str,
    visit_id: int,
    sent: Upload,
) -> PhotoRead:
    store = store_of(state)
    with registry.session() as session:
        photo = store_upload(
            session,
            actor=user.actor(),
            store=store,
            patient_id=patient_id,
            visit_id=visit_id,
            sent=sent,
        )
    return PhotoRead.of(photo)


@router.get(
    "/photos/{photo_id}/image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "The JPEG."}},
)
def image(
    photo_id: RecordId,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    thumbnail: bool = False,
) -> Response:
    """A photograph's JPEG, or its thumbnail (``thumbnail=true``)."""
    return served_image(state, registry, user.actor(), photo_id, thumbnail=thumbnail)


@router.post("/photos/{photo_id}/removal", dependencies=[CSRF])
def remove(
    photo_id: RecordId, removal: PhotoRemoval, registry: RegistryDep, user: WriterUser
) -> PhotoRead:
    """Remove a photograph softly: hidden from then on, its file and row kept, the removal
    audited with its reason. 409 when it changed since it was read at ``version``, or a
    colleague removed it already (the message says who, when and why)."""
    with registry.session() as session:
        photo = remove_photo(
            session,
            actor=user.actor(),
            photo_id=photo_id,
            version=removal.version,
            reason=removal.reason,
        )
    return PhotoRead.of(photo)
