"""Export the registry as cohort tables (CSV or Parquet), scoped to the actor's centres.

The tables are rebuilt from the database and given the canonical cohort types with the
cohort parsers (:func:`clears.cohort._coerce.coerce_column`, item columns with
:func:`clears.cohort._items.coerce_item`). They are not re-validated by default: every row
was validated when it was written (import or service), and the database's CHECK and foreign
key constraints hold; ``validate=True`` runs the full :func:`clears.cohort.conform` (table
and cross-table checks) as well. Columns: the required ones, every other
known column that holds at least one value, and the extra columns imported with the cohort
(kept per row in ``extra``). Rows are in patient order, then in the order they were written,
so import → export → import → export gives identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clears.cohort import REQUIRED_COLUMNS, TABLES, Cohort, conform, write
from clears.cohort._coerce import coerce_column
from clears.cohort._items import coerce_item
from clears.cohort._schema import schema_of
from clears.registry._actor import Actor
from clears.registry._engine import make_engine, resolve_url, transaction
from clears.registry._models import ENTITY_TABLES, centres_table, data_columns, item_fields

__all__ = ["export_cohort", "write_cohort"]


def _select(table: str, actor: Actor) -> sa.Select[Any]:
    patients = ENTITY_TABLES["patients"]
    source = ENTITY_TABLES[table]
    if table == "patients":
        columns = [patients.c.patient_id, centres_table.c.code.label("centre")]
        columns += [patients.c[name] for name in data_columns(table)]
        query = sa.select(*columns, patients.c.extra).select_from(
            patients.join(centres_table, patients.c.centre_key == centres_table.c.id)
        )
        order = [patients.c.id]
    else:
        columns = [patients.c.patient_id] + [source.c[name] for name in data_columns(table)]
        query = sa.select(*columns, source.c.extra).select_from(
            source.join(patients, source.c.patient_key == patients.c.id).join(
                centres_table, patients.c.centre_key == centres_table.c.id
            )
        )
        order = [patients.c.id, source.c.id]
    if not actor.all_centres:
        query = query.where(centres_table.c.code.in_(sorted(actor.centres)))
    return query.order_by(*order)


def _frame(session: Session, table: str, actor: Actor) -> pd.DataFrame:
    result = session.execute(_select(table, actor))
    names = list(result.keys())
    rows = result.all()
    frame = pd.DataFrame.from_records(rows, columns=names)
    extras = frame.pop("extra")
    keep = [
        name
        for name in frame.columns
        if name in REQUIRED_COLUMNS[table] or frame[name].notna().any()
    ]
    frame = frame[keep]
    extra_names: list[str] = []
    for value in extras:
        for name in value or {}:
            if name not in extra_names:
                extra_names.append(name)
    for name in extra_names:
        frame[name] = [(value or {}).get(name) for value in extras]
    return frame


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical cohort types of every column (extra columns as text), no checks."""
    known = schema_of(table)
    items = {f.column: f for f in item_fields()} if table == "visits" else {}
    required = REQUIRED_COLUMNS[table]
    columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        series = frame[name].reset_index(drop=True)
        if name in known:
            columns[name], _ = coerce_column(
                series, known[name], required=name in required, file=table
            )
        elif name in items:
            columns[name], _ = coerce_item(series, items[name], file=table)
        elif series.map(lambda v: v is None or isinstance(v, str)).all():
            columns[name] = series.astype("string")
        else:
            columns[name] = series
    order = [n for n in required if n in columns] + [n for n in columns if n not in required]
    return pd.DataFrame({n: columns[n] for n in order}, index=pd.RangeIndex(len(frame)))


def export_cohort(
    *,
    actor: Actor,
    url: str | None = None,
    session: Session | None = None,
    validate: bool = False,
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
    """
    if session is None:
        engine = make_engine(url)
        try:
            with transaction(engine) as own:
                return export_cohort(actor=actor, session=own, validate=validate)
        finally:
            engine.dispose()
    frames = {table: _frame(session, table, actor) for table in TABLES}
    source = resolve_url(url) if url else str(session.get_bind().engine.url)
    if validate:
        return conform(Cohort(**frames, source=source), today=pd.Timestamp.max.date())
    return Cohort(**{t: _typed(t, f) for t, f in frames.items()}, source=source)


def write_cohort(
    cohort: Cohort, out: str | Path, *, format: Literal["csv", "parquet"] = "csv"
) -> Path:
    """Write an exported cohort as CSV or Parquet tables (see :func:`clears.cohort.write`)."""
    return write(cohort, out, format=format)
