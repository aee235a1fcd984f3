"""Form status and source data verification

Revision ID: 0020
Revises: 0019

``form_statuses``: one row per record whose form status was set (incomplete, complete or
verified; a record without a row is "not set"), keyed by table and record id, with the
patient, the patient's centre (for the dashboard's per-centre counts, indexed with the
table and the status), the record version, who set it and when, and the required fields
missing then. ``verifications``: source data verification marks of one field or a whole
record, by whom, when and at which record version, cleared (never deleted) by a later edit
or a withdrawal (``clears.registry.form_status``, ``clears.registry.verification``).
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables whose records carry a status at this revision, written out so that the
#: revision does not change if the models ever do.
_TABLES = (
    "patients",
    "treatments",
    "visits",
    "adverse_events",
    "flares",
    "concomitant_medications",
)
_STATUSES = ("incomplete", "complete", "verified")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "form_statuses",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("centre_key", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(f"entity IN ({_quoted(_TABLES)})", name=op.f("ck_form_statuses_entity")),
        sa.CheckConstraint(
            f"status IN ({_quoted(_STATUSES)})", name=op.f("ck_form_statuses_status")
        ),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_form_statuses_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity", "record_id", name=op.f("pk_form_statuses")),
    )
    op.create_index(
        op.f("ix_form_statuses_patient_key"), "form_statuses", ["patient_key"], unique=False
    )
    op.create_index(
        "ix_form_statuses_centre_key_entity_status",
        "form_statuses",
        ["centre_key", "entity", "status"],
        unique=False,
    )
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("verified_by", sa.String(length=200), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_by", sa.String(length=200), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_version", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"entity IN ({_quoted(_TABLES)})", name=op.f("ck_verifications_entity")),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_verifications_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    op.create_index(
        op.f("ix_verifications_patient_key"), "verifications", ["patient_key"], unique=False
    )
    op.create_index(
        "ix_verifications_entity_record_id",
        "verifications",
        ["entity", "record_id"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_verifications_entity_record_id", table_name="verifications")
    op.drop_index(op.f("ix_verifications_patient_key"), table_name="verifications")
    op.drop_table("verifications")
    op.drop_index("ix_form_statuses_centre_key_entity_status", table_name="form_statuses")
    op.drop_index(op.f("ix_form_statuses_patient_key"), table_name="form_statuses")
    op.drop_table("form_statuses")
