"""Cohort tables v1: schemas, readers, writers and validation."""

from clears.cohort._complete import with_optional_columns
from clears.cohort._model import DATE_COLUMNS, REQUIRED_COLUMNS, TABLES, Cohort
from clears.cohort._read import OPTIONAL_TABLES, read
from clears.cohort._schema import DOSE_MAXIMUM, SCHEMA, Column, Kind
from clears.cohort._validate import conform, validate
from clears.cohort._write import write

__all__ = [
    "DATE_COLUMNS",
    "DOSE_MAXIMUM",
    "OPTIONAL_TABLES",
    "REQUIRED_COLUMNS",
    "SCHEMA",
    "TABLES",
    "Cohort",
    "Column",
    "Kind",
    "conform",
    "read",
    "validate",
    "with_optional_columns",
    "write",
]
