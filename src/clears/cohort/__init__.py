"""Cohort tables v2: schemas, readers, writers, validation and the medication vocabulary."""

from clears.cohort._complete import with_optional_columns
from clears.cohort._medications import (
    ANTITHROMBOTIC_CLASSES,
    CANONICAL_DOSE_UNIT,
    DOSE_UNITS,
    INDICATIONS,
    MEDICATION_CLASSES,
    MEDICATIONS,
    Medication,
    medication_class,
    prednisone_equivalent,
)
from clears.cohort._model import COHORT_VERSION, DATE_COLUMNS, REQUIRED_COLUMNS, TABLES, Cohort
from clears.cohort._notices import CohortWarning
from clears.cohort._read import OPTIONAL_TABLES, read
from clears.cohort._schema import (
    DOSE_MAXIMUM,
    REPRODUCTIVE_POTENTIAL_BASES,
    SCHEMA,
    Column,
    Kind,
)
from clears.cohort._site_fields import (
    SITE_FIELD_TYPES,
    SiteField,
    SiteFields,
    load_site_fields,
    parse_site_fields,
)
from clears.cohort._site_redcap import site_dictionary_rows
from clears.cohort._site_values import check_site_values, site_text, site_typed
from clears.cohort._validate import conform, validate
from clears.cohort._write import write

__all__ = [
    "ANTITHROMBOTIC_CLASSES",
    "CANONICAL_DOSE_UNIT",
    "COHORT_VERSION",
    "DATE_COLUMNS",
    "DOSE_MAXIMUM",
    "DOSE_UNITS",
    "INDICATIONS",
    "MEDICATIONS",
    "MEDICATION_CLASSES",
    "OPTIONAL_TABLES",
    "REPRODUCTIVE_POTENTIAL_BASES",
    "REQUIRED_COLUMNS",
    "SCHEMA",
    "SITE_FIELD_TYPES",
    "TABLES",
    "Cohort",
    "CohortWarning",
    "Column",
    "Kind",
    "Medication",
    "SiteField",
    "SiteFields",
    "check_site_values",
    "conform",
    "load_site_fields",
    "medication_class",
    "parse_site_fields",
    "prednisone_equivalent",
    "read",
    "site_dictionary_rows",
    "site_text",
    "site_typed",
    "validate",
    "with_optional_columns",
    "write",
]
