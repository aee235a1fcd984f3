"""Request and response bodies of the JSON API (``PatientCreate`` / ``PatientRead`` ...)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from clears.cohort import SiteFields, site_typed
from clears.registry import Record
from clears.registry.photos import REASON_LENGTH, Photo
from clears.web._edge import DB_INT_MAX, in_db_range
from clears.web._urls import segment

__all__ = [
    "AuditRead",
    "Me",
    "PatientCreate",
    "PatientRead",
    "PatientUpdate",
    "PhotoRead",
    "RecordCreate",
    "RecordId",
    "RecordRead",
    "RecordUpdate",
    "Value",
]

#: A field value as sent: text (as on a form), a number, a boolean or null, each its own
#: JSON type (``"false"`` stays text, for the registry to read as a form's text, never
#: true), a number within what the registry's columns hold.
Value = Annotated[
    StrictBool | StrictInt | StrictFloat | StrictStr | None, AfterValidator(in_db_range)
]

#: A version read back: a positive 32-bit integer, as the database stores it.
Version = Annotated[StrictInt, Field(ge=1, le=DB_INT_MAX)]

#: Request bodies: no unknown fields, and every value of the JSON type its field names.
_STRICT = ConfigDict(extra="forbid", strict=True)

#: A record id in a path: a positive 32-bit integer (the database's ``INTEGER``).
RecordId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


class Me(BaseModel):
    """The signed-in user, and the CSRF token to send as ``X-CSRF-Token`` on writes."""

    username: str
    role: str
    centres: list[str]
    can_write: bool
    can_export: bool
    csrf_token: str


class PatientCreate(BaseModel):
    """Enrol a patient: pseudonymous identifier, centre, baseline values (cohort columns)."""

    model_config = _STRICT
    # Checked by the registry, as at every entry point (normalised, the identifier alphabet);
    # the bound here only keeps absurd bodies out.
    patient_id: str = Field(max_length=1_000)
    centre: str = Field(min_length=1, max_length=64)
    values: dict[str, Value] = Field(default_factory=dict)


class PatientUpdate(BaseModel):
    """Change baseline values of a patient read at ``version``."""

    model_config = _STRICT
    version: Version
    changes: dict[str, Value]
    reason: str | None = Field(default=None, max_length=10_000)
    #: Site-defined fields to set (``null`` or blank clears one).
    site_fields: dict[str, Value] = Field(default_factory=dict)


class RecordCreate(BaseModel):
    """Add a treatment period, visit, adverse event or flare (cohort-table columns), with
    its site-defined fields."""

    model_config = _STRICT
    values: dict[str, Value]
    site_fields: dict[str, Value] = Field(default_factory=dict)


class RecordUpdate(BaseModel):
    """Change a record read at ``version``; a reason is needed for past visits (a locked
    one is refused)."""

    model_config = _STRICT
    version: Version
    changes: dict[str, Value]
    reason: str | None = Field(default=None, max_length=10_000)
    #: Site-defined fields to set (``null`` or blank clears one).
    site_fields: dict[str, Value] = Field(default_factory=dict)


class RecordRead(BaseModel):
    """A stored record with its version (send it back to update) and its site-defined
    fields, typed by their declaration (a field no longer declared as its stored text)."""

    entity: str
    id: int
    patient_id: str
    version: int
    data: dict[str, Any]
    site_fields: dict[str, Any] = Field(default_factory=dict)
    #: After an update: the source data verifications the change cleared, one sentence each
    #: (``clears.registry.verification.cleared_by_change``); empty otherwise.
    cleared_verifications: list[str] = Field(default_factory=list)

    @classmethod
    def of(
        cls, record: Record, declared: SiteFields | None = None, cleared: Sequence[str] = ()
    ) -> RecordRead:
        """From a registry record (site values typed by ``declared``), with the notices of
        the verifications its last change ``cleared``."""
        found = declared or SiteFields()
        return cls(
            cleared_verifications=list(cleared),
            entity=record.entity,
            id=record.id,
            patient_id=record.patient_id,
            version=record.version,
            data=dict(record.data),
            site_fields={
                name: site_typed(found.find(record.entity, name), text)
                for name, text in record.site.items()
            },
        )


PatientRead = RecordRead


class AuditRead(BaseModel):
    """One audit entry: who, when, what, before/after (canonical JSON) and why.

    Built from a registry ``AuditEntry`` with ``AuditRead.model_validate(entry)``.
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: int | None
    patient_id: str | None
    before: str | None
    after: str | None
    reason: str | None
    hash: str


class PhotoRead(BaseModel):
    """A clinical photograph's metadata (never its content digest); its JPEG is at
    ``image_url`` (``?thumbnail=true`` for the thumbnail)."""

    id: int
    patient_id: str
    visit_id: int
    visit_date: dt.date
    area: str | None
    area_label: str
    caption: str | None
    view: str | None
    media_type: str
    width: int
    height: int
    byte_size: int
    uploaded_by: str
    uploaded_at: dt.datetime
    version: int
    image_url: str
    removed_at: dt.datetime | None = None
    removed_by: str | None = None
    removal_reason: str | None = None

    @classmethod
    def of(cls, photo: Photo) -> PhotoRead:
        """From a registry photograph."""
        return cls(
            id=photo.id,
            patient_id=photo.patient_id,
            visit_id=photo.visit_id,
            visit_date=photo.visit_date,
            area=photo.area,
            area_label=photo.area_label,
            caption=photo.caption,
            view=photo.view,
            media_type=photo.media_type,
            width=photo.width,
            height=photo.height,
            byte_size=photo.byte_size,
            uploaded_by=photo.uploaded_by,
            uploaded_at=photo.uploaded_at,
            version=photo.version,
            image_url=f"/api/photos/{segment(photo.id)}/image",
            removed_at=photo.removed_at,
            removed_by=photo.removed_by,
            removal_reason=photo.removal_reason,
        )


class PhotoRemoval(BaseModel):
    """Removing a photograph: the version it was read at, and why (kept in the audit trail)."""

    model_config = _STRICT

    version: StrictInt = Field(ge=1, le=DB_INT_MAX)
    reason: StrictStr = Field(min_length=1, max_length=REASON_LENGTH)
