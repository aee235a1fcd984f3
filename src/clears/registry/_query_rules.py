"""What a data query may target and which steps its status allows: the rules as data.

A query targets one field of one record of a patient: the table is one of the cohort tables
a patient's record is made of (:data:`QUERY_TABLES`) and the field one of the columns the
registry stores for it (:func:`clears.registry._models.data_columns`: the cohort schema's
columns, and for visits every instrument item), so a query never names a field the record
cannot hold. The status moves as :data:`TRANSITIONS` says, the usual discrepancy cycle of a
monitored study (ICH E6(R3) §3.11.4 on monitoring findings and their resolution; CDISC
ODM 1.3.2 and the CDASH user guide describe the same open / answered / closed cycle): data
entry answers or corrects an open query, the monitor closes an answered one, and re-opens an
answered or closed one when the answer does not resolve it. Nothing else is allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import pandas as pd

from clears._exceptions import InputError, Problem
from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item
from clears.cohort._schema import schema_of
from clears.registry._models import QUERY_STATUSES, QUERY_TEXT_LENGTH, data_columns, item_fields
from clears.registry._permissions import Action, allows
from clears.registry._roles import Role

__all__ = [
    "QUERY_STATUSES",
    "QUERY_TABLES",
    "STEP_ACTIONS",
    "STEP_NAMES",
    "STEP_VERBS",
    "TRANSITIONS",
    "UNRESOLVED",
    "checked_text",
    "fields_of",
    "may_take",
    "proposal_problems",
    "refusal",
    "shown",
    "target_problems",
    "transition",
]

#: The tables a query may target: the patient row and the five record tables.
QUERY_TABLES: Final = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)

#: For each step after opening: the statuses it may start from and the status it leads to.
TRANSITIONS: Final[Mapping[str, tuple[frozenset[str], str]]] = MappingProxyType(
    {
        "answer": (frozenset({"open"}), "answered"),
        "correct": (frozenset({"open"}), "answered"),
        "close": (frozenset({"answered"}), "closed"),
        "reopen": (frozenset({"answered", "closed"}), "open"),
    }
)

#: The actions of :data:`clears.registry.PERMISSIONS` each step needs (all of them): the
#: monitor opens, closes and re-opens (``close_query`` covers both); data entry answers, and
#: a correction is also a change of the record (``record``).
STEP_ACTIONS: Final[Mapping[str, tuple[Action, ...]]] = MappingProxyType(
    {
        "open": (Action.open_query,),
        "answer": (Action.answer_query,),
        "correct": (Action.answer_query, Action.record),
        "close": (Action.close_query,),
        "reopen": (Action.close_query,),
    }
)

#: Each step as a verb in the infinitive, for buttons and refusals.
STEP_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "open": "open",
        "answer": "answer",
        "correct": "correct",
        "close": "close",
        "reopen": "re-open",
    }
)

#: How messages name each step done.
STEP_VERBS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "open": "opened",
        "answer": "answered",
        "correct": "corrected",
        "close": "closed",
        "reopen": "re-opened",
    }
)

#: The statuses of a query still waiting for someone (listed on the patient page).
UNRESOLVED: Final = ("open", "answered")


def fields_of(table: str) -> tuple[str, ...]:
    """The fields a query on ``table`` may name (the stored columns, in schema order)."""
    return data_columns(table)


def target_problems(table: str, field: str) -> list[Problem]:
    """What is wrong with a query's table and field: each names what is allowed.

    Examples
    --------
    >>> [p.message for p in target_problems("visits", "clasi_a")]
    []
    >>> print(target_problems("labs", "anc")[0])  # doctest: +ELLIPSIS
    table: is not a table a query can target (got 'labs'); allowed: patients, treatments, ...
    >>> print(target_problems("flares", "grade")[0])  # doctest: +ELLIPSIS
    flares: field: is not a field of flares (got 'grade'); allowed: flare_date, severity, ...
    """
    if table not in QUERY_TABLES:
        return [
            Problem("table", table, "is not a table a query can target", ", ".join(QUERY_TABLES))
        ]
    allowed = fields_of(table)
    if field not in allowed:
        return [Problem("field", field, f"is not a field of {table}", ", ".join(allowed), table)]
    return []


def proposal_problems(table: str, field: str, value: str | None) -> list[Problem]:
    """What is wrong with a proposed value: it must be a value ``field`` could hold (read as
    its column reads a cohort file's cell: type, allowed choices, plausible range), so a
    correction to it would not be refused. Blank is no proposal.

    Examples
    --------
    >>> proposal_problems("visits", "anc", "2.8")
    []
    >>> print(proposal_problems("patients", "sex", "F")[0])  # doctest: +ELLIPSIS
    patients: proposed_value: sex: ... (got 'F'); allowed: female, male...
    """
    if value is None or not value.strip():
        return []
    series = pd.Series([value], dtype=object)
    known = schema_of(table)
    if field in known:
        _, found = coerce_column(series, known[field], required=False, file=table)
    else:
        items = {f.column: f for f in item_fields()} if table == "visits" else {}
        if field not in items:
            return []
        _, found = coerce_item(series, items[field], file=table)
    return [
        Problem("proposed_value", value, f"{field}: {p.message}", p.allowed, table) for p in found
    ]


def checked_text(name: str, value: str | None, *, required: bool) -> str:
    """``value`` stripped, or :class:`InputError` when blank (if required) or too long."""
    text = (value or "").strip()
    if required and not text:
        raise InputError(
            Problem(name, value, "is required", f"1 to {QUERY_TEXT_LENGTH} characters")
        )
    if len(text) > QUERY_TEXT_LENGTH:
        raise InputError(
            Problem(
                name,
                value,
                f"has {len(text)} characters",
                f"at most {QUERY_TEXT_LENGTH} characters",
            )
        )
    return text


def transition(step: str, status: str, query_id: int) -> str:
    """The status ``step`` leads to from ``status``; :class:`InputError` naming the current
    status and the statuses the step may start from when it is not allowed.

    Examples
    --------
    >>> transition("close", "answered", 7)
    'closed'
    >>> transition("close", "open", 7)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: status: query 7 is open: it cannot be closed ...
    """
    sources, target = TRANSITIONS[step]
    if status not in sources:
        raise InputError(
            Problem(
                "status",
                status,
                f"query {query_id} is {status}: it cannot be {STEP_VERBS[step]}",
                ", ".join(s for s in QUERY_STATUSES if s in sources),
            )
        )
    return target


def shown(value: Any) -> str | None:
    """A stored value as a query's thread records it: text, dates in ISO 8601, ``None`` for
    blank.

    Examples
    --------
    >>> shown(dt.date(2024, 3, 1)), shown(2.5), shown(True), shown(None)
    ('2024-03-01', '2.5', 'true', None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def may_take(role: Role, step: str) -> bool:
    """Whether ``role`` may take ``step`` (every action of :data:`STEP_ACTIONS`).

    Examples
    --------
    >>> may_take(Role.monitor, "close"), may_take(Role.monitor, "correct")
    (True, False)
    >>> may_take(Role.data_entry, "correct"), may_take(Role.data_entry, "reopen")
    (True, False)
    """
    return all(allows(role, action) for action in STEP_ACTIONS[step])


def refusal(role: Role, step: str) -> str:
    """What a refused ``step`` says, naming the role.

    Examples
    --------
    >>> refusal(Role.monitor, "answer")
    'the monitor role may not answer queries'
    """
    what = "correct records" if step == "correct" else f"{STEP_NAMES[step]} queries"
    return f"the {role} role may not {what}"
