"""The cohort tables: the one contract between the registry, the simulator and the analyses.

A cohort is five tidy tables (DESIGN.md, "Cohort tables v1"). Dates are ``datetime64`` columns,
identifiers are strings, and extra columns are kept. :func:`clears.cohort.read` builds a
validated :class:`Cohort` from a folder; everything downstream reads only this object.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import pandas as pd

__all__ = ["DATE_COLUMNS", "REQUIRED_COLUMNS", "TABLES", "Cohort"]

#: The five tables, in the order they are read and written.
TABLES: Final = ("patients", "treatments", "visits", "adverse_events", "flares")

#: Required columns per table (DESIGN.md, "Cohort tables v1").
REQUIRED_COLUMNS: Final = MappingProxyType(
    {
        "patients": ("patient_id", "centre"),
        "treatments": ("patient_id", "drug", "start_date", "dose_mg_per_day"),
        "visits": ("patient_id", "visit_date"),
        "adverse_events": ("patient_id", "onset_date", "term", "grade"),
        "flares": ("patient_id", "flare_date", "severity"),
    }
)

#: Columns holding ISO 8601 dates, per table.
DATE_COLUMNS: Final = MappingProxyType(
    {
        "patients": (),
        "treatments": ("start_date", "end_date"),
        "visits": ("visit_date",),
        "adverse_events": ("onset_date", "end_date"),
        "flares": ("flare_date",),
    }
)


@dataclass(frozen=True)
class Cohort:
    """Five validated tables describing one cohort.

    Attributes
    ----------
    patients, treatments, visits, adverse_events, flares
        One DataFrame each, with at least the required columns of :data:`REQUIRED_COLUMNS`;
        ``patient_id`` is a string column and date columns are ``datetime64``.
    source
        Where the cohort came from (a folder path, ``"simulated"``, a database URL...).
    """

    patients: pd.DataFrame
    treatments: pd.DataFrame
    visits: pd.DataFrame
    adverse_events: pd.DataFrame
    flares: pd.DataFrame
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
