"""Clinical photographs: attach to a visit, list, read, remove (softly) and sweep.

A photograph belongs to one visit (and so to its patient and centre) and optionally to one
CLASI area (:data:`clears.instruments.clasi.definition.AREAS`). Every call is scoped to the
actor's centres like any record: another centre's photograph is "not found", its bytes too.

An upload is checked and re-encoded before any SQL runs (:func:`clears.registry.
_photo_image.clean_image`: size before decoding, type by content, pixel limit, EXIF
orientation applied, sRGB, no EXIF, GPS, XMP, ICC or comment kept), so a refusal writes
nothing, on disk or in the database. The clean JPEG goes to the photo store first
(:class:`clears.registry._photo_store.PhotoStore`, atomic, content-addressed: the same image
is stored once) and the row second, in the caller's transaction; a process that dies in
between leaves a file no row names, which :func:`sweep` finds (and removes when asked).
Upload and removal are audited (entity ``photographs``); a removal keeps the row and the
file, with who removed it, when and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, NotFoundError, Problem
from clears.instruments.clasi.definition import AREA_LABELS, AREAS
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._locks import refuse_if_locked
from clears.registry._models import Centre, Patient, Visit, photographs_table
from clears.registry._photo_export import export_photos, photo_key
from clears.registry._photo_image import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    MAX_PIXELS_CEILING,
    THUMBNAIL_EDGE,
    CleanImage,
    clean_image,
    limits_text,
)
from clears.registry._photo_store import (
    ENV_VAR,
    PhotoStore,
    PhotoStoreError,
    photo_root,
    photo_store,
)
from clears.registry._records import patient_in_scope

__all__ = [
    "AREAS",
    "AREA_LABELS",
    "CAPTION_LENGTH",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "ENTITY",
    "ENV_VAR",
    "MAX_PAGE",
    "MAX_PIXELS_CEILING",
    "REASON_LENGTH",
    "SWEEP_GRACE_SECONDS",
    "THUMBNAIL_EDGE",
    "VIEW_LENGTH",
    "CleanImage",
    "Photo",
    "PhotoStore",
    "PhotoStoreError",
    "Sweep",
    "add_photo",
    "clean_image",
    "export_photos",
    "get_photo",
    "limits_text",
    "list_photos",
    "photo_bytes",
    "photo_key",
    "photo_root",
    "photo_store",
    "recent_photos",
    "remove_photo",
    "sweep",
]

#: The audit trail's name for a photograph row.
ENTITY: Final = "photographs"

#: The longest caption and view label (the column sizes).
CAPTION_LENGTH: Final = 200
VIEW_LENGTH: Final = 64
#: The longest reason for removing a photograph, in characters.
REASON_LENGTH: Final = 1000

_T = photographs_table


@dataclass(frozen=True, slots=True)
class Photo:
    """A photograph row as read back, with its patient and visit date."""

    id: int
    patient_id: str
    visit_id: int
    visit_date: dt.date
    area: str | None
    caption: str | None
    view: str | None
    sha256: str
    media_type: str
    width: int
    height: int
    byte_size: int
    uploaded_by: str
    uploaded_at: dt.datetime
    version: int
    removed_at: dt.datetime | None = None
    removed_by: str | None = None
    removal_reason: str | None = None

    @property
    def removed(self) -> bool:
        """Whether the photograph was removed."""
        return self.removed_at is not None

    @property
    def area_label(self) -> str:
        """The CLASI area's label, or "" without an area."""
        return AREA_LABELS.get(self.area, "") if self.area else ""

    def audited(self) -> dict[str, Any]:
        """What the audit trail records of the photograph (never the bytes)."""
        values = {
            "visit_id": self.visit_id,
            "area": self.area,
            "caption": self.caption,
            "view": self.view,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "width": self.width,
            "height": self.height,
            "byte_size": self.byte_size,
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "removed_by": self.removed_by,
            "removal_reason": self.removal_reason,
        }
        return {name: value for name, value in values.items() if value is not None}


def _text(name: str, value: str | None, limit: int) -> tuple[str | None, list[Problem]]:
    text = (value or "").strip()
    if len(text) > limit:
        return None, [
            Problem(name, value, f"has {len(text)} characters", f"at most {limit} characters")
        ]
    return text or None, []


def _checked_labels(
    area: str | None, caption: str | None, view: str | None
) -> tuple[str | None, str | None, str | None, list[Problem]]:
    problems: list[Problem] = []
    chosen = (area or "").strip() or None
    if chosen is not None and chosen not in AREAS:
        problems.append(
            Problem("area", area, "is not a CLASI area", ", ".join(AREAS) + " (or none)")
        )
    caption_text, found = _text("caption", caption, CAPTION_LENGTH)
    problems += found
    view_text, found = _text("view", view, VIEW_LENGTH)
    problems += found
    return chosen, caption_text, view_text, problems


def _select() -> sa.Select[Any]:
    return (
        sa.select(_T, Patient.patient_id, Visit.visit_date, Centre.code)
        .join(Patient, _T.c.patient_key == Patient.id)
        .join(Visit, _T.c.visit_key == Visit.id)
        .join(Centre, Patient.centre_key == Centre.id)
    )


def _photo(row: Any) -> Photo:
    m = row._mapping
    return Photo(
        id=m["id"],
        patient_id=m["patient_id"],
        visit_id=m["visit_key"],
        visit_date=m["visit_date"],
        area=m["area"],
        caption=m["caption"],
        view=m["view"],
        sha256=m["sha256"],
        media_type=m["media_type"],
        width=m["width"],
        height=m["height"],
        byte_size=m["byte_size"],
        uploaded_by=m["uploaded_by"],
        uploaded_at=m["uploaded_at"],
        version=m["version"],
        removed_at=m["removed_at"],
        removed_by=m["removed_by"],
        removal_reason=m["removal_reason"],
    )


def _visit(session: Session, visit_id: int) -> Any:
    """The visit's row id, patient, centre and lock flag; ``None`` if there is none."""
    return session.execute(
        sa.select(Visit.id, Visit.patient_key, Visit.locked, Patient.patient_id, Centre.code)
        .join(Patient, Visit.patient_key == Patient.id)
        .join(Centre, Patient.centre_key == Centre.id)
        .where(Visit.id == visit_id)
    ).first()


def _refuse_if_locked(session: Session, visit: Any) -> None:
    """A photograph belongs to its visit's record: a signed or locked visit (or patient's
    record) takes no new photograph and loses none (:func:`clears.registry._locks.
    refuse_if_locked`)."""
    refuse_if_locked(
        session,
        table="visits",
        record_id=visit.id,
        patient_key=visit.patient_key,
        patient_id=visit.patient_id,
        values={"locked": visit.locked},
    )


def add_photo(
    session: Session,
    *,
    actor: Actor,
    store: PhotoStore,
    visit_id: int,
    data: bytes,
    area: str | None = None,
    caption: str | None = None,
    view: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    now: dt.datetime | None = None,
) -> Photo:
    """Attach a photograph to a visit in the actor's centres.

    The bytes are checked and re-encoded first (:func:`clean_image`), the labels checked
    (``area`` one of :data:`AREAS` or none; caption and view within their lengths), then
    the visit found in the actor's centres; only then is the file stored (once per
    content) and the row added and audited.

    Raises
    ------
    InputError
        The image or a label is refused (every problem, naming its field and what is
        allowed); nothing is written.
    NotFoundError
        No such visit in the actor's centres; nothing is written.
    RecordLockedError
        The visit, or its patient's record, is signed or locked (naming who signed and when);
        nothing is written.
    """
    chosen, caption_text, view_text, problems = _checked_labels(area, caption, view)
    image: CleanImage | None = None
    try:
        image = clean_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except InputError as exc:
        problems = list(exc.problems) + problems
    if problems:
        raise InputError(problems)
    assert image is not None
    found = _visit(session, visit_id)
    if found is None or not actor.can_see(found.code):
        raise NotFoundError(f"no visit {visit_id} in your centres")
    _refuse_if_locked(session, found)
    # The file first, the row second: a crash in between leaves an unnamed file (sweep).
    store.put(image.sha256, image.data, image.thumbnail)
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    new_id = session.execute(
        sa.insert(_T)
        .values(
            patient_key=found.patient_key,
            visit_key=found.id,
            area=chosen,
            caption=caption_text,
            view=view_text,
            sha256=image.sha256,
            media_type=image.media_type,
            width=image.width,
            height=image.height,
            byte_size=image.byte_size,
            uploaded_by=actor.user,
            uploaded_at=stamp,
            version=1,
        )
        .returning(_T.c.id)
    ).scalar_one()
    photo = get_photo(session, actor=actor, photo_id=new_id, removed=True)
    audit.append(
        session,
        actor=actor,
        changes=[audit.Change("insert", ENTITY, photo.id, photo.patient_id, None, photo.audited())],
        at=stamp,
    )
    return photo


def get_photo(session: Session, *, actor: Actor, photo_id: int, removed: bool = False) -> Photo:
    """One photograph within the actor's centres; a removed one only with ``removed``.

    Raises
    ------
    NotFoundError
        No such photograph in the actor's centres (or it was removed).
    """
    row = session.execute(_select().where(_T.c.id == photo_id)).first()
    if row is None or not actor.can_see(row.code):
        raise NotFoundError(f"no photograph {photo_id} in your centres")
    photo = _photo(row)
    if photo.removed and not removed:
        raise NotFoundError(f"photograph {photo_id} was removed")
    return photo


def list_photos(
    session: Session,
    *,
    actor: Actor,
    patient_id: str,
    area: str | None = None,
    removed: bool = False,
) -> list[Photo]:
    """A patient's photographs (of one area, when given), by visit date then upload.

    Raises
    ------
    NotFoundError
        The patient is not in the actor's centres.
    """
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    query = _select().where(_T.c.patient_key == patient.id)
    if area is not None:
        query = query.where(_T.c.area == area)
    if not removed:
        query = query.where(_T.c.removed_at.is_(None))
    rows = session.execute(query.order_by(Visit.visit_date, _T.c.uploaded_at, _T.c.id)).all()
    return [_photo(row) for row in rows]


#: The most photographs :func:`recent_photos` returns at once.
MAX_PAGE: Final = 200


def recent_photos(
    session: Session,
    *,
    actor: Actor,
    patient_id: str,
    limit: int,
    offset: int = 0,
    visit_ids: tuple[int, ...] | None = None,
    area: str | None = None,
) -> list[Photo]:
    """A bounded page of a patient's photographs, newest first (by visit date, then upload),
    of some visits and one area when given; removed ones are left out.

    Only this patient's rows are read, at most ``limit`` of them (1 to :data:`MAX_PAGE`),
    so what a page costs does not grow with the registry or with the patient's photographs.
    Ask for one more than you show to know whether there are more.

    Raises
    ------
    NotFoundError
        The patient is not in the actor's centres.
    ValueError
        ``limit`` is outside 1 to :data:`MAX_PAGE`, or ``offset`` is negative.
    """
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise ValueError(f"limit must be 1 to {MAX_PAGE} and offset at least 0")
    patient = patient_in_scope(session, actor=actor, patient_id=patient_id)
    query = _select().where(_T.c.patient_key == patient.id, _T.c.removed_at.is_(None))
    if visit_ids is not None:
        query = query.where(_T.c.visit_key.in_(visit_ids))
    if area is not None:
        query = query.where(_T.c.area == area)
    ordered = query.order_by(Visit.visit_date.desc(), _T.c.uploaded_at.desc(), _T.c.id.desc())
    rows = session.execute(ordered.limit(limit).offset(offset)).all()
    return [_photo(row) for row in rows]


def photo_bytes(
    session: Session, *, actor: Actor, store: PhotoStore, photo_id: int, thumbnail: bool = False
) -> tuple[Photo, bytes]:
    """A photograph (or its thumbnail) within the actor's centres, with its stored bytes.

    Raises
    ------
    NotFoundError
        No such photograph in the actor's centres, it was removed, or its file is missing
        from the store (a restore without the photo store: see docs/photographs.md).
    """
    photo = get_photo(session, actor=actor, photo_id=photo_id)
    try:
        return photo, store.read(photo.sha256, thumbnail=thumbnail)
    except FileNotFoundError:
        raise NotFoundError(
            f"the file of photograph {photo_id} is not in the photo store"
        ) from None


def remove_photo(
    session: Session,
    *,
    actor: Actor,
    photo_id: int,
    version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Photo:
    """Remove a photograph softly: it is no longer shown, its row and file stay, and who
    removed it, when and why are kept and audited.

    Raises
    ------
    InputError
        No reason given (or one over 1000 characters).
    NotFoundError
        No such photograph in the actor's centres.
    RecordLockedError
        Its visit, or its patient's record, is signed or locked; nothing is changed.
    ConflictError
        ``version`` is not the photograph's current version, or a colleague removed it
        already (the message says who, when and why).
    """
    text = (reason or "").strip()
    if not text or len(text) > REASON_LENGTH:
        raise InputError(
            [
                Problem(
                    "reason",
                    reason or None,
                    "is required to remove a photograph",
                    f"1 to {REASON_LENGTH} characters",
                )
            ]
        )
    before = get_photo(session, actor=actor, photo_id=photo_id, removed=True)
    _refuse_if_locked(session, _visit(session, before.visit_id))
    if before.removed:
        when = before.removed_at.astimezone(dt.UTC) if before.removed_at else None
        raise ConflictError(
            f"photograph {photo_id} was already removed by {before.removed_by}"
            + (f" on {when:%Y-%m-%d %H:%M} UTC" if when else "")
            + f" ({before.removal_reason})",
            version=before.version,
        )
    if before.version != version:
        raise ConflictError(
            f"photograph {photo_id} changed since it was read (version {version}, now "
            f"{before.version}); reload it",
            version=before.version,
        )
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    changed = session.execute(
        sa.update(_T)
        .where(_T.c.id == photo_id, _T.c.version == version, _T.c.removed_at.is_(None))
        .values(removed_at=stamp, removed_by=actor.user, removal_reason=text, version=version + 1)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise ConflictError(f"photograph {photo_id} changed since it was read; reload it")
    after = get_photo(session, actor=actor, photo_id=photo_id, removed=True)
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change(
                "update",
                ENTITY,
                photo_id,
                after.patient_id,
                before.audited(),
                after.audited(),
                text,
            )
        ],
        at=stamp,
    )
    return after


@dataclass(frozen=True, slots=True)
class Sweep:
    """What :func:`sweep` found: stored files no row names, temporary files of writes that
    never finished, and rows whose file is missing (by photograph id)."""

    orphans: tuple[str, ...]
    leftovers: tuple[Path, ...]
    missing: tuple[int, ...]
    removed: bool


#: Files younger than this are left alone by :func:`sweep`: an upload's file is unnamed
#: until its row commits, a moment later.
SWEEP_GRACE_SECONDS: Final = 3600.0


def sweep(
    session: Session,
    *,
    store: PhotoStore,
    remove: bool = False,
    grace_seconds: float = SWEEP_GRACE_SECONDS,
) -> Sweep:
    """Compare the photo store with the table; with ``remove``, delete the orphan files and
    leftover temporary files (never a file a row names, removed rows included).

    Only files last written more than ``grace_seconds`` ago count, so an upload under way
    (its file stored, its row not yet committed) is never taken for an orphan.
    """
    named = set(session.execute(sa.select(_T.c.sha256).distinct()).scalars())
    cutoff = dt.datetime.now(dt.UTC).timestamp() - grace_seconds

    def old(path: Path) -> bool:
        try:
            return path.stat().st_mtime <= cutoff
        except FileNotFoundError:
            return False

    orphans = tuple(d for d in store.orphans(named) if old(store.path(d)))
    leftovers = tuple(sorted(p for p in store.leftovers() if old(p)))
    missing = tuple(
        row.id
        for row in session.execute(sa.select(_T.c.id, _T.c.sha256).order_by(_T.c.id))
        if not store.has(row.sha256)
    )
    if remove:
        for digest in orphans:
            store.delete(digest)
        for path in leftovers:
            path.unlink(missing_ok=True)
    return Sweep(orphans, leftovers, missing, remove)
