"""The CLASI declared as data: areas, items, levels, flat columns, roles and severity bands.

Everything that scores, validates, stores or displays the CLASI reads this module: the
single-record path (:mod:`clears.instruments.clasi`), the vectorised path
(:mod:`clears.instruments.clasi.vector`), cohort tables, the database and REDCap.

Sources
-------
Albrecht J, Taylor L, Berlin JA, et al. The CLASI (Cutaneous Lupus Erythematosus Disease
Area and Severity Index): an outcome instrument for cutaneous lupus erythematosus. J Invest
Dermatol 2005;125(5):889-894. doi:10.1111/j.0022-202X.2005.23889.x.

Klein R, Moghadam-Kia S, LoMonico J, et al. Development of the CLASI as a tool to measure
disease severity and responsiveness to therapy in cutaneous lupus erythematosus. Arch
Dermatol 2011;147(2):203-208. doi:10.1001/archdermatol.2010.435 (severity bands).

Level wordings marked "[U]" in ``docs/instruments/clasi.md`` could not be checked against the
scoring form (Albrecht 2005, Fig. 1); the codes and ranges can, through the published maxima
(activity 0-70, damage 0-56).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from clears._exceptions import InputError, Problem
from clears.instruments._base import Field, InstrumentDefinition, Item, Level, Reference

__all__ = [
    "ACTIVITY_MAX",
    "AREAS",
    "AREA_CODES",
    "AREA_FEATURES",
    "AREA_FIELDS",
    "AREA_LABELS",
    "DAMAGE_MAX",
    "DEFINITION",
    "DOUBLING_COLUMN",
    "DYSPIGMENTATION_MULTIPLIER",
    "PATIENT_FIELDS",
    "REFERENCE",
    "ROLES",
    "SEVERITY_BANDS",
    "SEVERITY_REFERENCE",
    "TOTAL_COLUMNS",
    "Role",
    "SeverityBand",
    "severity",
]

REFERENCE = Reference(
    citation=(
        "Albrecht J, Taylor L, Berlin JA, et al. The CLASI (Cutaneous Lupus Erythematosus "
        "Disease Area and Severity Index): an outcome instrument for cutaneous lupus "
        "erythematosus. J Invest Dermatol 2005;125(5):889-894"
    ),
    doi="10.1111/j.0022-202X.2005.23889.x",
    pmid="16297185",
)

SEVERITY_REFERENCE = Reference(
    citation=(
        "Klein R, Moghadam-Kia S, LoMonico J, et al. Development of the CLASI as a tool to "
        "measure disease severity and responsiveness to therapy in cutaneous lupus "
        "erythematosus. Arch Dermatol 2011;147(2):203-208"
    ),
    doi="10.1001/archdermatol.2010.435",
    pmid="21339447",
    note="CLASI-A severity: mild 0-9, moderate 10-20, severe 21-70",
)


class Role(StrEnum):
    """What an item contributes to: activity, dyspigmentation, other damage, or the doubling."""

    activity = "activity"
    dyspigmentation = "dyspigmentation"
    damage = "damage"
    doubling = "doubling"


@dataclass(frozen=True, slots=True)
class SeverityBand:
    """One CLASI-A severity band, inclusive at both ends (Klein 2011)."""

    name: str
    low: int
    high: int


# Klein 2011 (doi:10.1001/archdermatol.2010.435), abstract: mild 0-9, moderate 10-20,
# severe 21-70. CLASI-A is an integer, so the bands are contiguous.
SEVERITY_BANDS: tuple[SeverityBand, ...] = (
    SeverityBand("mild", 0, 9),
    SeverityBand("moderate", 10, 20),
    SeverityBand("severe", 21, 70),
)

# The 13 areas in form order (Albrecht 2005; list confirmed by the RheumGuide calculator),
# with the fixed short codes used in flat column names and the display labels.
AREAS: tuple[str, ...] = (
    "scalp",
    "ears",
    "nose_malar",
    "rest_of_face",
    "v_neck",
    "posterior_neck_shoulders",
    "chest",
    "abdomen",
    "back_buttocks",
    "arms",
    "hands",
    "legs",
    "feet",
)
AREA_CODES: Mapping[str, str] = MappingProxyType(
    dict(
        zip(
            AREAS,
            (
                "scalp",
                "ears",
                "nose",
                "face",
                "vneck",
                "pneck",
                "chest",
                "abdo",
                "back",
                "arms",
                "hands",
                "legs",
                "feet",
            ),
            strict=True,
        )
    )
)
AREA_LABELS: Mapping[str, str] = MappingProxyType(
    dict(
        zip(
            AREAS,
            (
                "Scalp",
                "Ears",
                "Nose (incl. malar area)",
                "Rest of the face",
                "V-area of the neck (frontal)",
                "Posterior neck and/or shoulders",
                "Chest",
                "Abdomen",
                "Back, buttocks",
                "Arms",
                "Hands",
                "Legs",
                "Feet",
            ),
            strict=True,
        )
    )
)

# Items. Codes and ranges follow from the published maxima (activity 70, damage 56);
# level wordings are those of docs/instruments/clasi.md ("Items, levels and columns"), which
# marks [U] the words still to check against the form.
_ERYTHEMA = Item(
    "erythema",
    "Erythema",
    (
        Level(0, "absent"),
        Level(1, "pink; faint erythema"),
        Level(2, "red"),
        Level(3, "dark red; purple/violaceous; crusted/haemorrhagic"),
    ),
    description="Worst lesion in the area (Albrecht 2005).",
)
_SCALE = Item(
    "scale",
    "Scale/hypertrophy",
    (Level(0, "absent"), Level(1, "scale"), Level(2, "verrucous/hypertrophic")),
    description="Worst lesion in the area (Albrecht 2005).",
)
_DYSPIGMENTATION = Item(
    "dyspigmentation",
    "Dyspigmentation",
    (Level(0, "absent"), Level(1, "dyspigmentation")),
    description="Damage; the summed score is doubled if it usually lasts 12 months or more.",
)
_SCARRING = Item(
    "scarring",
    "Scarring/atrophy/panniculitis",
    (
        Level(0, "absent"),
        Level(1, "scarring"),
        Level(2, "severely atrophic scarring or panniculitis"),
    ),
    description="Damage; not scored per area for the scalp (see scalp scarring).",
)
_MUCOUS = Item(
    "mucous_membrane",
    "Mucous membrane lesions",
    (Level(0, "absent"), Level(1, "lesion or ulceration")),
    description="Once per patient.",
)
_HAIR_LOSS = Item(
    "recent_hair_loss",
    "Recent hair loss (last 30 days, patient report)",
    (Level(0, "no"), Level(1, "yes")),
    description="Once per patient.",
)
_ALOPECIA = Item(
    "alopecia",
    "Non-scarring alopecia (clinically not obviously scarred)",
    (
        Level(0, "absent"),
        Level(1, "diffuse; non-inflammatory"),
        Level(2, "focal or patchy in one quadrant"),
        Level(3, "focal or patchy in more than one quadrant"),
    ),
    description="Once per patient.",
)
_SCALP_SCARRING = Item(
    "scalp_scarring",
    "Scarring of the scalp (judged clinically)",
    (
        Level(0, "absent"),
        Level(3, "in one quadrant"),
        Level(4, "in two quadrants"),
        Level(5, "in three quadrants"),
        Level(6, "affects the whole skull"),
    ),
    description="Once per patient; codes 1 and 2 do not exist.",
)
_DOUBLING = Item(
    "dyspigmentation_lasts_12_months",
    "Dyspigmentation usually lasts 12 months or more",
    (Level(0, "less than 12 months"), Level(1, "12 months or more")),
    description=(
        "Patient report. Yes doubles the summed dyspigmentation score; exactly 12 months "
        "counts as yes (project decision, following the form's '>=12 months')."
    ),
    boolean=True,
)

# Per-area features: (JSON key, column code, item). The scalp has no per-area scarring.
AREA_FEATURES: tuple[tuple[str, str, Item], ...] = (
    ("erythema", "ery", _ERYTHEMA),
    ("scale", "scale", _SCALE),
    ("dyspigmentation", "dysp", _DYSPIGMENTATION),
    ("scarring", "scar", _SCARRING),
)
_PATIENT_ITEMS: tuple[tuple[str, Item], ...] = (
    ("clasi_mucous", _MUCOUS),
    ("clasi_hair_loss", _HAIR_LOSS),
    ("clasi_alopecia", _ALOPECIA),
    ("clasi_scalp_scar", _SCALP_SCARRING),
    ("clasi_dysp_12m", _DOUBLING),
)

# What each item contributes to, by item name: the scoring logic reads only this.
ROLES: Mapping[str, Role] = MappingProxyType(
    {
        "erythema": Role.activity,
        "scale": Role.activity,
        "mucous_membrane": Role.activity,
        "recent_hair_loss": Role.activity,
        "alopecia": Role.activity,
        "dyspigmentation": Role.dyspigmentation,
        "scarring": Role.damage,
        "scalp_scarring": Role.damage,
        "dyspigmentation_lasts_12_months": Role.doubling,
    }
)

# Albrecht 2005: the summed dyspigmentation score is doubled when dyspigmentation usually
# lasts 12 months or more (13 x 1 x 2 + 12 x 2 + 6 = 56, the published CLASI-D maximum).
DYSPIGMENTATION_MULTIPLIER = 2
DOUBLING_COLUMN = "clasi_dysp_12m"
TOTAL_COLUMNS: tuple[str, str] = ("clasi_a", "clasi_d")


def _area_fields() -> tuple[Field, ...]:
    fields: list[Field] = []
    for area in AREAS:
        for key, code, item in AREA_FEATURES:
            if area == "scalp" and key == "scarring":
                continue
            fields.append(
                Field(
                    column=f"clasi_{AREA_CODES[area]}_{code}",
                    path=f"areas.{area}.{key}",
                    item=item,
                    group=AREA_LABELS[area],
                )
            )
    return tuple(fields)


def _patient_fields() -> tuple[Field, ...]:
    return tuple(Field(column=column, path=item.name, item=item) for column, item in _PATIENT_ITEMS)


DEFINITION = InstrumentDefinition(
    name="clasi",
    title="Cutaneous Lupus Erythematosus Disease Area and Severity Index (CLASI)",
    reference=REFERENCE,
    fields=_area_fields() + _patient_fields(),
    notes=(
        "Activity (CLASI-A, 0-70) and damage (CLASI-D, 0-56) are reported separately.",
        "Score the worst lesion in each area for each feature.",
        "The scalp has no per-area scarring; its scarring is the quadrant item (0, 3, 4, 5, 6).",
        "The summed dyspigmentation is doubled when it usually lasts 12 months or more; "
        "exactly 12 months counts as doubled.",
        "Severity by CLASI-A (Klein 2011): mild 0-9, moderate 10-20, severe 21-70.",
    ),
)

AREA_FIELDS: Mapping[str, Mapping[str, Field]] = MappingProxyType(
    {
        area: MappingProxyType(
            {f.path.rsplit(".", 1)[1]: f for f in DEFINITION.fields if f.group == label}
        )
        for area, label in AREA_LABELS.items()
    }
)
PATIENT_FIELDS: Mapping[str, Field] = MappingProxyType(
    {f.path: f for f in DEFINITION.fields if not f.group}
)


def _maximum(role: Role) -> int:
    return sum(f.item.maximum for f in DEFINITION.fields if ROLES[f.item.name] is role)


ACTIVITY_MAX = _maximum(Role.activity)
DAMAGE_MAX = DYSPIGMENTATION_MULTIPLIER * _maximum(Role.dyspigmentation) + _maximum(Role.damage)


def severity(clasi_a: int) -> str:
    """Klein 2011 severity band of a CLASI-A total: mild 0-9, moderate 10-20, severe 21-70.

    References
    ----------
    Klein R, et al. Arch Dermatol 2011;147(2):203-208. doi:10.1001/archdermatol.2010.435

    Examples
    --------
    >>> severity(9), severity(10), severity(20), severity(21)
    ('mild', 'moderate', 'moderate', 'severe')
    """
    if isinstance(clasi_a, bool) or not isinstance(clasi_a, int):
        raise InputError(Problem("clasi_a", clasi_a, "expects a whole number", f"0-{ACTIVITY_MAX}"))
    for band in SEVERITY_BANDS:
        if band.low <= clasi_a <= band.high:
            return band.name
    raise InputError(Problem("clasi_a", clasi_a, "out of range", f"0-{ACTIVITY_MAX}"))
