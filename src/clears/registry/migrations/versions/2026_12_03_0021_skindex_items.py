"""Skindex-29+3 items on visits

Revision ID: 0021
Revises: 0020

The 33 Skindex-29+3 items of the CLE core outcome set (Guo 2021,
doi:10.1136/lupus-2021-000529; docs/instruments/core-outcome-set.md) as item columns of
``visits`` (``skindex_q1`` ... ``skindex_q33``, codes 0 never ... 4 all the time). Each is a
nullable SMALLINT with a CHECK constraint holding its allowed codes, as the models build
them from the instrument definition (``clears.instruments.skindex``), frozen here. Batch
mode, so SQLite rebuilds the table.
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (column, comment, allowed codes), in the order of the definition.
_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("skindex_q1", "Skindex 1: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q2", "Skindex 2: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q3", "Skindex 3: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q4", "Skindex 4: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q5", "Skindex 5: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q6", "Skindex 6: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q7", "Skindex 7: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q8", "Skindex 8: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q9", "Skindex 9: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q10", "Skindex 10: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q11", "Skindex 11: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q12", "Skindex 12: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q13", "Skindex 13: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q14", "Skindex 14: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q15", "Skindex 15: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q16", "Skindex 16: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q17", "Skindex 17: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q18", "Skindex 18: treatment side effects, not scored", "0, 1, 2, 3, 4"),
    ("skindex_q19", "Skindex 19: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q20", "Skindex 20: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q21", "Skindex 21: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q22", "Skindex 22: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q23", "Skindex 23: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q24", "Skindex 24: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q25", "Skindex 25: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q26", "Skindex 26: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q27", "Skindex 27: symptoms", "0, 1, 2, 3, 4"),
    ("skindex_q28", "Skindex 28: emotions", "0, 1, 2, 3, 4"),
    ("skindex_q29", "Skindex 29: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q30", "Skindex 30: functioning", "0, 1, 2, 3, 4"),
    ("skindex_q31", "Skindex 31: lupus-specific", "0, 1, 2, 3, 4"),
    ("skindex_q32", "Skindex 32: lupus-specific", "0, 1, 2, 3, 4"),
    ("skindex_q33", "Skindex 33: lupus-specific", "0, 1, 2, 3, 4"),
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("visits", schema=None) as batch_op:
        for column, comment, codes in _ITEMS:
            batch_op.add_column(
                sa.Column(column, sa.SmallInteger(), nullable=True, comment=comment)
            )
            batch_op.create_check_constraint(op.f(f"ck_visits_{column}"), f"{column} IN ({codes})")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("visits", schema=None) as batch_op:
        for column, _, _ in reversed(_ITEMS):
            batch_op.drop_constraint(op.f(f"ck_visits_{column}"), type_="check")
            batch_op.drop_column(column)
