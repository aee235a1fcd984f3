"""Site-defined fields

Revision ID: 0022
Revises: 0021

``site_values``: one row per value of a site-defined field (declared in the site-fields
file, ``CLEARS_SITE_FIELDS``) of one record, keyed by table, record id and field name, with
the patient (indexed: a patient's values are read in one range) and the value as canonical
text (``clears.registry._site_values``).
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables whose records carry site fields at this revision, written out so that the
#: revision does not change if the models ever do.
_TABLES = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)


def upgrade() -> None:
    """Apply this revision."""
    quoted = ", ".join(f"'{table}'" for table in _TABLES)
    op.create_table(
        "site_values",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.CheckConstraint(f"entity IN ({quoted})", name=op.f("ck_site_values_entity")),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_site_values_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity", "record_id", "field", name=op.f("pk_site_values")),
    )
    op.create_index(
        op.f("ix_site_values_patient_key"), "site_values", ["patient_key"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_site_values_patient_key"), table_name="site_values")
    op.drop_table("site_values")
