"""form tokens: one save per rendered form

Revision ID: 0006
Revises: 0004

Every form the web app renders carries a one-time token; the save that uses it records the
token here in the same transaction, so a second POST of the same form (a double click on
Save, a browser retry after a lost response) writes nothing and lands on the first save's
result, across processes and restarts.
Create Date: 2026-12-02 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "form_tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_tokens")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("form_tokens")
