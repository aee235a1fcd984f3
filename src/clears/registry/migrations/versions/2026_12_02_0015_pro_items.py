"""Patient-reported outcome and CLA-IGA items on visits

Revision ID: 0015
Revises: 0014

The simple measures of the CLE core outcome set (Guo 2021, doi:10.1136/lupus-2021-000529;
docs/instruments/core-outcome-set.md) as item columns of ``visits``: the CLA-IGA grade
(``cla_iga``), the patient global assessment (``ptga``), the itch and pain NRS
(``itch_nrs``, ``pain_nrs``) and the ten DLQI items (``dlqi_q1`` ... ``dlqi_q10``; 9 = not
relevant). Each is a nullable SMALLINT with a CHECK constraint holding its allowed codes, as
the models build them from the instrument definitions (``clears.registry._models``), frozen
here. Batch mode, so SQLite rebuilds the table.
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (column, comment, allowed codes), in the order of the definitions.
_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("cla_iga", "CLA-IGA grade", "0, 1, 2, 3, 4"),
    ("ptga", "Patient global (0-10)", "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
    ("itch_nrs", "Itch NRS", "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
    ("pain_nrs", "Pain NRS", "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
    ("dlqi_q1", "DLQI 1: Skin symptoms", "0, 1, 2, 3"),
    ("dlqi_q2", "DLQI 2: Embarrassment or self-consciousness", "0, 1, 2, 3"),
    ("dlqi_q3", "DLQI 3: Shopping, home or garden", "0, 1, 2, 3, 9"),
    ("dlqi_q4", "DLQI 4: Choice of clothes", "0, 1, 2, 3, 9"),
    ("dlqi_q5", "DLQI 5: Social or leisure activities", "0, 1, 2, 3, 9"),
    ("dlqi_q6", "DLQI 6: Sport", "0, 1, 2, 3, 9"),
    ("dlqi_q7", "DLQI 7: Work or study", "0, 1, 2, 3, 9"),
    ("dlqi_q8", "DLQI 8: Partner, friends or relatives", "0, 1, 2, 3, 9"),
    ("dlqi_q9", "DLQI 9: Sexual difficulties", "0, 1, 2, 3, 9"),
    ("dlqi_q10", "DLQI 10: Treatment", "0, 1, 2, 3, 9"),
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
