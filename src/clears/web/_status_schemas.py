"""JSON bodies of the form-status and verification API (``/api/status/...``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from clears.registry import Mark, RecordStatus
from clears.web._edge import DB_INT_MAX

__all__ = ["FormStatusUpdate", "MarkRead", "RecordStatusRead", "VerificationCreate"]

_STRICT = ConfigDict(extra="forbid", strict=True)
_Version = Annotated[StrictInt, Field(ge=1, le=DB_INT_MAX)]
_FieldName = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class FormStatusUpdate(BaseModel):
    """Mark a record's form ``incomplete`` or ``complete`` (read at ``version``); a reason
    lets it be complete with required fields blank."""

    model_config = _STRICT
    status: Annotated[StrictStr, Field(max_length=16)]
    version: _Version | None = None
    reason: Annotated[StrictStr, Field(max_length=200)] | None = None


class VerificationCreate(BaseModel):
    """Verify ``fields`` of a record read at ``version``, or the whole record (no fields)."""

    model_config = _STRICT
    version: _Version
    fields: Annotated[list[_FieldName], Field(max_length=200)] | None = None


class MarkRead(BaseModel):
    """A verification mark (``field`` null: the whole record); cleared ones say by whom."""

    field: str | None
    record_version: int
    verified_by: str
    verified_at: dt.datetime
    cleared_by: str | None
    cleared_at: dt.datetime | None
    cleared_version: int | None

    @classmethod
    def of(cls, mark: Mark) -> MarkRead:
        """The mark as JSON."""
        return cls(
            field=mark.field,
            record_version=mark.record_version,
            verified_by=mark.verified_by,
            verified_at=mark.verified_at,
            cleared_by=mark.cleared_by,
            cleared_at=mark.cleared_at,
            cleared_version=mark.cleared_version,
        )


class RecordStatusRead(BaseModel):
    """A record's form status, blank required fields and verification marks."""

    table: str
    record_id: int
    patient_id: str
    status: str
    version: int
    missing: list[str]
    set_by: str | None
    set_at: dt.datetime | None
    marks: list[MarkRead]

    @classmethod
    def of(cls, status: RecordStatus, marks: list[Mark]) -> RecordStatusRead:
        """The status and marks as JSON."""
        return cls(
            table=status.table,
            record_id=status.record_id,
            patient_id=status.patient_id,
            status=str(status.status),
            version=status.version,
            missing=list(status.missing),
            set_by=status.set_by,
            set_at=status.set_at,
            marks=[MarkRead.of(m) for m in marks],
        )
