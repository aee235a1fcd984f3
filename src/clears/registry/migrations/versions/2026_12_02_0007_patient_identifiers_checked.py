"""patient identifiers checked

Revision ID: 0007
Revises: 0006

From this revision on every entry point stores patient identifiers from one alphabet
(``clears.cohort._ids``: 1-64 of A-Z a-z 0-9 . _ -, a letter or digit first) and refuses an id
equal to a registered one ignoring letter case. A registry written before may hold ids that
open another patient's page or make two look-alike patients. The upgrade changes nothing in
the schema; its pre-checks (run by ``clears db upgrade`` before any revision is applied)
refuse it while such ids exist, listing each (row, id, centre), so that they are renamed
first with ``clears patients rename OLD NEW --reason TEXT``.
Create Date: 2026-12-02 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from clears.registry._prechecks import Precheck

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The identifier alphabet as it was when this revision was written (frozen here like any
#: migration; ``clears.cohort._ids`` holds the rule the code applies).
_ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

#: SQL true for an identifier from the alphabet, on SQLite and PostgreSQL alike (SQLite has
#: no regular expressions): ``ltrim(x, set)`` strips the longest prefix of characters of the
#: set, so it is empty exactly when every character belongs to it.
_VALID = (
    f"length(patient_id) BETWEEN 1 AND 64 AND ltrim(patient_id, '{_ALLOWED}') = '' "
    "AND substr(patient_id, 1, 1) NOT IN ('.', '_', '-')"
)

_RENAME = "rename it first: clears patients rename OLD NEW --reason TEXT"

#: Patients an upgrade refuses to go past, each listed with its row, id and centre.
PRECHECKS: tuple[Precheck, ...] = (
    Precheck(
        "patients",
        "patient_id",
        _VALID,
        "1-64 characters: letters A-Z and a-z, digits 0-9, '.', '_' and '-', starting with a "
        f"letter or digit; {_RENAME}",
    ),
    Precheck(
        "patients",
        "patient_id",
        "NOT EXISTS (SELECT 1 FROM patients o WHERE lower(o.patient_id) = lower(t.patient_id) "
        "AND o.id <> t.id)",
        f"one patient per identifier, ignoring letter case; {_RENAME} (or the other one)",
    ),
)


def upgrade() -> None:
    """Apply this revision (nothing to change once the pre-checks pass)."""


def downgrade() -> None:
    """Revert this revision (nothing was changed)."""
