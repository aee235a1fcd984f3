"""Data queries

Revision ID: 0018
Revises: 0017

``data_queries``: a monitor's question on one field of one record of a patient (the cohort
table, the record's number, the column), its status (open, answered, closed), the text and
the value proposed when opened, who opened it and when, the time of its last step and a
version; the patient's centre is kept beside the patient for the per-centre list. Indexed
by centre, status and number (the per-centre list oldest first, and the counts per status),
by centre and number (the list of every status) and by patient and status (the patient
page). ``data_query_messages``: the thread, one row per step (open, answer, correct, close,
reopen) with its text, who and when, and the value before and after a correction
(``clears.registry.queries``).
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The statuses and steps at this revision (clears.registry._models), written out so that
#: the revision does not change if the definitions ever do.
_STATUSES = ("open", "answered", "closed")
_STEPS = ("open", "answer", "correct", "close", "reopen")


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "data_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("centre_key", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposed_value", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            f"status IN ({_listed(_STATUSES)})", name=op.f("ck_data_queries_status")
        ),
        sa.ForeignKeyConstraint(
            ["centre_key"], ["centres.id"], name=op.f("fk_data_queries_centre_key_centres")
        ),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_data_queries_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_queries")),
    )
    op.create_index(
        "ix_data_queries_centre_key_status_id",
        "data_queries",
        ["centre_key", "status", "id"],
        unique=False,
    )
    op.create_index(
        "ix_data_queries_centre_key_id", "data_queries", ["centre_key", "id"], unique=False
    )
    op.create_index(
        "ix_data_queries_patient_key_status",
        "data_queries",
        ["patient_key", "status"],
        unique=False,
    )
    op.create_table(
        "data_query_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_key", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposed_value", sa.Text(), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"step IN ({_listed(_STEPS)})", name=op.f("ck_data_query_messages_step")
        ),
        sa.ForeignKeyConstraint(
            ["query_key"],
            ["data_queries.id"],
            name=op.f("fk_data_query_messages_query_key_data_queries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_query_messages")),
    )
    op.create_index(
        op.f("ix_data_query_messages_query_key"),
        "data_query_messages",
        ["query_key"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_data_query_messages_query_key"), table_name="data_query_messages")
    op.drop_table("data_query_messages")
    op.drop_index("ix_data_queries_patient_key_status", table_name="data_queries")
    op.drop_index("ix_data_queries_centre_key_id", table_name="data_queries")
    op.drop_index("ix_data_queries_centre_key_status_id", table_name="data_queries")
    op.drop_table("data_queries")
