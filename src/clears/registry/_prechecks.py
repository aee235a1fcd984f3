"""Data checks a migration declares, run before ``clears db upgrade`` changes anything.

A revision that adds a constraint existing rows may break declares, as data, a module-level
``PRECHECKS`` tuple of :class:`Precheck`: the table, the column, the SQL condition every
row must meet (the constraint's own condition) and, in words, what is allowed.
:func:`clears.registry.migrate.upgrade` gathers the prechecks of every pending revision and
runs them all first; if any row fails, it lists every offending row and migrates nothing.

As in a CHECK constraint, a row whose condition is NULL (an empty value) passes. A check of
a table or column that does not exist yet (added by an earlier pending revision) finds no
rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

__all__ = ["Offence", "Precheck", "offences"]


@dataclass(frozen=True, slots=True)
class Precheck:
    """One condition every existing row must meet before a revision is applied.

    Parameters
    ----------
    table, column
        Where the value lives (``column`` is the value reported).
    condition
        SQL condition over that table's columns that every row must satisfy.
    allowed
        What is allowed, in words (``"0 to 600"``).
    """

    table: str
    column: str
    condition: str
    allowed: str


@dataclass(frozen=True, slots=True)
class Offence:
    """A row that a pending revision's constraint would refuse."""

    revision: str
    table: str
    row_id: int
    patient_id: str | None
    column: str
    value: object
    allowed: str
    centre: str | None = None

    def __str__(self) -> str:
        patient = f"patient {self.patient_id}, " if self.patient_id is not None else ""
        if self.centre is not None:
            patient += f"centre {self.centre}, "
        return (
            f"{self.table} id {self.row_id} ({patient}{self.column} = {self.value!r}): "
            f"revision {self.revision} allows {self.allowed}"
        )


def _patient_column(columns: set[str], table: str) -> str:
    """The SELECT expression of the row's patient id (a subquery, so that the condition's
    bare column names can only mean the checked table's)."""
    if table == "patients" and "patient_id" in columns:
        return "t.patient_id"
    if "patient_key" in columns:
        return "(SELECT p.patient_id FROM patients p WHERE p.id = t.patient_key)"
    return "NULL"


def _centre_column(columns: set[str]) -> str:
    """The SELECT expression of the row's centre code (of the patient for their records)."""
    if "centre_key" in columns:
        return "(SELECT c.code FROM centres c WHERE c.id = t.centre_key)"
    if "patient_key" in columns:
        return (
            "(SELECT c.code FROM patients p JOIN centres c ON c.id = p.centre_key "
            "WHERE p.id = t.patient_key)"
        )
    return "NULL"


def offences(
    connection: sa.Connection, revision: str, checks: tuple[Precheck, ...], *, limit: int = 1000
) -> list[Offence]:
    """Every row (up to ``limit`` per check) that breaks one of ``checks``."""
    inspector = sa.inspect(connection)
    found: list[Offence] = []
    for check in checks:
        if not inspector.has_table(check.table):
            continue
        columns = {c["name"] for c in inspector.get_columns(check.table)}
        if check.column not in columns:
            continue
        patient = _patient_column(columns, check.table)
        centre = _centre_column(columns)
        statement = sa.text(
            f"SELECT t.id, {patient}, t.{check.column}, {centre} FROM {check.table} t "
            f"WHERE NOT ({check.condition}) ORDER BY t.id LIMIT {int(limit)}"
        )
        for row_id, patient_id, value, code in connection.execute(statement):
            found.append(
                Offence(
                    revision,
                    check.table,
                    int(row_id),
                    None if patient_id is None else str(patient_id),
                    check.column,
                    value,
                    check.allowed,
                    None if code is None else str(code),
                )
            )
    return found
