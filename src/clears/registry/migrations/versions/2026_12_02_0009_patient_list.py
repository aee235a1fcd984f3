"""patient list: id key, visit and audit indexes, incomplete forms, worklist summaries

Revision ID: 0009
Revises: 0008

The patient list answers one page of a 100,000-patient registry from indexes
(``clears.registry._patient_list``): the case-insensitive id key (``patient_id COLLATE
NOCASE`` on SQLite, ``lower(patient_id) COLLATE "C"`` on PostgreSQL: byte order on both)
alone and within a centre, for the prefix search and the keyset pages; each patient's visits
by date; a partial index holding only the visits whose CLASI or SLEDAI-2K items are partly
filled (the "incomplete forms"); each patient's audit entries by id (the last one is the
worklist key). ``worklist_summaries`` keeps each screened patient's alert and
overdue-monitoring counts under the key they were computed with (protocol, day, last audit
entry id). Derived data, not in the audit chain.
Create Date: 2026-12-02 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The item columns of each instrument when this revision was written (frozen here like any
#: migration; ``clears.registry._models.incomplete_visit`` reads the definitions).
_CLASI: Final = (
    "clasi_scalp_ery",
    "clasi_scalp_scale",
    "clasi_scalp_dysp",
    "clasi_ears_ery",
    "clasi_ears_scale",
    "clasi_ears_dysp",
    "clasi_ears_scar",
    "clasi_nose_ery",
    "clasi_nose_scale",
    "clasi_nose_dysp",
    "clasi_nose_scar",
    "clasi_face_ery",
    "clasi_face_scale",
    "clasi_face_dysp",
    "clasi_face_scar",
    "clasi_vneck_ery",
    "clasi_vneck_scale",
    "clasi_vneck_dysp",
    "clasi_vneck_scar",
    "clasi_pneck_ery",
    "clasi_pneck_scale",
    "clasi_pneck_dysp",
    "clasi_pneck_scar",
    "clasi_chest_ery",
    "clasi_chest_scale",
    "clasi_chest_dysp",
    "clasi_chest_scar",
    "clasi_abdo_ery",
    "clasi_abdo_scale",
    "clasi_abdo_dysp",
    "clasi_abdo_scar",
    "clasi_back_ery",
    "clasi_back_scale",
    "clasi_back_dysp",
    "clasi_back_scar",
    "clasi_arms_ery",
    "clasi_arms_scale",
    "clasi_arms_dysp",
    "clasi_arms_scar",
    "clasi_hands_ery",
    "clasi_hands_scale",
    "clasi_hands_dysp",
    "clasi_hands_scar",
    "clasi_legs_ery",
    "clasi_legs_scale",
    "clasi_legs_dysp",
    "clasi_legs_scar",
    "clasi_feet_ery",
    "clasi_feet_scale",
    "clasi_feet_dysp",
    "clasi_feet_scar",
    "clasi_mucous",
    "clasi_hair_loss",
    "clasi_alopecia",
    "clasi_scalp_scar",
    "clasi_dysp_12m",
)

_SLEDAI: Final = (
    "sledai_seizure",
    "sledai_psychosis",
    "sledai_obs",
    "sledai_visual_disturbance",
    "sledai_cranial",
    "sledai_lupus_headache",
    "sledai_cva",
    "sledai_vasculitis",
    "sledai_arthritis",
    "sledai_myositis",
    "sledai_urinary_casts",
    "sledai_hematuria",
    "sledai_proteinuria",
    "sledai_pyuria",
    "sledai_rash",
    "sledai_alopecia",
    "sledai_mucosal_ulcers",
    "sledai_pleurisy",
    "sledai_pericarditis",
    "sledai_low_complement",
    "sledai_dna",
    "sledai_fever",
    "sledai_thrombocytopenia",
    "sledai_leukopenia",
)


def _partly_filled(columns: tuple[str, ...]) -> str:
    filled = " OR ".join(f"{c} IS NOT NULL" for c in columns)
    missing = " OR ".join(f"{c} IS NULL" for c in columns)
    return f"({filled}) AND ({missing})"


def _id_key(dialect: str) -> str:
    if dialect == "postgresql":
        return '(lower(patient_id)) COLLATE "C"'
    return "patient_id COLLATE NOCASE"


def upgrade() -> None:
    """Apply this revision."""
    dialect = op.get_bind().dialect.name
    key = _id_key(dialect)
    op.create_index("ix_patients_id_key", "patients", [sa.text(key), "id"])
    op.create_index("ix_patients_centre_id_key", "patients", ["centre_key", sa.text(key), "id"])
    op.create_index("ix_visits_patient_key_visit_date", "visits", ["patient_key", "visit_date"])
    incomplete = sa.text(f"({_partly_filled(_CLASI)}) OR ({_partly_filled(_SLEDAI)})")
    op.create_index(
        "ix_visits_incomplete",
        "visits",
        ["patient_key"],
        sqlite_where=incomplete,
        postgresql_where=incomplete,
    )
    op.create_index("ix_audit_log_patient_id_id", "audit_log", ["patient_id", "id"])
    op.create_table(
        "worklist_summaries",
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("last_entry_id", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_worklist_summaries_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_key", name=op.f("pk_worklist_summaries")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("worklist_summaries")
    op.drop_index("ix_audit_log_patient_id_id", table_name="audit_log")
    op.drop_index("ix_visits_incomplete", table_name="visits")
    op.drop_index("ix_visits_patient_key_visit_date", table_name="visits")
    op.drop_index("ix_patients_centre_id_key", table_name="patients")
    op.drop_index("ix_patients_id_key", table_name="patients")
