"""Import a cohort into the registry: all or nothing, in one transaction.

The cohort is validated first exactly as :func:`clears.cohort.read` does; any problem stops
the import before anything is written, with every problem listed (file, row, column, value,
what is allowed). A cohort holding a patient already in the registry is refused the same way
(re-importing is never a duplicate patient). Rows are inserted in chunks with Core
``INSERT``s (``executemany`` of parameter lists); the parameters of each chunk are built
just before its ``INSERT`` and dropped after it, so besides the typed cohort frames only one
chunk is ever held as Python objects. One audit entry per patient records the import (the
patient's values and how many rows of each table came with them), and one per imported row
with its values (so that ``clears audit verify`` can reconcile every row), also built per chunk.
The imported patients' last visit dates (the patient list's sort key,
:mod:`clears.registry._list_columns`) are then set from their visits in one ``UPDATE``.

On SQLite the per-row evaluation of the tables' CHECK constraints is the slowest part of a
bulk insert (each ``IN (...)`` list is rebuilt for every row, about 75 µs per visit row).
The cohort has just passed the same checks in :func:`clears.cohort.conform`, so during the
inserts the constraints are verified once per table instead: one ``SELECT`` over the new
rows for any row where a constraint is false, inside the same transaction, and the import
fails (nothing written) if one is found. The database still never holds a row that breaks
a constraint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._cells import is_missing
from clears._exceptions import InputError, Problem
from clears.cohort import TABLES, Cohort, conform, read
from clears.cohort._ids import id_key
from clears.registry import audit
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, transaction
from clears.registry._import_notice import Notice, estimate, publish, withdraw
from clears.registry._list_columns import refresh_last_visits
from clears.registry._models import ENTITY_TABLES, centres_table, data_columns
from clears.registry._patient_ids import conflict_on_duplicate, lock_enrolment, registered_like

__all__ = ["ImportSummary", "import_cohort"]

_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import wrote: rows per table, centres created, and the source."""

    rows: dict[str, int]
    centres_created: tuple[str, ...]
    source: str

    def to_text(self) -> str:
        """One line per table."""
        lines = [f"imported {self.source}"]
        lines += [f"  {table}: {n} rows" for table, n in self.rows.items()]
        if self.centres_created:
            lines.append(f"  centres created: {', '.join(self.centres_created)}")
        return "\n".join(lines)


def _records(table: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python dicts: known columns by name, unknown ones in ``extra``."""
    known = [c for c in data_columns(table) if c in frame.columns]
    extra = [
        c
        for c in frame.columns
        if c not in data_columns(table) and c not in ("patient_id", "centre")
    ]
    columns: dict[str, list[Any]] = {}
    json_columns = set(extra)
    for name in [*known, *extra]:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            # Known date columns are DATE columns; extra ones live in JSON, which has no
            # date type, so they are kept as ISO 8601 text (what a CSV cohort holds anyway).
            as_json = name in json_columns
            values = [
                None if pd.isna(v) else (v.date().isoformat() if as_json else v.date())
                for v in series
            ]
        else:
            values = [None if is_missing(v) else v for v in series.astype(object)]
        columns[name] = values
    rows: list[dict[str, Any]] = []
    for i in range(len(frame)):
        row = {name: columns[name][i] for name in known}
        row["extra"] = {name: columns[name][i] for name in extra} if extra else None
        rows.append(row)
    return rows


def _batches(
    table: str, frame: pd.DataFrame, size: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """``(first row, row dicts)`` for ``size`` rows at a time: parameters for one ``INSERT``.

    Built batch by batch, so the whole table is never held as Python objects at once.
    """
    for start in range(0, len(frame), size):
        yield start, _records(table, frame.iloc[start : start + size])


def _inserted_ids(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order of ``rows``.

    PostgreSQL returns them (``RETURNING``, sorted by parameter order). On SQLite, where that
    sorting falls back to one ``INSERT`` per row, the transaction holds the database's write
    lock, so the rows are the ones above the highest id before the ``INSERT``, in order.
    """
    if session.get_bind().dialect.name != "sqlite":
        returning = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(key) for key in session.execute(returning, rows).scalars()]
    last = session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    session.execute(sa.insert(table), rows)
    query = sa.select(table.c.id).where(table.c.id > last).order_by(table.c.id)
    ids = [int(key) for key in session.execute(query).scalars()]
    if len(ids) != len(rows):  # pragma: no cover - the write lock rules it out
        raise RuntimeError(f"{table.name}: {len(rows)} rows inserted but {len(ids)} found")
    return ids


def _existing(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """The registered id of each of ``ids`` already in the registry, ignoring letter case."""
    registered = registered_like(session, ids)
    return {pid: registered[id_key(pid)] for pid in ids if id_key(pid) in registered}


def _centres(
    session: Session, *, actor: Actor, codes: Sequence[str]
) -> tuple[dict[str, int], list[str]]:
    """Database keys of ``codes`` (creating the missing ones) and the codes created.

    Every code must be one of the actor's centres, registered or not.
    """
    for code in codes:
        if not actor.can_see(code):
            raise InputError(
                Problem(
                    "centre",
                    code,
                    "is not one of your centres",
                    ", ".join(sorted(actor.centres)),
                    "patients",
                )
            )
    query = sa.select(centres_table.c.code, centres_table.c.id)
    known: dict[str, int] = {str(code): int(key) for code, key in session.execute(query)}
    created = sorted(set(codes) - set(known))
    for code in created:
        session.execute(sa.insert(centres_table).values(code=code))
        known[code] = session.execute(
            sa.select(centres_table.c.id).where(centres_table.c.code == code)
        ).scalar_one()
    audit.append(
        session,
        actor=actor,
        changes=[
            audit.Change("insert", "centres", known[code], None, None, {"code": code})
            for code in created
        ],
    )
    return known, created


@contextmanager
def _constraints_checked_per_table(session: Session) -> Iterator[dict[str, int]]:
    """On SQLite, check CHECK constraints once per table after the inserts, not per row.

    Yields a dict the caller fills with the highest id of each table before its inserts;
    on leaving, every row above it is checked against every CHECK constraint of its table.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield {}
        return
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    before: dict[str, int] = {}
    try:
        yield before
    finally:
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    problems = [p for name, last in before.items() for p in _violations(session, name, last)]
    if problems:
        raise InputError(problems)


def _last_id(session: Session, name: str) -> int:
    table = ENTITY_TABLES[name]
    return int(session.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0)


def _violations(session: Session, name: str, last: int) -> list[Problem]:
    """Every (new row, constraint) of ``name`` above id ``last`` whose CHECK is false."""
    table = ENTITY_TABLES[name]
    checks = [c for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    if not checks:
        return []
    # A CHECK fails only when its expression is false (NULL passes), as NOT (expr) is true.
    failing = [sa.text(f"NOT ({c.sqltext})") for c in checks]
    query = sa.select(table.c.id).where(table.c.id > last, sa.or_(*failing))
    ids = list(session.execute(query.limit(100)).scalars())
    problems = []
    for key in ids:
        for check, test in zip(checks, failing, strict=True):
            broken = session.execute(sa.select(table.c.id).where(table.c.id == key, test)).first()
            if broken is not None:
                problems.append(
                    Problem(
                        str(check.name),
                        None,
                        f"record {key} breaks the database constraint; nothing was imported",
                        str(check.sqltext),
                        name,
                    )
                )
    return problems


@contextmanager
def _announced(session: Session, total: int) -> Iterator[Callable[[int], None]]:
    """Publish the import's notice (:mod:`._import_notice`) while it runs; yields the
    function to call with the rows of each chunk written."""
    started = dt.datetime.now(dt.UTC)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        until = estimate(started, dt.datetime.now(dt.UTC), done, total)
        publish(session, Notice(started, until, done, total))

    session.connection()  # the transaction has begun: the import holds the registry now
    publish(session, Notice(started, None, 0, total))
    try:
        yield advance
    except BaseException:
        withdraw(session, committed=False)
        raise
    withdraw(session, committed=True)


def _write(session: Session, cohort: Cohort, *, actor: Actor, chunk: int) -> ImportSummary:
    # Imports and enrolments run one at a time (their checks see each other's patients and
    # centres); a unique constraint still refused is a retryable conflict, not a traceback.
    lock_enrolment(session)
    total = sum(len(cohort.table(name)) for name in TABLES)
    with (
        _announced(session, total) as advance,
        conflict_on_duplicate("import"),
        _constraints_checked_per_table(session) as before,
    ):
        return _write_rows(
            session, cohort, actor=actor, chunk=chunk, before=before, advance=advance
        )


def _write_rows(
    session: Session,
    cohort: Cohort,
    *,
    actor: Actor,
    chunk: int,
    before: dict[str, int],
    advance: Callable[[int], None],
) -> ImportSummary:
    patients = cohort.patients
    ids = patients["patient_id"].astype(str).tolist()
    duplicates = _existing(session, ids)
    if duplicates:
        raise InputError(
            [
                Problem(
                    "patient_id",
                    pid,
                    "is already in the registry"
                    + ("" if duplicates[pid] == pid else f" as {duplicates[pid]!r}")
                    + "; nothing was imported",
                    "a patient_id not yet registered, ignoring letter case "
                    "(re-importing a cohort is refused)",
                    "patients",
                    row + 1,
                )
                for row, pid in enumerate(ids)
                if pid in duplicates
            ]
        )
    centre_keys, created = _centres(
        session, actor=actor, codes=sorted(set(patients["centre"].astype(str)))
    )
    table = ENTITY_TABLES["patients"]
    before["patients"] = _last_id(session, "patients")
    keys: dict[str, int] = {}
    centres = patients["centre"].astype(str).tolist()
    counts: dict[str, dict[str, int]] = {pid: {} for pid in ids}
    for name in TABLES[1:]:
        for owner in cohort.table(name)["patient_id"].astype(str):
            counts[owner][name] = counts[owner].get(name, 0) + 1
    for start, rows in _batches("patients", patients, chunk):
        part = [
            {**row, "patient_id": ids[i], "centre_key": centre_keys[centres[i]], "version": 1}
            for i, row in enumerate(rows, start)
        ]
        session.execute(sa.insert(table), part)
        query = sa.select(table.c.patient_id, table.c.id).where(
            table.c.patient_id.in_([row["patient_id"] for row in part])
        )
        keys.update((str(pid), int(key)) for pid, key in session.execute(query))
        changes = [
            audit.Change(
                "import",
                "patients",
                keys[ids[i]],
                ids[i],
                None,
                {
                    "centre": centres[i],
                    **{k: v for k, v in row.items() if v is not None},
                    "rows": counts[ids[i]],
                    "source": cohort.source,
                },
            )
            for i, row in enumerate(rows, start)
        ]
        audit.append(session, actor=actor, changes=changes)
        advance(len(part))
    written = {"patients": len(patients)}
    for name in TABLES[1:]:
        frame = cohort.table(name)
        owners = frame["patient_id"].astype(str).tolist()
        before[name] = _last_id(session, name)
        target = ENTITY_TABLES[name]
        for start, records in _batches(name, frame, chunk):
            part = [
                {**row, "patient_key": keys[owners[i]], "version": 1}
                for i, row in enumerate(records, start)
            ]
            # Every imported row gets its own entry with its values (what verify reconciles
            # the table with).
            inserted = _inserted_ids(session, target, part)
            audit.append(
                session,
                actor=actor,
                changes=[
                    audit.Change(
                        "import",
                        name,
                        int(key),
                        owners[i],
                        None,
                        {k: v for k, v in row.items() if v is not None},
                    )
                    for i, key, row in zip(
                        range(start, start + len(records)), inserted, records, strict=True
                    )
                ],
            )
            advance(len(part))
            del part, records
        written[name] = len(frame)
        del owners
    if written.get("visits") and keys:
        # One UPDATE for all the imported patients (their row ids are one range).
        refresh_last_visits(session, table.c.id.between(min(keys.values()), max(keys.values())))
    return ImportSummary(written, tuple(created), cohort.source)


def import_cohort(
    cohort: Cohort | str | Path,
    *,
    actor: Actor,
    url: str | None = None,
    engine: sa.Engine | None = None,
    session: Session | None = None,
    today: dt.date | None = None,
    chunk: int = _CHUNK,
) -> ImportSummary:
    """Validate a cohort and write it into the registry in one transaction.

    Parameters
    ----------
    cohort
        A cohort folder (CSV or Parquet tables) or a :class:`~clears.cohort.Cohort`.
    actor
        Who imports; every centre of the cohort must be one of theirs. Missing centres
        are created.
    url
        Database URL (``--db``, else ``$CLEARS_DB_URL``, else ``sqlite:///clears.db``);
        ignored when ``engine`` or ``session`` is given.
    engine
        The registry's engine (the caller disposes of it); the transaction starts only once
        the cohort has been read and checked, so the registry is not held meanwhile.
    session
        Import inside the caller's transaction instead (the caller commits).
    today
        Dates after this day are problems; default: the current date.
    chunk
        Rows per ``INSERT`` batch.

    Raises
    ------
    InputError
        Every problem of the cohort, or every patient already registered; nothing written.
    """
    if isinstance(cohort, Cohort):
        conformed = conform(cohort, today=today)
    else:
        conformed = read(cohort, today=today)
    if session is not None:
        return _write(session, conformed, actor=actor, chunk=chunk)
    if engine is not None:
        with transaction(engine) as own:
            return _write(own, conformed, actor=actor, chunk=chunk)
    made = make_engine(url)
    try:
        with transaction(made) as own:
            return _write(own, conformed, actor=actor, chunk=chunk)
    finally:
        made.dispose()
