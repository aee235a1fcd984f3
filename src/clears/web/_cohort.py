"""The cohort tables of what one user may see, read through the registry exporter.

Decision support, outcomes and exports read only cohort tables (docs/architecture.md); this
module asks the registry for the actor's cohort or, for one patient's page, for that
patient's rows only
(read by the registry in SQL, :func:`clears.registry.exporter.export_cohort` with
``patient_ids``: the cost is the patient's, not the registry's). Reads only; writes never
come through here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from clears.cohort import DATE_COLUMNS, TABLES, Cohort
from clears.cohort._schema import schema_of
from clears.registry import Actor
from clears.registry.exporter import export_cohort
from clears.registry.patients import get_patient

__all__ = ["cohort_for", "relabel", "with_all_columns"]


def cohort_for(
    session: Session,
    *,
    actor: Actor,
    patient_ids: Iterable[str] | None = None,
    all_columns: bool = False,
    columns: Mapping[str, Collection[str]] | None = None,
) -> Cohort:
    """The cohort of the actor's patients (or of ``patient_ids``, each checked in scope).

    ``all_columns=True`` adds every known column the export left out as a blank column:
    :func:`clears.protocol.advise` needs them (it reads ``end_date`` even when no period has
    ended), while :func:`clears.outcomes.derive` must not get a blank ``sledai`` column.
    ``columns`` reads only those optional columns of the tables it names
    (:func:`clears.registry.exporter.export_cohort`), e.g. the report's
    :data:`clears.report.REPORT_COLUMNS`.

    Raises
    ------
    NotFoundError
        A requested patient is unknown or outside the actor's centres.
    """
    wanted = None if patient_ids is None else list(patient_ids)
    for pid in wanted or ():
        get_patient(session, actor=actor, patient_id=pid)
    cohort = export_cohort(actor=actor, session=session, patient_ids=wanted, columns=columns)
    return with_all_columns(cohort) if all_columns else cohort


def with_all_columns(cohort: Cohort) -> Cohort:
    """The same rows with every known column the export left out added as a blank column
    (what ``cohort_for(..., all_columns=True)`` returns), so a page that needs both forms
    reads the registry once."""
    frames = {table: _with_all_columns(table, cohort.table(table)) for table in TABLES}
    return Cohort(**frames, source=cohort.source)


def _with_all_columns(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the known columns the export left out (all blank) as blank columns, so that
    readers see missing values rather than missing columns."""
    missing = [name for name in schema_of(table) if name not in frame.columns]
    if not missing:
        return frame
    rows = len(frame)
    blank = pd.DataFrame(
        {
            name: np.full(rows, np.datetime64("NaT"), dtype="datetime64[ns]")
            if name in DATE_COLUMNS[table]
            else np.full(rows, None, dtype=object)
            for name in missing
        },
        index=frame.index,
    )
    return pd.concat([frame, blank], axis=1)


def relabel(cohort: Cohort, centres: Sequence[str]) -> Cohort:
    """The same tables (not copied, not changed) with the source ``registry (centres ...)``.

    Examples
    --------
    >>> import pandas as pd
    >>> blank = Cohort(*(pd.DataFrame() for _ in TABLES), source="sqlite:///x.db")
    >>> relabel(blank, ["BCN", "LYO"]).source
    'registry (centres BCN, LYO)'
    """
    label = f"registry (centres {', '.join(centres) or 'none'})"
    return dataclasses.replace(cohort, source=label)
