"""Clinical photographs

Revision ID: 0017
Revises: 0016

``photographs``: one row per clinical photograph attached to a visit (and optionally to one
CLASI area, checked against the 13 areas of Albrecht 2005), naming the stored, re-encoded
JPEG of the photo store by its SHA-256, with its media type, size in pixels and bytes, who
uploaded it and when, a version, and a soft removal (when, by whom, why). The image bytes
are files of the photo store, never in the database (``clears.registry.photos``).
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The CLASI areas at this revision (clears.instruments.clasi.definition.AREAS), written out
#: so that the revision does not change if the definition ever does.
_AREAS = (
    "scalp",
    "ears",
    "nose_malar",
    "rest_of_face",
    "v_neck",
    "posterior_neck_shoulders",
    "chest",
    "abdomen",
    "back_buttocks",
    "arms",
    "hands",
    "legs",
    "feet",
)


def upgrade() -> None:
    """Apply this revision."""
    areas = ", ".join(f"'{area}'" for area in _AREAS)
    op.create_table(
        "photographs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("visit_key", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=True),
        sa.Column("caption", sa.String(length=200), nullable=True),
        sa.Column("view", sa.String(length=64), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=200), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(f"area IS NULL OR area IN ({areas})", name=op.f("ck_photographs_area")),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_photographs_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_key"],
            ["visits.id"],
            name=op.f("fk_photographs_visit_key_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photographs")),
    )
    op.create_index(
        op.f("ix_photographs_patient_key"), "photographs", ["patient_key"], unique=False
    )
    op.create_index(op.f("ix_photographs_visit_key"), "photographs", ["visit_key"], unique=False)
    op.create_index(op.f("ix_photographs_sha256"), "photographs", ["sha256"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_photographs_sha256"), table_name="photographs")
    op.drop_index(op.f("ix_photographs_visit_key"), table_name="photographs")
    op.drop_index(op.f("ix_photographs_patient_key"), table_name="photographs")
    op.drop_table("photographs")
