"""Forms kept across a sign-in

Revision ID: 0014
Revises: 0013

``kept_forms``: what a person typed into a form whose save met an ended session, kept for
the same user name until they sign in again (``clears.registry._kept_forms``): by the
SHA-256 of a random handle, with the form's path, the typed fields as JSON, when it was
kept and when it expires (a few minutes later). Taken once; expired rows removed through
the index on ``expires_at``.
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "kept_forms",
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("handle_hash", name=op.f("pk_kept_forms")),
    )
    op.create_index(op.f("ix_kept_forms_expires_at"), "kept_forms", ["expires_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_kept_forms_expires_at"), table_name="kept_forms")
    op.drop_table("kept_forms")
