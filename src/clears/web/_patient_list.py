"""The patient list of the web app: one reading of its URL parameters for the page and the
API, the links to neighbouring pages, and the JSON shape of a page.

The parameters are ``q`` (id prefix), ``centre``, ``filter`` (repeated, or comma-separated),
``sort``, ``limit`` and ``cursor``, as in ``/patients?q=p0&filter=on_treatment&sort=centre``.
Every bad value is an :class:`~clears.InputError` naming the parameter, the value and what is
allowed (the API answers 422 with it; the page shows it above the controls). The list itself
is :func:`clears.registry.patient_page`; alerts and overdue monitoring are counted from the
summaries the safety worklist's screening stores (:mod:`clears.web._worklist`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Query
from pydantic import BaseModel, ConfigDict

from clears._exceptions import InputError, Problem
from clears.registry import (
    PATIENT_COUNT_LIMIT,
    PATIENT_PAGE_SIZE,
    PATIENT_PAGE_SIZE_MAX,
    PatientPage,
    PatientQuery,
)

__all__ = [
    "FILTER_LABELS",
    "PAGE_SIZES",
    "SORT_LABELS",
    "ListRequest",
    "PatientListPage",
    "PatientListRow",
    "list_parameters",
    "list_query",
    "list_request",
    "to_json",
]

#: What the page calls each filter and sort.
FILTER_LABELS: Final = {
    "on_treatment": "On treatment today",
    "alerts": "Safety alerts",
    "overdue": "Overdue monitoring",
    "incomplete": "Incomplete forms",
    "unscreened": "Not yet screened",
}
SORT_LABELS: Final = {"id": "Patient id", "last_visit": "Last visit", "centre": "Centre"}
#: How far the page and the API count matches before saying "more than".
COUNT_LIMIT: int = PATIENT_COUNT_LIMIT
#: Page sizes the page offers (the API takes any from 1 to the maximum).
PAGE_SIZES: Final = (20, PATIENT_PAGE_SIZE, 100, PATIENT_PAGE_SIZE_MAX)


@dataclass(frozen=True, slots=True)
class ListRequest:
    """The patient list's URL parameters as typed (blank ones take their defaults)."""

    q: str = ""
    centre: str = ""
    filters: tuple[str, ...] = ()
    sort: str = ""
    limit: str = ""
    cursor: str = ""


def list_request(
    q: str = "",
    centre: str = "",
    filters: Annotated[list[str] | None, Query(alias="filter")] = None,
    sort: str = "",
    limit: str = "",
    cursor: str = "",
) -> ListRequest:
    """The parameters of ``/patients`` and ``GET /api/patients``, declared once for both (a
    FastAPI dependency)."""
    return ListRequest(q, centre, tuple(filters or ()), sort, limit, cursor)


def list_query(request: ListRequest, *, as_of: dt.date, protocol: str) -> PatientQuery:
    """The query the URL parameters describe.

    Raises
    ------
    InputError
        Every bad parameter (``limit`` not a whole number among them).
    """
    limit, filters = request.limit, request.filters
    q, centre, sort, cursor = request.q, request.centre, request.sort, request.cursor
    problems: list[Problem] = []
    size = PATIENT_PAGE_SIZE
    if limit.strip():
        try:
            size = int(limit.strip())
        except ValueError:
            problems.append(
                Problem(
                    "limit",
                    limit,
                    "is not a whole number",
                    f"1 to {PATIENT_PAGE_SIZE_MAX} rows per page",
                )
            )
    names = frozenset(n.strip() for given in filters for n in given.split(",") if n.strip())
    try:
        query = PatientQuery(
            search=q,
            centre=centre.strip() or None,
            filters=names,
            sort=sort.strip() or "id",
            limit=size,
            cursor=cursor.strip() or None,
            as_of=as_of,
            protocol=protocol,
            count_limit=COUNT_LIMIT,
        )
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    return query


def list_parameters(query: PatientQuery, *, unscreened: bool = False) -> list[tuple[str, str]]:
    """The URL parameters that show ``query`` again (without its cursor), as pairs for the
    page's links; ``unscreened`` gives those of the patients a screening filter leaves out
    (the same choices with ``alerts`` and ``overdue`` replaced by ``unscreened``)."""
    filters = set(query.filters)
    if unscreened:
        filters = (filters - {"alerts", "overdue"}) | {"unscreened"}
    pairs = [("sort", query.sort), ("limit", str(query.limit))]
    if query.search:
        pairs.append(("q", query.search))
    if query.centre:
        pairs.append(("centre", query.centre))
    return pairs + [("filter", name) for name in sorted(filters)]


class PatientListRow(BaseModel):
    """One patient of ``GET /api/patients`` (counts are null when not yet screened); read
    from a :class:`~clears.registry.PatientRow` by its attribute names."""

    model_config = ConfigDict(from_attributes=True)

    patient_id: str
    centre: str
    on_treatment: bool
    drug: str | None
    dose_mg_per_day: float | None
    last_visit: dt.date | None
    incomplete_forms: int
    screened: bool
    alerts: int | None
    overdue: int | None


class PatientListPage(BaseModel):
    """One page of ``GET /api/patients``: follow ``next_cursor`` with the same parameters.

    ``total`` (no filter but ``q`` and ``centre``) is counted up to 10,000; ``total_capped``
    says more patients than that match."""

    as_of: dt.date
    protocol: str
    patients: list[PatientListRow]
    first: int
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None
    total_capped: bool
    unscreened: int | None


def to_json(query: PatientQuery, page: PatientPage) -> PatientListPage:
    """The API's answer for one page."""
    return PatientListPage(
        as_of=query.as_of or dt.date.today(),
        protocol=query.protocol,
        patients=[PatientListRow.model_validate(r) for r in page.rows],
        first=page.first,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        total=page.total,
        total_capped=page.total_capped,
        unscreened=page.unscreened,
    )
