"""Itch and pain numeric rating scales (0-10) declared as data, with the itch NRS bands.

The working core outcome set for cutaneous lupus counts itch and pain under the symptoms
domain and lists the itch and pain VAS/NRS among the generic measures (Guo 2021, Table 2).
Each scale is an 11-point NRS, 0 (none) to 10 (worst imaginable), for the last 24 hours.

Sources
-------
Guo LN, Perez-Chada LM, Borucki R, et al. Lupus Sci Med 2021;8(1):e000529.
doi:10.1136/lupus-2021-000529 (the domain and measures).

Reich A, Chatzigeorkidis E, Zeidler C, et al. Tailoring the cut-off values of the visual
analogue scale and numeric rating scale in itch assessment. Acta Derm Venereol
2012;92(5):497-501. doi:10.2340/00015555-1265 (itch NRS bands: 0 no pruritus, >=1 to <3
mild, >=3 to <7 moderate, >=7 to <9 severe, >=9 very severe).

Pain: no severity bands are applied. Cut-points for pain NRS (such as 1-4 / 5-6 / 7-10 of
Serlin et al., Pain 1995) were derived in cancer pain, not in skin disease; clears reports
the pain rating only.
"""

from __future__ import annotations

from clears.instruments._base import Band, Field, InstrumentDefinition, Item, Level, Reference

__all__ = [
    "DEFINITION",
    "ITCH_BANDS",
    "ITCH_COLUMN",
    "ITCH_REFERENCE",
    "PAIN_COLUMN",
    "REFERENCE",
]

REFERENCE = Reference(
    citation=(
        "Guo LN, Perez-Chada LM, Borucki R, et al. Development of a working core outcome set "
        "for cutaneous lupus erythematosus: a practical approach to an urgent unmet need. "
        "Lupus Sci Med 2021;8(1):e000529"
    ),
    doi="10.1136/lupus-2021-000529",
    note="itch and pain under the symptoms domain; VAS/NRS among the generic measures",
)

ITCH_REFERENCE = Reference(
    citation=(
        "Reich A, Chatzigeorkidis E, Zeidler C, et al. Tailoring the cut-off values of the "
        "visual analogue scale and numeric rating scale in itch assessment. Acta Derm "
        "Venereol 2012;92(5):497-501"
    ),
    doi="10.2340/00015555-1265",
    note="itch NRS: 0 none, 1-<3 mild, 3-<7 moderate, 7-<9 severe, >=9 very severe",
)

# Reich 2012: NRS >=1 to <3 mild, >=3 to <7 moderate, >=7 to <9 severe, >=9 very severe; on
# whole numbers these are 1-2, 3-6, 7-8 and 9-10, with 0 no pruritus.
ITCH_BANDS: tuple[Band, ...] = (
    Band("none", 0, 0),
    Band("mild", 1, 2),
    Band("moderate", 3, 6),
    Band("severe", 7, 8),
    Band("very severe", 9, 10),
)


def _scale(name: str, what: str) -> Item:
    return Item(
        name,
        f"{what.capitalize()} NRS (0-10)",
        (
            Level(0, f"no {what}"),
            *(Level(n, str(n)) for n in range(1, 10)),
            Level(10, f"worst imaginable {what}"),
        ),
        description=f"Worst {what} of the skin in the last 24 hours, 0-10.",
    )


#: The flat columns of the two ratings in cohort tables, the database and REDCap.
ITCH_COLUMN = "itch_nrs"
PAIN_COLUMN = "pain_nrs"

DEFINITION = InstrumentDefinition(
    name="nrs",
    title="Itch and pain numeric rating scales (0-10)",
    reference=REFERENCE,
    fields=(
        Field(column=ITCH_COLUMN, path="itch", item=_scale("itch", "itch"), label="Itch NRS"),
        Field(column=PAIN_COLUMN, path="pain", item=_scale("pain", "pain"), label="Pain NRS"),
    ),
    notes=(
        "Each scale is scored on its own; there is no total.",
        "Itch bands (Reich 2012): 0 none, 1-2 mild, 3-6 moderate, 7-8 severe, 9-10 very severe.",
        "No pain bands are applied.",
    ),
)
