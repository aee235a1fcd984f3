"""Cohort tables v1: schemas, readers, writers and validation."""

from clears.cohort._model import DATE_COLUMNS, REQUIRED_COLUMNS, TABLES, Cohort

__all__ = ["DATE_COLUMNS", "REQUIRED_COLUMNS", "TABLES", "Cohort"]
