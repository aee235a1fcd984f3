"""SLEDAI-2K / SELENA-SLEDAI as data: the 24 descriptors, weights, variants and bands.

Read by the single-record path (:mod:`clears.instruments.sledai`) and the vectorised one
(:mod:`clears.instruments.sledai.vector`); every public name is re-exported from
:mod:`clears.instruments.sledai`.

References
----------
Gladman DD, Ibañez D, Urowitz MB. Systemic lupus erythematosus disease activity index 2000.
J Rheumatol 2002;29(2):288-291. PMID 11838846. Bombardier C et al. Arthritis Rheum
1992;35:630-640 (weights). Touma Z et al. Lupus 2010;19(1):49-51, doi:10.1177/0961203309346505
(30-day window).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from clears._exceptions import InputError, Problem
from clears.instruments._base import Field, InstrumentDefinition, Item, Level, Reference

__all__ = [
    "BANDS",
    "BAND_REFERENCE",
    "DEFINITION",
    "KEYS",
    "LABELS",
    "MAXIMUM",
    "ONSET_DESCRIPTORS",
    "REFERENCE",
    "SELENA_REFERENCE",
    "VARIANTS",
    "WEIGHTS",
    "WINDOWS",
    "WINDOW_REFERENCE",
    "check_variant",
]

REFERENCE: Final = Reference(
    citation=(
        "Gladman DD, Ibañez D, Urowitz MB. Systemic lupus erythematosus disease activity "
        "index 2000. J Rheumatol 2002;29(2):288-291"
    ),
    pmid="11838846",
    note="Weights as in Bombardier C et al., Arthritis Rheum 1992;35:630-640.",
)
SELENA_REFERENCE: Final = Reference(
    citation=(
        "Petri M, Kim MY, Kalunian KC, et al. Combined oral contraceptives in women with "
        "systemic lupus erythematosus. N Engl J Med 2005;353:2550-2558 (SELENA-SLEDAI); "
        "Buyon JP et al. Ann Intern Med 2005;142:953-962"
    ),
    note=(
        "Same descriptors and weights as SLEDAI-2K; rash, alopecia, mucosal ulcers and "
        "proteinuria count only when new or recurrent. The SELENA appendix wording was not "
        "retrieved; the rule follows Gladman 2002's description of the original SLEDAI."
    ),
)
WINDOW_REFERENCE: Final = Reference(
    citation="Touma Z, et al. SLEDAI-2K for a 30-day window. Lupus 2010;19(1):49-51",
    doi="10.1177/0961203309346505",
    pmid="19910390",
)
BAND_REFERENCE: Final = Reference(
    citation=(
        "Ann Rheum Dis review, Table 1 'Features, caveats and pitfalls of main indices "
        "used in SLE' (secondary source)"
    ),
    url="https://ard.bmj.com/highwire/markup/278401/expansion",
    note=(
        "[S] A convention, not part of Gladman 2002. The table calls 0 'remission' and "
        "1-4 'low activity'."
    ),
)


VARIANTS: Final = ("sledai2k", "selena")


WINDOWS: Final = (10, 30)


MAXIMUM: Final = 105


# key, flat column, label, weight, definition (our paraphrase of Gladman 2002, Table 1,
# as reproduced by medicalcriteria.com and pediatriconcall.com [S]). Column short forms:
# sledai_obs, sledai_cranial and sledai_dna, because sledai_<key> would exceed 26 characters.
_ROWS: Final[tuple[tuple[str, str, str, int, str], ...]] = (
    ("seizure", "sledai_seizure", "Seizure", 8,
     "A seizure of recent onset, once metabolic, infectious and drug causes are ruled out."),
    ("psychosis", "sledai_psychosis", "Psychosis", 8,
     "Loss of normal function from a grossly disturbed sense of reality (hallucinations, "
     "incoherence, loosened associations, poor or illogical thought, bizarre, disorganised "
     "or catatonic behaviour); uraemia and drugs ruled out."),
    ("organic_brain_syndrome", "sledai_obs", "Organic brain syndrome", 8,
     "Sudden, fluctuating loss of orientation, memory or other intellect with clouded "
     "consciousness and poor attention, plus two or more of: disordered perception, "
     "incoherent speech, insomnia or daytime sleepiness, more or less psychomotor activity; "
     "metabolic, infectious and drug causes ruled out."),
    ("visual_disturbance", "sledai_visual_disturbance", "Visual disturbance", 8,
     "Retinal signs of lupus: cytoid bodies, retinal bleeding, serous exudate or bleeding "
     "in the choroid, or optic neuritis; hypertension, infection and drugs ruled out."),
    ("cranial_nerve_disorder", "sledai_cranial", "Cranial nerve disorder", 8,
     "A new sensory or motor neuropathy of one or more cranial nerves."),
    ("lupus_headache", "sledai_lupus_headache", "Lupus headache", 8,
     "Severe, persistent headache, possibly migraine-like, that narcotic analgesics do "
     "not relieve."),
    ("cva", "sledai_cva", "Cerebrovascular accident", 8,
     "A new stroke, arteriosclerosis ruled out."),
    ("vasculitis", "sledai_vasculitis", "Vasculitis", 8,
     "Ulcers, gangrene, tender nodules on the fingers, periungual infarcts or splinter "
     "haemorrhages, or vasculitis shown by biopsy or angiography."),
    ("arthritis", "sledai_arthritis", "Arthritis", 4,
     "More than two joints painful with signs of inflammation (tender, swollen or with an "
     "effusion). Some copies say two or more; Gladman 2002 Table 1 to be checked."),
    ("myositis", "sledai_myositis", "Myositis", 4,
     "Aching or weakness of proximal muscles with a raised CK or aldolase, EMG changes or "
     "a biopsy showing myositis."),
    ("urinary_casts", "sledai_urinary_casts", "Urinary casts", 4,
     "Haem-granular or red-cell casts in the urine."),
    ("hematuria", "sledai_hematuria", "Haematuria", 4,
     "More than 5 red cells per high-power field; stones, infection and other causes "
     "ruled out."),
    ("proteinuria", "sledai_proteinuria", "Proteinuria", 4,
     "More than 0.5 g of protein in 24 hours (SELENA-SLEDAI: new or recently increased)."),
    ("pyuria", "sledai_pyuria", "Pyuria", 4,
     "More than 5 white cells per high-power field, infection ruled out."),
    ("rash", "sledai_rash", "Rash", 2,
     "A rash of inflammatory type (SELENA-SLEDAI: new or recurrent)."),
    ("alopecia", "sledai_alopecia", "Alopecia", 2,
     "Abnormal hair loss, patchy or diffuse (SELENA-SLEDAI: new or recurrent)."),
    ("mucosal_ulcers", "sledai_mucosal_ulcers", "Mucosal ulcers", 2,
     "Ulcers of the mouth or nose (SELENA-SLEDAI: new or recurrent)."),
    ("pleurisy", "sledai_pleurisy", "Pleurisy", 2,
     "Pleuritic chest pain with a rub or an effusion, or thickening of the pleura."),
    ("pericarditis", "sledai_pericarditis", "Pericarditis", 2,
     "Pericardial pain with a rub or an effusion, or confirmed by ECG or echocardiography."),
    ("low_complement", "sledai_low_complement", "Low complement", 2,
     "CH50, C3 or C4 below the testing laboratory's lower limit of normal."),
    ("increased_dna_binding", "sledai_dna", "Increased DNA binding", 2,
     "Anti-DNA binding above the testing laboratory's normal range."),
    ("fever", "sledai_fever", "Fever", 1, "Temperature above 38 °C, infection ruled out."),
    ("thrombocytopenia", "sledai_thrombocytopenia", "Thrombocytopenia", 1,
     "Platelets below 100 × 10⁹/L (drug causes ruled out)."),
    ("leukopenia", "sledai_leukopenia", "Leukopenia", 1,
     "White cells below 3 × 10⁹/L, drug causes ruled out."),
)  # fmt: skip


#: The descriptors that SELENA-SLEDAI counts only when new or recurrent.
ONSET_DESCRIPTORS: Final = ("proteinuria", "rash", "alopecia", "mucosal_ulcers")
_ONSET_LEVELS: Final = (
    Level(0, "absent"),
    Level(1, "present, onset not recorded (scores under SLEDAI-2K only)"),
    Level(2, "present, new or recurrent"),
    Level(3, "present, persistent (scores under SLEDAI-2K only)"),
)


#: Weight of each descriptor, keyed by its JSON key.
WEIGHTS: Final[Mapping[str, int]] = MappingProxyType({row[0]: row[3] for row in _ROWS})


def _item(key: str, label: str, weight: int, definition: str) -> Item:
    levels = (
        _ONSET_LEVELS
        if key in ONSET_DESCRIPTORS
        else (Level(0, "absent"), Level(1, f"present (scores {weight})"))
    )
    return Item(key, label, levels, description=f"{definition} Weight {weight}.", boolean=True)


DEFINITION: Final = InstrumentDefinition(
    name="sledai",
    title="SLEDAI-2K / SELENA-SLEDAI (systemic lupus activity)",
    reference=REFERENCE,
    fields=tuple(
        Field(column, key, _item(key, label, weight, text), group="SLEDAI")
        for key, column, label, weight, text in _ROWS
    ),
    notes=(
        "Score a descriptor when present at the visit or in the preceding 10 days "
        "(30 days allowed, Touma 2010), and only when attributed to lupus.",
        "The total column is 'sledai'.",
    ),
)

KEYS: Final = tuple(row[0] for row in _ROWS)
LABELS: Final = MappingProxyType({row[0]: row[2] for row in _ROWS})

#: Interpretation bands (lowest, highest, band) [S]; a convention, see BAND_REFERENCE.
BANDS: Final = ((0, 0, "none"), (1, 4, "mild"), (5, 10, "moderate"), (11, MAXIMUM, "high"))


def check_variant(variant: object) -> None:
    """Raise :class:`~clears.InputError` unless ``variant`` is one of :data:`VARIANTS`."""
    if variant not in VARIANTS:
        raise InputError(Problem("variant", variant, "unknown variant", ", ".join(VARIANTS)))
