"""patient list: each patient's last visit date, stored and indexed for the last-visit sort

Revision ID: 0010
Revises: 0009

``patients.last_visit_key`` holds the patient's latest ``visit_date`` (0001-01-01 when the
patient has no visit), kept by every path that writes visits
(``clears.registry._list_columns``), so that the patient list sorted by last visit reads one
range of ``ix_patients_last_visit_key`` (most recent first, then the id key and the row
number, the list's keyset order) or of its per-centre twin, instead of every patient's
visits. Filled here from the visits in one ``UPDATE``.
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id_key(dialect: str) -> str:
    if dialect == "postgresql":
        return '(lower(patient_id)) COLLATE "C"'
    return "patient_id COLLATE NOCASE"


def upgrade() -> None:
    """Apply this revision."""
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_visit_key", sa.Date(), nullable=False, server_default="0001-01-01")
        )
    op.execute(
        "UPDATE patients SET last_visit_key = coalesce("
        "(SELECT max(visits.visit_date) FROM visits WHERE visits.patient_key = patients.id), "
        "last_visit_key)"
    )
    key = sa.text(_id_key(dialect))
    latest = sa.text("last_visit_key DESC")
    op.create_index("ix_patients_last_visit_key", "patients", [latest, key, "id"])
    op.create_index(
        "ix_patients_centre_last_visit_key", "patients", ["centre_key", latest, key, "id"]
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_patients_centre_last_visit_key", table_name="patients")
    op.drop_index("ix_patients_last_visit_key", table_name="patients")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("last_visit_key")
