"""range checks of the decision-support columns

Revision ID: 0003
Revises: 0002

Revision 0002 was generated from a draft of the cohort schema and added the columns only:
Alembic autogenerate neither renders nor compares CHECK constraints, so the plausibility
ranges of the committed schema (``clears.cohort._schema``) were missing from migrated
databases. This revision adds them, with the names the models give them.
Create Date: 2026-11-21 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from clears.registry._prechecks import Precheck

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, constraint name, condition), exactly as ``clears.registry._models`` builds them.
_CHECKS: tuple[tuple[str, str, str], ...] = (
    (
        "patients",
        "ck_patients_antimalarial_months",
        "antimalarial_months >= 0 AND antimalarial_months <= 600",
    ),
    ("patients", "ck_patients_bsa_percent", "bsa_percent >= 0 AND bsa_percent <= 100"),
    ("visits", "ck_visits_erythema_max", "erythema_max >= 0 AND erythema_max <= 3"),
)


#: Rows that break these ranges are listed by ``clears db upgrade`` before anything changes.
PRECHECKS: tuple[Precheck, ...] = (
    Precheck("patients", "antimalarial_months", _CHECKS[0][2], "0 to 600 months"),
    Precheck("patients", "bsa_percent", _CHECKS[1][2], "0 to 100 %"),
    Precheck("visits", "erythema_max", _CHECKS[2][2], "0 to 3 (CLASI erythema)"),
)


def upgrade() -> None:
    """Apply this revision."""
    for table in ("patients", "visits"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for owner, name, condition in _CHECKS:
                if owner == table:
                    batch_op.create_check_constraint(op.f(name), condition)


def downgrade() -> None:
    """Revert this revision."""
    for table in ("visits", "patients"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for owner, name, _ in _CHECKS:
                if owner == table:
                    batch_op.drop_constraint(op.f(name), type_="check")
