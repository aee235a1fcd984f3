"""The patient global assessment (PtGA) of disease activity declared as data: a 0-10 NRS.

The working core outcome set for cutaneous lupus keeps a patient global assessment of
disease activity as a core domain but recommends no one instrument for it (Guo 2021).
clears records it as an 11-point numeric rating scale of skin disease activity, 0 (none)
to 10 (worst), with no bands: none is published for CLE.

Sources
-------
Guo LN, Perez-Chada LM, Borucki R, et al. Development of a working core outcome set for
cutaneous lupus erythematosus. Lupus Sci Med 2021;8(1):e000529.
doi:10.1136/lupus-2021-000529.
"""

from __future__ import annotations

from clears.instruments._base import Field, InstrumentDefinition, Item, Level, Reference

__all__ = ["COLUMN", "DEFINITION", "RATING", "REFERENCE"]

REFERENCE = Reference(
    citation=(
        "Guo LN, Perez-Chada LM, Borucki R, et al. Development of a working core outcome set "
        "for cutaneous lupus erythematosus: a practical approach to an urgent unmet need. "
        "Lupus Sci Med 2021;8(1):e000529"
    ),
    doi="10.1136/lupus-2021-000529",
    note="PtGA of disease activity is a core domain; no instrument or bands recommended",
)

RATING = Item(
    "rating",
    "Patient global assessment of skin disease activity (0-10)",
    (
        Level(0, "no activity"),
        *(Level(n, str(n)) for n in range(1, 10)),
        Level(10, "worst activity"),
    ),
    description="The patient's own rating of their skin disease activity, 0-10.",
)

#: The flat column of the rating in cohort tables, the database and REDCap.
COLUMN = "ptga"

DEFINITION = InstrumentDefinition(
    name="ptga",
    title="Patient global assessment of disease activity (PtGA, 0-10 NRS)",
    reference=REFERENCE,
    fields=(Field(column=COLUMN, path="rating", item=RATING, label="Patient global (0-10)"),),
    notes=("A whole number 0 (no activity) to 10 (worst); no bands are applied.",),
)
