"""The registry's string columns hold exactly the cohort schema's length limits (one definition)."""

from __future__ import annotations

import sqlalchemy as sa

from clears.cohort import SCHEMA
from clears.cohort._schema import schema_of
from clears.registry._models import METADATA, centres_table, patients_table


def test_every_schema_string_column_has_the_schema_limit() -> None:
    checked = 0
    for table, columns in SCHEMA.items():
        sql = METADATA.tables[table]
        for column in columns:
            if column.name not in sql.columns:
                continue  # patient_id and centre are references (checked below)
            sql_type = sql.columns[column.name].type
            if isinstance(sql_type, sa.String):
                assert sql_type.length == column.max_length, (table, column.name)
                checked += 1
            else:
                assert column.max_length is None, (table, column.name)
    assert checked >= 18  # the text, choice and choices columns of every table (18 now)


def test_identifier_and_centre_columns_have_the_schema_limit() -> None:
    patients = schema_of("patients")
    assert patients_table.c.patient_id.type.length == patients["patient_id"].max_length
    assert centres_table.c.code.type.length == patients["centre"].max_length
