"""The cohort tables: the one contract between the registry, the simulator and the analyses.

A cohort is six tidy tables (docs/cohort-tables.md: the v1 tables and the v2 addition of
``concomitant_medications``; a v1 folder, which lacks it, reads as v2 with that table empty).
Dates are ``datetime64`` columns,
identifiers are strings, and extra columns are kept. :func:`clears.cohort.read` builds a
validated :class:`Cohort` from a folder; everything downstream reads only this object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import pandas as pd

__all__ = ["COHORT_VERSION", "DATE_COLUMNS", "REQUIRED_COLUMNS", "TABLES", "Cohort"]

#: Version of the cohort-table contract this package reads and writes.
COHORT_VERSION: Final = 2

#: The six tables, in the order they are read and written.
TABLES: Final = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)

#: Required columns per table (docs/cohort-tables.md, unchanged since v1).
REQUIRED_COLUMNS: Final = MappingProxyType(
    {
        "patients": ("patient_id", "centre"),
        "treatments": ("patient_id", "drug", "start_date", "dose_mg_per_day"),
        "visits": ("patient_id", "visit_date"),
        "adverse_events": ("patient_id", "onset_date", "term", "grade"),
        "flares": ("patient_id", "flare_date", "severity"),
        "concomitant_medications": ("patient_id", "drug", "start_date"),
    }
)

#: Columns holding ISO 8601 dates, per table.
DATE_COLUMNS: Final = MappingProxyType(
    {
        "patients": ("sle_onset_date", "reproductive_potential_date"),
        "treatments": ("start_date", "end_date"),
        "visits": ("visit_date",),
        "adverse_events": ("onset_date", "end_date"),
        "flares": ("flare_date",),
        "concomitant_medications": ("start_date", "end_date"),
    }
)


def _no_medications() -> pd.DataFrame:
    """An empty ``concomitant_medications`` table (a cohort built without one, or v1)."""
    columns = REQUIRED_COLUMNS["concomitant_medications"]
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})


@dataclass(frozen=True)
class Cohort:
    """Six validated tables describing one cohort.

    Attributes
    ----------
    patients, treatments, visits, adverse_events, flares, concomitant_medications
        One DataFrame each (``concomitant_medications`` defaults to an empty table, so
        cohorts built with the five v1 tables keep working), with at least the required
        columns of :data:`REQUIRED_COLUMNS`;
        ``patient_id`` is a string column and date columns are ``datetime64``.
    source
        Where the cohort came from (a folder path, ``"simulated"``, a database URL...).
    """

    patients: pd.DataFrame
    treatments: pd.DataFrame
    visits: pd.DataFrame
    adverse_events: pd.DataFrame
    flares: pd.DataFrame
    concomitant_medications: pd.DataFrame = field(default_factory=_no_medications)
    source: str = ""

    def table(self, name: str) -> pd.DataFrame:
        """Return one table by its name (one of :data:`TABLES`)."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLES)}")
        frame: pd.DataFrame = getattr(self, name)
        return frame

    @property
    def n_patients(self) -> int:
        """Number of patients."""
        return len(self.patients)
