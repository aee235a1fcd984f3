"""Patient survey links (issued)

Revision ID: 0023
Revises: 0022

``survey_links``: single-use, expiring links a patient opens without an account to answer
the patient-reported instruments of one visit (``clears.registry.surveys``). Each is kept
as the SHA-256 of its random secret (never the secret), with its visit, patient and centre,
the instruments offered, the language, who issued it and when, when it expires, when it was
used and when it was revoked. Looked up by its unique hash; listed by visit and by patient.
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: a later change of the languages needs its own revision.
_LANGUAGES = ("en", "fr", "es")


def upgrade() -> None:
    """Apply this revision."""
    languages = ", ".join(f"'{code}'" for code in _LANGUAGES)
    op.create_table(
        "survey_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_key", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("centre_key", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("instruments", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"language IN ({languages})", name=op.f("ck_survey_links_language")),
        sa.ForeignKeyConstraint(
            ["centre_key"], ["centres.id"], name=op.f("fk_survey_links_centre_key_centres")
        ),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_survey_links_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_key"],
            ["visits.id"],
            name=op.f("fk_survey_links_visit_key_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_links_token_hash")),
    )
    op.create_index(op.f("ix_survey_links_visit_key"), "survey_links", ["visit_key"], unique=False)
    op.create_index(
        op.f("ix_survey_links_patient_key"), "survey_links", ["patient_key"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_survey_links_patient_key"), table_name="survey_links")
    op.drop_index(op.f("ix_survey_links_visit_key"), table_name="survey_links")
    op.drop_table("survey_links")
