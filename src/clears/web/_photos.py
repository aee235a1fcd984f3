"""What the photograph pages and the photographs API share: the photo store of the app, an
upload read from a form, the bounded strip of a patient's newest photographs, and the
answer that serves a photograph's bytes.

A photograph is served as ``image/jpeg`` (every stored file is a JPEG re-encoded without
metadata: :mod:`clears.registry.photos`) with ``Cache-Control: private, no-store`` (no
shared or browser cache keeps a clinical image), ``X-Content-Type-Options: nosniff`` and
``Content-Disposition: inline`` under a name made of the photograph's row number only
(``photo-12.jpg``, ``photo-12-thumbnail.jpg``): never the patient, the date or the name of
the file uploaded. Thumbnails are the ones the registry stored with the photograph (longest
edge :data:`clears.registry.photos.THUMBNAIL_EDGE` pixels), not made per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from fastapi import HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from clears.registry import Actor, Record
from clears.registry.photos import (
    AREA_LABELS,
    AREAS,
    MAX_PAGE,
    Photo,
    PhotoStore,
    PhotoStoreError,
    add_photo,
    photo_bytes,
    photo_store,
    recent_photos,
)
from clears.web._records import patient_record
from clears.web.deps import AppState, Registry

__all__ = [
    "FIELDS",
    "PAGE_SIZE",
    "STRIP_SIZE",
    "Strip",
    "Upload",
    "area_choices",
    "image_response",
    "photo_strip",
    "read_upload",
    "served_image",
    "store_of",
    "store_upload",
    "visit_photos",
]

#: Photographs on the patient page's strip, and on each page of a patient's photographs.
STRIP_SIZE: Final = 24
PAGE_SIZE: Final = 24

#: The form fields of an upload besides the file (``photo``), kept when it is refused.
FIELDS: Final = ("area", "caption", "view")

#: The headers of every photograph served (the content type and name are added per answer).
_IMAGE_HEADERS: Final[Mapping[str, str]] = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
}


def store_of(state: AppState) -> PhotoStore:
    """The app's photo store (``photo_root``, else ``photos/`` beside a SQLite file); 503
    naming the setting when none can be found (a PostgreSQL registry without it)."""
    try:
        return photo_store(state.settings.db_url, state.settings.photo_root)
    except PhotoStoreError as exc:
        raise HTTPException(503, str(exc)) from None


def area_choices() -> list[tuple[str, str]]:
    """The CLASI areas a photograph may be of: (key, label), in the instrument's order."""
    return [(area, AREA_LABELS[area]) for area in AREAS]


@dataclass(frozen=True, slots=True)
class Upload:
    """A photograph as a form sent it: the file's bytes (at most the limit and one byte, so
    that a file too big is refused by its size without being held whole) and the labels."""

    data: bytes
    values: dict[str, str]


async def read_upload(request: Request, *, max_bytes: int) -> Upload:
    """The file of field ``photo`` and the labels of :data:`FIELDS` (``""`` when absent) of
    the request's form; the form's temporary files are closed before this returns."""
    form = await request.form()
    try:
        file = form.get("photo")
        data = await file.read(max_bytes + 1) if isinstance(file, UploadFile) else b""
        values = {name: form.get(name) for name in FIELDS}
    finally:
        await form.close()
    return Upload(data, {k: v if isinstance(v, str) else "" for k, v in values.items()})


@dataclass(frozen=True, slots=True)
class Strip:
    """The newest photographs of a patient (at most :data:`STRIP_SIZE`) and whether there
    are more."""

    photos: list[Photo]
    more: bool


def visit_photos(
    session: Session, *, actor: Actor, patient_id: str, visit_id: int
) -> tuple[Record, list[Photo]]:
    """The patient's visit ``visit_id`` (404 when it is not theirs or not in the actor's
    centres) and its photographs, newest first, at most :data:`MAX_PAGE` of them."""
    visit = patient_record(
        session, actor=actor, table="visits", patient_id=patient_id, record_id=visit_id
    )
    photos = recent_photos(
        session, actor=actor, patient_id=visit.patient_id, limit=MAX_PAGE, visit_ids=(visit.id,)
    )
    return visit, photos


def store_upload(
    session: Session,
    *,
    actor: Actor,
    store: PhotoStore,
    patient_id: str,
    visit_id: int,
    sent: Upload,
) -> Photo:
    """File the upload ``sent`` under the patient's visit ``visit_id`` (404 first, nothing
    read, when the visit is not theirs or not in the actor's centres)."""
    visit = patient_record(
        session, actor=actor, table="visits", patient_id=patient_id, record_id=visit_id
    )
    return add_photo(
        session,
        actor=actor,
        store=store,
        visit_id=visit.id,
        data=sent.data,
        area=sent.values["area"],
        caption=sent.values["caption"],
        view=sent.values["view"],
    )


def photo_strip(session: Session, *, actor: Actor, patient_id: str) -> Strip:
    """The patient page's strip: one bounded query of this patient's photographs."""
    found = recent_photos(session, actor=actor, patient_id=patient_id, limit=STRIP_SIZE + 1)
    return Strip(found[:STRIP_SIZE], len(found) > STRIP_SIZE)


def served_image(
    state: AppState, registry: Registry, actor: Actor, photo_id: int, *, thumbnail: bool
) -> Response:
    """The answer of a photograph's (or its thumbnail's) route: its bytes as the actor may
    see them (404 in another centre, removed, or its file missing), with
    :func:`image_response`'s headers."""
    with registry.session() as session:
        photo, data = photo_bytes(
            session, actor=actor, store=store_of(state), photo_id=photo_id, thumbnail=thumbnail
        )
    return image_response(photo, data, thumbnail=thumbnail)


def image_response(photo: Photo, data: bytes, *, thumbnail: bool = False) -> Response:
    """The stored JPEG (or thumbnail) of ``photo``, with the headers of the module docstring."""
    name = f"photo-{photo.id}{'-thumbnail' if thumbnail else ''}.jpg"
    headers = {**_IMAGE_HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(data, media_type=photo.media_type, headers=headers)
