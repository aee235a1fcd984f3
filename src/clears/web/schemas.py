"""Request and response bodies of the JSON API (``PatientCreate`` / ``PatientRead`` ...)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from clears.registry import Record

__all__ = [
    "AuditRead",
    "Me",
    "PatientCreate",
    "PatientRead",
    "PatientUpdate",
    "RecordCreate",
    "RecordId",
    "RecordRead",
    "RecordUpdate",
    "Value",
]

#: A field value as sent: text (as on a form), a number, a boolean or null.
Value = str | int | float | bool | None

_STRICT = ConfigDict(extra="forbid")

#: A record id in a path: a positive 63-bit integer (what SQL databases store).
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]


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
    version: int
    changes: dict[str, Value]
    reason: str | None = None


class RecordCreate(BaseModel):
    """Add a treatment period, visit, adverse event or flare (cohort-table columns)."""

    model_config = _STRICT
    values: dict[str, Value]


class RecordUpdate(BaseModel):
    """Change a record read at ``version``; a reason is needed for locked or past visits."""

    model_config = _STRICT
    version: int
    changes: dict[str, Value]
    reason: str | None = None


class RecordRead(BaseModel):
    """A stored record with its version (send it back to update)."""

    entity: str
    id: int
    patient_id: str
    version: int
    data: dict[str, Any]

    @classmethod
    def of(cls, record: Record) -> RecordRead:
        """From a registry record."""
        return cls(
            entity=record.entity,
            id=record.id,
            patient_id=record.patient_id,
            version=record.version,
            data=dict(record.data),
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
