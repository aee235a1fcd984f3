"""Patient identifiers in the registry: one check for every new id, one rule for lookups.

Every way a patient enters the registry (web form, JSON API, service call, import) checks the
identifier with :func:`new_patient_id`, which applies the cohort rule of
:mod:`clears.cohort._ids` (normalised, one safe alphabet) and refuses an id equal to a
registered one ignoring letter case, naming the registered id. Every lookup goes through
:func:`find_patient_id`: the id as stored if one is stored exactly so (legacy ids from before
the alphabet stay reachable until renamed), else the normalised id (``' P01'`` finds
``P01``), else the one registered id equal to it ignoring case.

Two transactions enrolling the same new id at once must not both pass the check: on SQLite
every transaction already holds the database's write lock from its first statement
(``BEGIN IMMEDIATE``); on PostgreSQL :func:`lock_enrolment` takes a transaction-scoped
advisory lock first, so the checks of concurrent enrolments run one after another and the
later one sees the earlier one's patient. :func:`conflict_on_duplicate` turns a unique
constraint the database still reports into a retryable :class:`ConflictError`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import ConflictError, InputError, Problem
from clears.cohort._ids import ID_ALLOWED, id_key, id_problem, normalise_id
from clears.registry._models import IdKey, patients_table

__all__ = [
    "REGISTERED_ID",
    "conflict_on_duplicate",
    "find_patient_id",
    "lock_enrolment",
    "named_ids",
    "new_patient_id",
    "registered_like",
]

#: Key of the PostgreSQL advisory lock that serialises enrolments (any 64-bit number the
#: registry uses for nothing else: the ASCII bytes of "clrsPID" read as an integer).
ENROLMENT_LOCK: Final = int.from_bytes(b"clrsPID", "big")

#: Stands in for the identifier when a record of a registered patient is checked: the
#: patient row exists, so its id is not checked again (an id from before the identifier
#: alphabet stays writable until it is renamed; migration 0007 lists such ids).
REGISTERED_ID: Final = "registered"

_CHUNK: Final = 5_000


def checked_id(value: object, *, row: int | None = None) -> str:
    """``value`` normalised, or :class:`InputError` naming the field, the value and the rule.

    Examples
    --------
    >>> checked_id(" P01 ")
    'P01'
    >>> checked_id("P/01")
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: patients: patient_id: contains '/' (got 'P/01'); allowed: ...
    """
    text = normalise_id(value)
    problem = id_problem(text)
    if problem is not None:
        raise InputError(Problem("patient_id", value, problem, ID_ALLOWED, "patients", row))
    return text


def lock_enrolment(session: Session) -> None:
    """Wait until no other transaction is enrolling patients (PostgreSQL; SQLite already
    holds its write lock), then hold that lock to the end of this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ENROLMENT_LOCK)))


def registered_like(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The registered ids equal to one of ``ids`` ignoring case: ``{id_key: registered}``.

    Compared through the indexed id key (:class:`clears.registry._models.IdKey`), so the
    check of a new id reads the index, not every patient. Identifiers are ASCII (the
    alphabet), where the id key folds exactly A-Z, as :func:`id_key` does.
    """
    keys = sorted({id_key(i) for i in ids})
    column = patients_table.c.patient_id
    found: dict[str, str] = {}
    for start in range(0, len(keys), _CHUNK):
        part = keys[start : start + _CHUNK]
        query = sa.select(column).where(IdKey(column).in_(part)).order_by(column)
        for registered in session.execute(query).scalars():
            found.setdefault(id_key(registered), registered)
    return found


def named_ids(column: sa.ColumnElement[str], values: Collection[str]) -> sa.ColumnElement[bool]:
    """SQL true for a stored id that one of ``values`` names, as :func:`find_patient_id`
    reads each: the id as given or normalised, or (for one from the alphabet) the registered
    id equal to it ignoring case, compared through the indexed id key
    (:class:`clears.registry._models.IdKey`), so no lookup scans the patients.

    A registry at the newest revision holds one patient per id ignoring case (revision 0007
    refuses an upgrade past look-alikes), so this names the patients :func:`find_patient_id`
    finds, one query for many ids.
    """
    exact = sorted({*values, *(normalise_id(v) for v in values)})
    folded = sorted(
        {id_key(text) for text in map(normalise_id, values) if id_problem(text) is None}
    )
    if not folded:
        return column.in_(exact)
    return sa.or_(column.in_(exact), IdKey(column).in_(folded))


def new_patient_id(session: Session, value: object) -> str:
    """Check an identifier for a new patient; return it as it is stored.

    Raises
    ------
    InputError
        The id is outside the alphabet (after normalising).
    ConflictError
        A patient with this id, or one equal to it ignoring case, is registered (the
        message names it); nothing was written.
    """
    text = checked_id(value)
    lock_enrolment(session)
    registered = registered_like(session, [text]).get(id_key(text))
    if registered is not None:
        same = "" if registered == text else f" as {registered!r} (ids ignore letter case)"
        raise ConflictError(f"patient {text!r} is already registered{same}; nothing was written")
    return text


def find_patient_id(session: Session, value: str) -> str | None:
    """The registered id that ``value`` names, or ``None`` (see the module docstring)."""
    column = patients_table.c.patient_id
    for candidate in dict.fromkeys([value, normalise_id(value)]):
        found = session.execute(sa.select(column).where(column == candidate)).scalar()
        if found is not None:
            return str(found)
    text = normalise_id(value)
    if id_problem(text) is not None:
        return None
    query = sa.select(column).where(IdKey(column) == id_key(text)).limit(2)
    alike: Sequence[str] = list(session.execute(query).scalars())
    return str(alike[0]) if len(alike) == 1 else None


@contextmanager
def conflict_on_duplicate(what: str) -> Iterator[None]:
    """Report a unique constraint the database refused as a retryable :class:`ConflictError`.

    ``what`` names what was being written, for the message.
    """
    try:
        yield
    except sa.exc.IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        raise ConflictError(
            f"{what}: another user registered the same identifier at the same time; "
            "nothing was written; reload and try again"
        ) from exc


def _is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)  # psycopg
    if code is not None:
        return str(code) == "23505"
    return "UNIQUE constraint failed" in str(exc.orig)  # sqlite3
