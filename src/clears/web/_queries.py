"""What the query pages and the query API share: request bodies, the body of a query as
read, the role check of each step and the patient page's query section.

The role check reads :data:`clears.registry.queries.STEP_ACTIONS` (the actions of
:data:`clears.registry.PERMISSIONS` each step needs), so a route never names roles itself;
a refused role is 403 naming the role (:func:`clears.registry.queries.refusal`), once the
patient or query was found in the user's centres (another centre's is 404 for every role).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from sqlalchemy.orm import Session

from clears.registry import Record
from clears.registry.queries import (
    QUERY_TABLES,
    QUERY_TEXT_LENGTH,
    QUERY_VALUE_LENGTH,
    TRANSITIONS,
    DataQuery,
    fields_of,
    may_take,
    patient_queries,
    refusal,
)
from clears.web._edge import DB_INT_MAX
from clears.web.deps import Forbidden
from clears.web.schemas import Value
from clears.web.users import User

__all__ = [
    "PAGE_STEPS",
    "QueryCorrection",
    "QueryMessageRead",
    "QueryOpen",
    "QueryPanel",
    "QueryRead",
    "QueryStep",
    "check_step",
    "query_panel",
    "record_label",
    "steps_for",
    "target_value",
]

_STRICT = ConfigDict(extra="forbid", strict=True)
_Version = Annotated[StrictInt, Field(ge=1, le=DB_INT_MAX)]
_Text = Annotated[StrictStr, Field(max_length=QUERY_TEXT_LENGTH)]


def check_step(user: User, step: str) -> None:
    """Refuse (403, naming the role) a user whose role may not take ``step``.

    Routes call it after finding the patient or the query in the user's centres, so that
    another centre's is "not found" (404) whatever the role, as for every other route.
    """
    if not may_take(user.role, step):
        raise Forbidden(refusal(user.role, step))


class QueryOpen(BaseModel):
    """Open a query on ``field`` of record ``record_id`` of ``table`` (for ``patients``
    the record may be left out)."""

    model_config = _STRICT
    table: StrictStr = Field(max_length=64)
    field: StrictStr = Field(max_length=64)
    record_id: StrictInt | None = Field(default=None, ge=1, le=DB_INT_MAX)
    text: _Text
    proposed_value: Annotated[StrictStr, Field(max_length=QUERY_VALUE_LENGTH)] | None = None


class QueryStep(BaseModel):
    """Answer, close or re-open a query read at ``version`` (text required but to close)."""

    model_config = _STRICT
    version: _Version
    text: _Text = ""


class QueryCorrection(BaseModel):
    """Correct the queried field to ``value`` (the record read at ``record_version``)."""

    model_config = _STRICT
    version: _Version
    record_version: _Version
    value: Value
    text: _Text


class QueryMessageRead(BaseModel):
    """One step of a query's thread (a correction keeps the value before and after)."""

    id: int
    step: str
    text: str
    by: str
    at: dt.datetime
    proposed_value: str | None
    old_value: str | None
    new_value: str | None


class QueryRead(BaseModel):
    """A query with its age in days and, when read one by one, its thread."""

    id: int
    patient_id: str
    centre: str
    table: str
    record_id: int
    field: str
    status: str
    text: str
    proposed_value: str | None
    opened_by: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    age_days: int
    version: int
    messages: list[QueryMessageRead]

    @classmethod
    def of(cls, query: DataQuery) -> QueryRead:
        """From a registry query."""
        return cls.model_validate(query.to_dict())


#: The steps a page offers on a query, in the order their forms are shown.
PAGE_STEPS: Final = ("answer", "correct", "close", "reopen")


def steps_for(user: User, query: DataQuery) -> list[str]:
    """The steps ``user`` may take on ``query`` now: their role allows it
    (:data:`clears.registry.PERMISSIONS`) and the query's status does
    (:data:`clears.registry.queries.TRANSITIONS`)."""
    return [
        step
        for step in PAGE_STEPS
        if may_take(user.role, step) and query.status in TRANSITIONS[step][0]
    ]


def record_label(record: Record) -> str:
    """How a form lists a record: its table, number and date (``visits 3, 2024-01-01``).

    Examples
    --------
    >>> import datetime as dt
    >>> record_label(Record("visits", 3, "P1", 1, {"visit_date": dt.date(2024, 1, 1)}))
    'visits 3, 2024-01-01'
    >>> record_label(Record("patients", 1, "P1", 1, {"sex": "female"}))
    'patient P1 (baseline)'
    """
    if record.entity == "patients":
        return f"patient {record.patient_id} (baseline)"
    day = next((v for k, v in record.data.items() if k.endswith("_date") and v is not None), None)
    return f"{record.entity} {record.id}" + (f", {day}" if day is not None else "")


@dataclass(frozen=True, slots=True)
class QueryPanel:
    """What the patient page's query section shows: the unresolved queries with the steps
    the user may take on each (and the version of each query's record, for a correction),
    and what the form that opens one offers (every record of the patient, and the fields
    of each table)."""

    queries: tuple[DataQuery, ...]
    steps: Mapping[int, list[str]]
    record_versions: Mapping[int, int | None]
    labels: Mapping[int, str]
    may_open: bool
    targets: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, tuple[str, ...]], ...]


def target_value(table: str, record_id: int) -> str:
    """The value of a record in the form's record list (``visits:3``)."""
    return f"{table}:{record_id}"


def query_panel(
    session: Session, *, user: User, patient_id: str, records: Mapping[str, Sequence[Record]]
) -> QueryPanel:
    """The patient page's query section, from the records the page already read (one more
    query: the patient's unresolved queries, through their index)."""
    found = tuple(patient_queries(session, actor=user.actor(), patient_id=patient_id))
    by_key = {(r.entity, r.id): r for rows in records.values() for r in rows}
    versions = {}
    labels = {}
    for query in found:
        record = by_key.get((query.table, query.record_id))
        versions[query.id] = record.version if record is not None else None
        labels[query.id] = (
            record_label(record)
            if record is not None
            else (f"{query.table} {query.record_id} (deleted)")
        )
    return QueryPanel(
        queries=found,
        steps={q.id: steps_for(user, q) for q in found},
        record_versions=versions,
        labels=labels,
        may_open=may_take(user.role, "open"),
        targets=tuple(
            (target_value(table, r.id), record_label(r))
            for table in QUERY_TABLES
            for r in records.get(table, ())
        ),
        fields=tuple((table, fields_of(table)) for table in QUERY_TABLES),
    )
