"""The CLA-IGA declared as data: one investigator grade, 0-4, with its labels.

The Cutaneous Lupus Activity Investigator's Global Assessment is one of the two
physician-reported measures the working core outcome set for cutaneous lupus recommends
(with the CLASI), "pending ongoing validation" (Guo 2021, Table 2 footnote).

Sources
-------
Guo LN, Perez-Chada LM, Borucki R, Nambudiri VE, Werth VP, Merola JF. Development of a
working core outcome set for cutaneous lupus erythematosus: a practical approach to an
urgent unmet need. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529.

Not verified
------------
* No peer-reviewed validation paper of the single-grade CLA-IGA could be checked: Guo
  2021 calls it pending validation, and a revised form with three items (CLA-IGA-R:
  erythema, other morphology, follicular activity; Merola et al., ACR Convergence 2025
  abstract 2409) has been described since. clears records the single 0-4 grade only.
* The five grade names (clear, almost clear, mild, moderate, severe) are those of the
  common dermatology IGA scales; their CLA-IGA-specific morphological descriptors are not
  reproduced, as they could not be checked against the source.
"""

from __future__ import annotations

from clears.instruments._base import Field, InstrumentDefinition, Item, Level, Reference

__all__ = ["COLUMN", "DEFINITION", "GRADE", "REFERENCE"]

REFERENCE = Reference(
    citation=(
        "Guo LN, Perez-Chada LM, Borucki R, et al. Development of a working core outcome set "
        "for cutaneous lupus erythematosus: a practical approach to an urgent unmet need. "
        "Lupus Sci Med 2021;8(1):e000529"
    ),
    doi="10.1136/lupus-2021-000529",
    note="CLA-IGA recommended pending validation; validation paper not verified",
)

GRADE = Item(
    "grade",
    "CLA-IGA grade",
    (
        Level(0, "clear"),
        Level(1, "almost clear"),
        Level(2, "mild"),
        Level(3, "moderate"),
        Level(4, "severe"),
    ),
    description="Investigator's global assessment of cutaneous lupus activity at the visit.",
)

#: The flat column of the grade in cohort tables, the database and REDCap.
COLUMN = "cla_iga"

DEFINITION = InstrumentDefinition(
    name="cla_iga",
    title="Cutaneous Lupus Activity Investigator's Global Assessment (CLA-IGA)",
    reference=REFERENCE,
    fields=(Field(column=COLUMN, path="grade", item=GRADE, label="CLA-IGA grade"),),
    notes=(
        "One investigator grade: 0 clear, 1 almost clear, 2 mild, 3 moderate, 4 severe.",
        "Recommended by the CLE core outcome set pending validation (Guo 2021).",
    ),
)
