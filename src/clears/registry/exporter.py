"""Export the registry as cohort tables (CSV or Parquet), scoped to the actor's centres.

The tables are rebuilt from the database and given the canonical cohort types with the
cohort parsers (:func:`clears.cohort._coerce.coerce_column`, item columns with
:func:`clears.cohort._items.coerce_item`). They are not re-validated by default: every row
was validated when it was written (import or service), and the database's CHECK and foreign
key constraints hold; ``validate=True`` runs the full :func:`clears.cohort.conform` (table
and cross-table checks) as well. Columns: the required ones, every other
known column that holds at least one value, and the extra columns imported with the cohort
(kept per row in ``extra``), then the values of site-defined fields, one column per field
stored for the table (as their stored text, a field no longer declared too). Rows are in
patient order, then in the order they were written,
so import → export → import → export gives identical files.

Memory: one aggregate query per table first finds the columns that hold a value (``COUNT``
of each column), so the many empty item columns of a registry without item-level data are
never fetched. Rows are then streamed ``fetch`` at a time (``yield_per``) and each batch is
typed at once, so only the typed columns of the whole table are held, never the rows as
Python objects (100,000 patients: about 0.3 GB instead of 3.2 GB, docs/registry.md).
``validate=True`` reads each table whole, as :func:`clears.cohort.conform` needs the raw values.

A reader that needs only some columns names them (``columns``: table -> the optional
columns it reads, e.g. the study report's :data:`clears.report.REPORT_COLUMNS`): only those
and the required columns are fetched, without the counting query and without the extra
columns, so a report of 100,000 patients does not fetch the 78 item columns of a million
visits it never reads. Tables not named are read whole.

Python's cyclic garbage collector is paused while the tables are read
(:func:`_collector_paused`): the fetched rows are millions of tuples without a reference
cycle, yet each burst of them started a collection that walked every live object, two thirds
of the time of reading 100,000 patients' visits.

A patient-scoped read (``patient_ids``: one patient's page, a visit form, decision support)
costs what those patients' rows cost, whatever the size of the registry: one query finds the
patients' keys (the ids looked up as every entry point looks them up, ignoring letter case,
through an index), then one query per table reads their rows by the indexed ``patient_key``;
no counting query, since blank columns are seen in the few rows fetched. Those rows are typed
from the database's own column types (a date column holds dates, an item column whole codes
its CHECK constraint allows) into the canonical cohort dtypes, without the text parsers,
whose fixed cost per column (a visit has over a hundred) would otherwise be most of a page's
time. The result equals the full export restricted to those patients, column for column
(tests/registry/test_patient_scoped.py), except that columns blank for them are left out.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, Literal, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears._exceptions import InputError, Problem
from clears.cohort import DATE_COLUMNS, REQUIRED_COLUMNS, TABLES, Cohort, conform, write
from clears.cohort._coerce import _DTYPES as CANONICAL_DTYPES
from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item
from clears.cohort._schema import schema_of
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, resolve_url, transaction
from clears.registry._models import (
    ENTITY_TABLES,
    centres_table,
    data_columns,
    item_fields,
    site_values_table,
)
from clears.registry._patient_ids import named_ids

__all__ = ["export_cohort", "write_cohort"]

#: Rows fetched and typed at a time.
_FETCH = 20_000

#: Patients named in one query of a scoped read (each id is a bound parameter or three, and
#: PostgreSQL takes at most 65,535 in a statement).
_KEYS_AT_ONCE = 5_000


def _select(
    table: str,
    actor: Actor,
    names: Sequence[str] | None = None,
    keys: Collection[int] | None = None,
    *,
    extra: bool = True,
    site: Sequence[str] = (),
) -> sa.Select[Any]:
    """The rows of ``table`` the actor sees, in export order.

    ``names`` limits the data columns (default: all of them); ``patient_id`` (and ``centre``
    for patients) is always selected, ``extra`` unless ``extra=False``, and the site fields
    ``site`` (:func:`_site_columns`). ``keys`` keeps only the patients with those database
    keys (:func:`_patient_keys`, still within the actor's centres).
    """
    patients = ENTITY_TABLES["patients"]
    source = ENTITY_TABLES[table]
    chosen = data_columns(table) if names is None else names
    columns: list[sa.ColumnElement[Any]]
    if table == "patients":
        columns = [patients.c.patient_id, centres_table.c.code.label("centre")]
        columns += [_as_stored(table, patients.c[name]) for name in chosen]
        columns += [_raw(patients.c.extra)] if extra else []
        columns += _site_columns(table, patients.c.id, site)
        query = sa.select(*columns).select_from(
            patients.join(centres_table, patients.c.centre_key == centres_table.c.id)
        )
        order = [patients.c.id]
    else:
        columns = [patients.c.patient_id] + [_as_stored(table, source.c[name]) for name in chosen]
        columns += [_raw(source.c.extra)] if extra else []
        columns += _site_columns(table, source.c.id, site)
        query = sa.select(*columns).select_from(
            source.join(patients, source.c.patient_key == patients.c.id).join(
                centres_table, patients.c.centre_key == centres_table.c.id
            )
        )
        order = [patients.c.id, source.c.id]
    if not actor.all_centres:
        query = query.where(centres_table.c.code.in_(sorted(actor.centres)))
    if keys is not None:
        owner = patients.c.id if table == "patients" else source.c.patient_key
        query = query.where(owner.in_(sorted(keys)))
    return query.order_by(*order)


#: The label prefix of a site field's column in a query (folded into the extra columns).
_SITE = "site_fields."


def _site_columns(
    table: str, record_id: sa.ColumnElement[Any], site: Sequence[str]
) -> list[sa.ColumnElement[Any]]:
    """One column per site field: its stored text for the row (a primary-key lookup of
    ``site_values``), blank when the record has none."""
    values = site_values_table.c
    return [
        sa.select(values.value)
        .where(values.entity == table, values.record_id == record_id, values.field == name)
        .scalar_subquery()
        .label(_SITE + name)
        for name in site
    ]


def _site_names(session: Session, table: str, keys: Collection[int] | None = None) -> list[str]:
    """The site fields holding a value in ``table`` (of the patients ``keys``, when given:
    through the index on ``patient_key``), by name."""
    values = site_values_table.c
    query = sa.select(values.field).where(values.entity == table).distinct()
    if keys is not None:
        query = query.where(values.patient_key.in_(sorted(keys)))
    return sorted(str(name) for name in session.execute(query).scalars())


def _folded(extras: Sequence[Any], cells: dict[str, Any], rows: int) -> list[Any]:
    """The rows' extra values with their site values added (the site columns taken out of
    ``cells``): one mapping per row, or the extra value as fetched when the row has none."""
    site = {n[len(_SITE) :]: cells.pop(n) for n in [n for n in cells if n.startswith(_SITE)]}
    if not site:
        return list(extras) or [None] * rows
    folded: list[Any] = []
    for i, value in enumerate(list(extras) or [None] * rows):
        given = {name: texts[i] for name, texts in site.items() if texts[i] is not None}
        folded.append({**(_decoded(value) or {}), **given} if given else value)
    return folded


def _patient_keys(session: Session, actor: Actor, patient_ids: Collection[str]) -> list[int]:
    """Database keys of the patients ``patient_ids`` name (looked up as every entry point
    looks ids up, :func:`clears.registry._patient_ids.named_ids`), within the actor's centres."""
    patients = ENTITY_TABLES["patients"]
    ids = sorted(set(patient_ids))
    found: set[int] = set()
    for part in _parts(ids):
        query = sa.select(patients.c.id).where(named_ids(patients.c.patient_id, part))
        if not actor.all_centres:
            query = query.join(centres_table, patients.c.centre_key == centres_table.c.id)
            query = query.where(centres_table.c.code.in_(sorted(actor.centres)))
        found.update(int(key) for key in session.execute(query).scalars())
    return sorted(found)


def _parts(values: Sequence[Any]) -> list[Sequence[Any]]:
    """``values`` in slices of at most :data:`_KEYS_AT_ONCE` (one empty slice for none)."""
    return [
        values[start : start + _KEYS_AT_ONCE] for start in range(0, len(values), _KEYS_AT_ONCE)
    ] or [values]


def _filled(session: Session, table: str, actor: Actor) -> list[str]:
    """Required data columns of ``table``, and the others holding a value in the actor's rows."""
    names = list(data_columns(table))
    if not names:
        return []
    inner = _select(table, actor).order_by(None).subquery()
    counts = [sa.func.count(inner.c[name]) for name in names]
    row = session.execute(sa.select(*counts).select_from(inner)).one()
    required = REQUIRED_COLUMNS[table]
    return [name for name, n in zip(names, row, strict=True) if n or name in required]


def _frame(
    session: Session,
    table: str,
    actor: Actor,
    keys: Collection[int] | None = None,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The raw table as fetched (every column, or ``names`` as for :func:`_typed_frame`), as
    :func:`clears.cohort.conform` reads it."""
    site = _site_names(session, table, keys) if names is None else []
    result = session.execute(
        _select(table, actor, names, keys=keys, extra=names is None, site=site)
    )
    fetched = list(result.keys())
    rows = result.all()
    frame = pd.DataFrame.from_records(rows, columns=fetched)
    extras = frame.pop("extra") if names is None else pd.Series([], dtype=object)
    if site:
        cells = {n: list(frame.pop(n)) for n in [c for c in frame.columns if c.startswith(_SITE)]}
        extras = pd.Series(_folded(list(extras), cells, len(frame)), dtype=object)
    keep = [
        name
        for name in frame.columns
        if name in REQUIRED_COLUMNS[table] or frame[name].notna().any()
    ]
    frame = frame[keep]
    for name, values in _extra_columns(list(extras)).items():
        frame[name] = values
    return frame


def _as_stored(table: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """A date column as the database holds it: text on SQLite (parsed for the whole column at
    once by :func:`_stored_array`, not one regular expression per value by the driver's
    type), a date on PostgreSQL (its driver decodes dates itself)."""
    if column.name in DATE_COLUMNS[table]:
        return sa.type_coerce(column, sa.String()).label(column.name)
    return column


def _raw(extra: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """The ``extra`` column as the driver returns it (JSON text on SQLite), decoded by
    :func:`_extra_columns` only where it holds something: most rows hold JSON ``null``."""
    return sa.type_coerce(extra, sa.Text()).label("extra")


def _decoded(value: Any) -> dict[str, Any] | None:
    """One ``extra`` value: JSON text (SQLite), already decoded (PostgreSQL's driver), or
    blank (SQL NULL or JSON ``null``)."""
    if value is None or value == "null":
        return None
    found: dict[str, Any] | None = json.loads(value) if isinstance(value, str) else value
    return found


def _extra_columns(extras: Sequence[Any]) -> dict[str, list[Any]]:
    """The extra columns, named in order of first appearance, one value per row."""
    decoded = [_decoded(value) for value in extras]
    names: dict[str, None] = {}
    for value in decoded:
        if value:
            names.update(dict.fromkeys(value))
    return {name: [(value or {}).get(name) for value in decoded] for name in names}


def _typed_column(table: str, name: str, series: pd.Series) -> pd.Series:
    """One column in its canonical cohort type (extra columns as text when all text)."""
    known = schema_of(table)
    if name in known:
        required = name in REQUIRED_COLUMNS[table]
        typed, _ = coerce_column(series, known[name], required=required, file=table)
        return typed
    items = {f.column: f for f in item_fields()} if table == "visits" else {}
    if name in items:
        codes, _ = coerce_item(series, items[name], file=table)
        return codes
    if series.map(lambda v: v is None or isinstance(v, str)).all():
        return series.astype("string")
    return series


def _typed_frame(
    session: Session,
    table: str,
    actor: Actor,
    fetch: int,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The table in canonical types, fetched and typed ``fetch`` rows at a time (from the
    database's column types, as :func:`_scoped_frame` types them).

    ``names`` (from :func:`_chosen`): only these data columns, no extra columns; default:
    every column holding a value, then the extra columns.
    """
    required = REQUIRED_COLUMNS[table]
    extra = names is None
    chosen = _filled(session, table, actor) if names is None else names
    site = _site_names(session, table) if extra else []
    query = _select(table, actor, chosen, extra=extra, site=site)
    result = session.execute(query.execution_options(yield_per=fetch))
    fetched = list(result.keys())
    names = [name for name in fetched if name != "extra" and not name.startswith(_SITE)]
    pieces: dict[str, list[pd.Series]] = {name: [] for name in names}
    seen = dict.fromkeys(names, False)
    extras: list[dict[str, Any] | None] = []
    rows_read = 0
    dtypes = _stored_dtypes(table, names)
    for rows in result.partitions():
        rows_read += len(rows)
        cells = dict(zip(fetched, zip(*rows, strict=True), strict=True))
        if extra:
            extras += _folded(cells.pop("extra"), cells, len(rows))
        for name in names:
            values = cells.pop(name)
            seen[name] = seen[name] or any(v is not None for v in values)
            pieces[name].append(pd.Series(_stored_array(dtypes[name], values), copy=False))
        del cells, rows
    columns: dict[str, pd.Series] = {}
    for name in names:
        if name not in required and not seen[name]:
            continue
        parts = pieces.pop(name)
        if parts:
            whole = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        else:
            whole = pd.Series(_stored_array(dtypes[name], []))
        columns[name] = whole.reset_index(drop=True)
    for name, values in _extra_columns(extras).items():
        columns[name] = _typed_column(table, name, pd.Series(values, dtype=object))
    order = [n for n in required if n in columns] + [n for n in columns if n not in required]
    return pd.DataFrame({n: columns[n] for n in order}, index=pd.RangeIndex(rows_read))


def _chosen(columns: Mapping[str, Collection[str]] | None) -> dict[str, tuple[str, ...] | None]:
    """Per table, the data columns a ``columns`` selection reads: the required ones and the
    named ones, in stored order (``None``: the table is read whole).

    Raises
    ------
    InputError
        An unknown table, or a column the table does not store (each named, with what is
        allowed); nothing is read.
    """
    given = dict(columns or {})
    problems = [
        Problem("columns", table, "not a cohort table", ", ".join(TABLES))
        for table in given
        if table not in TABLES
    ]
    chosen: dict[str, tuple[str, ...] | None] = dict.fromkeys(TABLES)
    for table in TABLES:
        if table not in given:
            continue
        stored = data_columns(table)
        wanted = {str(name) for name in given[table]}
        problems += [
            Problem(
                f"columns.{table}",
                name,
                "not a column of this table",
                ", ".join(stored),
                file=table,
            )
            for name in sorted(wanted - set(stored) - {"patient_id", "centre"})
        ]
        keep = set(REQUIRED_COLUMNS[table]) | wanted
        chosen[table] = tuple(name for name in stored if name in keep)
    if problems:
        raise InputError(problems)
    return chosen


def _stored_dtypes(table: str, names: Sequence[str]) -> dict[str, str]:
    """The canonical cohort dtype of each column read from the database: the dtype
    :func:`clears.cohort._coerce.coerce_column` gives its kind, ``Int64`` codes for an item
    column (as :func:`clears.cohort._items.coerce_item` returns them)."""
    known = schema_of(table)
    return {n: CANONICAL_DTYPES[known[n].kind] if n in known else "Int64" for n in names}


#: Whole numbers below this magnitude are exact as floats (IEEE 754 double: 53-bit mantissa).
_EXACT: Final = float(2**53)


def _stored_array(dtype: str, values: Sequence[Any]) -> Any:
    """``values`` (Python values of one SQL column, ``None`` for blank) as an array of
    ``dtype``; whole numbers and numbers through numpy directly, the rest through pandas."""
    if dtype == "Int64":
        floats = np.array(values, dtype=np.float64)  # None is NaN; one pass in C
        mask = np.isnan(floats)
        if not len(floats) or np.nanmax(np.abs(floats), initial=0.0) < _EXACT:
            return pd.arrays.IntegerArray(np.where(mask, 0.0, floats).astype(np.int64), mask)
        count = len(values)  # beyond 2**53 a float is not exact: integers one by one
        data = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=count)
        return pd.arrays.IntegerArray(data, mask)
    if dtype == "float64":
        return np.array(values, dtype=np.float64)  # None is NaN
    if dtype == "datetime64[ns]" and any(isinstance(v, str) for v in values):
        # SQLite's dates as stored ('YYYY-MM-DD', :func:`_as_stored`), parsed in one pass.
        return pd.to_datetime(np.array(values, dtype=object), format="%Y-%m-%d").array
    return pd.array(list(values), dtype=cast(Any, dtype))


def _scoped_frame(
    session: Session,
    table: str,
    actor: Actor,
    keys: Collection[int],
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of the patients with database keys ``keys``, in canonical types: the
    required columns, the others holding a value in those rows, then the extra columns.

    The values are Python values of each column's SQL type, every one validated when it was
    written and held to the table's CHECK constraints, so each column only changes dtype
    (:func:`_stored_dtypes`; dates from :class:`datetime.date`). They are typed column by
    column from the fetched tuples: a few rows of a hundred columns cost what the columns
    cost, and pandas' per-column overhead would be most of it. ``names`` as for
    :func:`_typed_frame`.
    """
    required = REQUIRED_COLUMNS[table]
    rows: list[Any] = []
    fetched: list[str] = []
    site = _site_names(session, table, keys) if names is None else []
    for part in _parts(sorted(keys)):  # in key order, so the rows stay in export order
        query = _select(table, actor, names, keys=part, extra=names is None, site=site)
        result = session.execute(query)
        fetched = list(result.keys())
        rows += result.all()
    cells = dict(
        zip(fetched, zip(*rows, strict=True) if rows else [()] * len(fetched), strict=True)
    )
    extras = _folded(cells.pop("extra", ()), cells, len(rows)) if site else []
    extras = extras or list(cells.pop("extra", ()))
    keep = [n for n in required if n in cells]
    keep += [n for n in cells if n not in required and any(v is not None for v in cells[n])]
    dtypes = _stored_dtypes(table, keep)
    typed = {n: _stored_array(dtypes[n], cells[n]) for n in keep}
    frame = pd.DataFrame(typed, index=pd.RangeIndex(len(rows)))
    for name, values in _extra_columns(extras).items():
        frame[name] = _typed_column(table, name, pd.Series(values, dtype=object))
    return frame


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off inside, back on after if it was on (reference
    counting still frees every row as soon as it is typed; only cycles wait)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def export_cohort(
    *,
    actor: Actor,
    url: str | None = None,
    session: Session | None = None,
    validate: bool = False,
    fetch: int = _FETCH,
    patient_ids: Collection[str] | None = None,
    columns: Mapping[str, Collection[str]] | None = None,
) -> Cohort:
    """Read the registry (the actor's centres) back as a validated cohort.

    Parameters
    ----------
    actor
        Whose centres to export.
    url
        Database URL (``--db``, else ``$CLEARS_DB_URL``, else ``sqlite:///clears.db``);
        ignored when ``session`` is given.
    session
        Read inside the caller's transaction instead.
    validate
        Also run every table and cross-table check of :func:`clears.cohort.conform`.
    fetch
        Rows fetched and typed at a time (memory; the result does not depend on it).
    patient_ids
        Only these patients (ids outside the actor's centres are left out, not an error), each
        id looked up as every entry point does (``p01`` names ``P01``); a few patients read
        in time proportional to their rows, not to the registry's.
    columns
        Only these optional columns of the tables named (table -> column names; the required
        columns are always read, extra columns are not): what a reader such as the study
        report needs (:data:`clears.report.REPORT_COLUMNS`). Tables not named are read whole.

    Raises
    ------
    InputError
        ``columns`` names an unknown table or a column its table does not store.
    """
    chosen = _chosen(columns)
    if session is None:
        engine = make_engine(url)
        try:
            with transaction(engine) as own:
                return export_cohort(
                    actor=actor,
                    session=own,
                    validate=validate,
                    fetch=fetch,
                    patient_ids=patient_ids,
                    columns=columns,
                )
        finally:
            engine.dispose()
    with _collector_paused():
        return _read(session, actor, chosen, validate, fetch, patient_ids, url)


def _read(
    session: Session,
    actor: Actor,
    chosen: Mapping[str, Sequence[str] | None],
    validate: bool,
    fetch: int,
    patient_ids: Collection[str] | None,
    url: str | None,
) -> Cohort:
    """The body of :func:`export_cohort` inside the caller's session."""
    source = resolve_url(url) if url else str(session.get_bind().engine.url)
    keys = None if patient_ids is None else _patient_keys(session, actor, patient_ids)
    if validate:
        frames = {table: _frame(session, table, actor, keys, chosen[table]) for table in TABLES}
        return conform(Cohort(**frames, source=source), today=pd.Timestamp.max.date())
    if keys is not None:
        scoped = {t: _scoped_frame(session, t, actor, keys, chosen[t]) for t in TABLES}
        return Cohort(**scoped, source=source)
    typed = {t: _typed_frame(session, t, actor, fetch, chosen[t]) for t in TABLES}
    return Cohort(**typed, source=source)


def write_cohort(
    cohort: Cohort, out: str | Path, *, format: Literal["csv", "parquet"] = "csv"
) -> Path:
    """Write an exported cohort as CSV or Parquet tables (see :func:`clears.cohort.write`)."""
    return write(cohort, out, format=format)
