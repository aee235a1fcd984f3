"""Electronic signatures and record locks

Revision ID: 0019
Revises: 0018

``signatures``: one row per electronic signature (21 CFR Part 11 §11.50, §11.70) of a
patient's record or of a visit: the signer's user name, shown name and role, the UTC time,
the meaning (authorship, review or approval), the record and the version signed with the
SHA-256 of its canonical values, and, once an administrator unlocks the record, when, by
whom and why the signature was withdrawn. Rows are never deleted.
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The signable tables and meanings at this revision (clears.registry._models), written out
#: so that the revision does not change if those definitions ever do.
_ENTITIES = ("patients", "visits")
_MEANINGS = ("authorship", "review", "approval")


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("meaning", sa.String(length=16), nullable=False),
        sa.Column("signer", sa.String(length=64), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signer_role", sa.String(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(f"entity IN ({_listed(_ENTITIES)})", name=op.f("ck_signatures_entity")),
        sa.CheckConstraint(
            f"meaning IN ({_listed(_MEANINGS)})", name=op.f("ck_signatures_meaning")
        ),
        sa.ForeignKeyConstraint(
            ["patient_key"], ["patients.id"], name=op.f("fk_signatures_patient_key_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    op.create_index(op.f("ix_signatures_patient_key"), "signatures", ["patient_key"], unique=False)
    op.create_index(
        "ix_signatures_entity_record_id", "signatures", ["entity", "record_id"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_signatures_entity_record_id", table_name="signatures")
    op.drop_index(op.f("ix_signatures_patient_key"), table_name="signatures")
    op.drop_table("signatures")
