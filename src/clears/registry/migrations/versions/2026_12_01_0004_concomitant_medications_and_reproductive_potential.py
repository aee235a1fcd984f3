"""concomitant medications and the basis and date of reproductive potential

Revision ID: 0004
Revises: 0003

Cohort tables v2 (issue 12): a ``concomitant_medications`` table (drug of the medication
vocabulary ``clears.cohort.MEDICATIONS``, start and end dates, dose and unit, indication) and
three patient columns, ``reproductive_potential_date``, ``reproductive_potential_basis`` and
``sle_onset_date`` (the date SLE was diagnosed in a patient without SLE at the index date,
which the outcome engine's "new SLE" requires).
Written in batch mode from the models (``clears.registry._models``) with the CHECK
constraints they build, and frozen here.
Create Date: 2026-12-01 21:00:00
"""

# ruff: noqa: E501  (CHECK constraints list every allowed value)
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DRUGS = (
    "'aspirin', 'clopidogrel', 'hydroxychloroquine', 'chloroquine', 'quinacrine', "
    "'prednisone', 'prednisolone', 'methylprednisolone', 'deflazacort', 'dexamethasone', "
    "'other_glucocorticoid', 'methotrexate', 'mycophenolate', 'azathioprine', 'ciclosporin', "
    "'tacrolimus', 'cyclophosphamide', 'belimumab', 'anifrolumab', 'rituximab', 'enoxaparin', "
    "'dalteparin', 'tinzaparin', 'other_lmwh', 'apixaban', 'rivaroxaban', 'edoxaban', "
    "'dabigatran', 'warfarin', 'acenocoumarol', 'thalidomide', 'lenalidomide', 'other'"
)
_BASES = (
    "'menstruating', 'amenorrhoea_after_treatment', 'perimenopausal', 'natural_menopause', "
    "'hysterectomy', 'bilateral_oophorectomy', 'premature_ovarian_failure', "
    "'xy_turner_or_uterine_agenesis', 'premenarchal', 'other'"
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "concomitant_medications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.Integer(), nullable=False),
        sa.Column("drug", sa.String(length=64), nullable=False, comment="Medication"),
        sa.Column(
            "start_date",
            sa.Date(),
            nullable=False,
            comment="First day of this medication at this dose",
        ),
        sa.Column("end_date", sa.Date(), nullable=True, comment="Last day; blank = ongoing"),
        sa.Column("dose", sa.Float(), nullable=True, comment="Dose, in dose_unit"),
        sa.Column(
            "dose_unit",
            sa.String(length=64),
            nullable=True,
            comment="Unit of dose (canonical: mg/day)",
        ),
        sa.Column("indication", sa.String(length=64), nullable=True, comment="Why it is given"),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.CheckConstraint(f"drug IN ({_DRUGS})", name=op.f("ck_concomitant_medications_drug")),
        sa.CheckConstraint("dose >= 0", name=op.f("ck_concomitant_medications_dose")),
        sa.CheckConstraint(
            "dose_unit IN ('mg/day', 'mg/week', 'mg', 'IU/day', 'mg/kg/day')",
            name=op.f("ck_concomitant_medications_dose_unit"),
        ),
        sa.CheckConstraint(
            "indication IN ('thromboprophylaxis', 'thrombosis_treatment', 'cle', 'sle', 'aps', 'other')",
            name=op.f("ck_concomitant_medications_indication"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_key"],
            ["patients.id"],
            name=op.f("fk_concomitant_medications_patient_key_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concomitant_medications")),
    )
    with op.batch_alter_table("concomitant_medications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concomitant_medications_patient_key"), ["patient_key"], unique=False
        )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sle_onset_date",
                sa.Date(),
                nullable=True,
                comment="Date systemic lupus erythematosus was diagnosed (patients without SLE at the index date)",
            )
        )
        batch_op.add_column(
            sa.Column(
                "reproductive_potential_date",
                sa.Date(),
                nullable=True,
                comment="Date reproductive potential was assessed",
            )
        )
        batch_op.add_column(
            sa.Column(
                "reproductive_potential_basis",
                sa.String(length=64),
                nullable=True,
                comment="Why the woman is (or is not) of reproductive potential",
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_patients_reproductive_potential_basis"),
            f"reproductive_potential_basis IN ({_BASES})",
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_patients_reproductive_potential_basis"), type_="check")
        batch_op.drop_column("reproductive_potential_basis")
        batch_op.drop_column("reproductive_potential_date")
        batch_op.drop_column("sle_onset_date")
    with op.batch_alter_table("concomitant_medications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concomitant_medications_patient_key"))
    op.drop_table("concomitant_medications")
