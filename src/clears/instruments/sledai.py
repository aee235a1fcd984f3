"""SLEDAI-2K and SELENA-SLEDAI: lupus activity as the sum of 24 weighted descriptors.

SLEDAI-2K (Gladman 2002) scores 24 descriptors, each present or absent over the preceding
10 days (or 30 days, Touma 2010), and adds the weights (8, 4, 2 or 1) of those present:
0 to 105. SELENA-SLEDAI uses the same descriptors and weights but counts rash, alopecia,
mucosal ulcers and proteinuria only when they are **new or recurrent**, as the original
SLEDAI did (Bombardier 1992); SLEDAI-2K counts them when persistent too. Here SELENA-SLEDAI
is a flag (``variant="selena"``), not a second table.

Input values: ``true``/``false`` for every descriptor. For the four onset-sensitive
descriptors (:data:`ONSET_DESCRIPTORS`) the words ``"new"``, ``"recurrent"`` and
``"persistent"`` are accepted as well; under SELENA-SLEDAI a present one must say which
(a bare ``true`` is refused, because it cannot be scored). In flat columns the same
descriptors hold codes 0 (absent), 1 (present, onset not recorded), 2 (new or recurrent)
and 3 (persistent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.instruments._definition import (
    Field,
    InstrumentDefinition,
    Item,
    Level,
    Reference,
    require_mapping,
    unknown_keys,
)

__all__ = [
    "BANDS",
    "BAND_REFERENCE",
    "DEFINITION",
    "MAXIMUM",
    "ONSET_DESCRIPTORS",
    "REFERENCE",
    "SELENA_REFERENCE",
    "VARIANTS",
    "WEIGHTS",
    "WINDOWS",
    "WINDOW_REFERENCE",
    "ScoredDescriptor",
    "SledaiInput",
    "SledaiResult",
    "score",
    "score_frame",
    "score_mapping",
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

Onset = Literal["new", "recurrent", "persistent"]
Value = bool | Onset

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
_ONSET_CODES: Final[Mapping[object, int]] = MappingProxyType(
    {"new": 2, "recurrent": 2, "persistent": 3}
)
_STATUS: Final = MappingProxyType({1: "present", 2: "new_or_recurrent", 3: "persistent"})

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
_KEYS: Final = tuple(row[0] for row in _ROWS)
_LABELS: Final = MappingProxyType({row[0]: row[2] for row in _ROWS})

#: Interpretation bands (lowest, highest, band) [S]; a convention, see BAND_REFERENCE.
BANDS: Final = ((0, 0, "none"), (1, 4, "mild"), (5, 10, "moderate"), (11, MAXIMUM, "high"))


def _allowed(key: str) -> str:
    if key in ONSET_DESCRIPTORS:
        return 'true, false, "new", "recurrent" or "persistent"'
    return "true or false"


def _check(key: str, value: object, variant: str, path: str) -> Problem | None:
    """Return a problem with one descriptor value, or None if it can be scored."""
    if isinstance(value, bool):
        if value and variant == "selena" and key in ONSET_DESCRIPTORS:
            return Problem(
                path,
                value,
                'SELENA-SLEDAI needs to know whether it is new or recurrent: give "new", '
                '"recurrent" or "persistent" instead of true',
                _allowed(key),
            )
        return None
    if key in ONSET_DESCRIPTORS and isinstance(value, str) and value in _ONSET_CODES:
        return None
    if value is None:
        return Problem(path, None, "is missing", _allowed(key))
    return Problem(path, value, "not an allowed value", _allowed(key))


def _check_variant(variant: object) -> None:
    if variant not in VARIANTS:
        raise InputError(Problem("variant", variant, "unknown variant", ", ".join(VARIANTS)))


def _check_window(value: object, path: str) -> Problem | None:
    if isinstance(value, bool) or value not in WINDOWS:
        return Problem(path, value, "not an allowed window (days)", "10 or 30")
    return None


def _code(value: Value) -> int:
    if isinstance(value, bool):
        return int(value)
    return _ONSET_CODES[value]


@dataclass(frozen=True, slots=True)
class SledaiInput:
    """One SLEDAI assessment: every descriptor, and the window it covers.

    Every descriptor is required (``True``/``False``); the four in
    :data:`ONSET_DESCRIPTORS` also take ``"new"``, ``"recurrent"`` or ``"persistent"``.
    Bad values raise :class:`~clears.InputError` listing every problem.
    """

    seizure: bool
    psychosis: bool
    organic_brain_syndrome: bool
    visual_disturbance: bool
    cranial_nerve_disorder: bool
    lupus_headache: bool
    cva: bool
    vasculitis: bool
    arthritis: bool
    myositis: bool
    urinary_casts: bool
    hematuria: bool
    proteinuria: Value
    pyuria: bool
    rash: Value
    alopecia: Value
    mucosal_ulcers: Value
    pleurisy: bool
    pericarditis: bool
    low_complement: bool
    increased_dna_binding: bool
    fever: bool
    thrombocytopenia: bool
    leukopenia: bool
    window_days: int = 10

    def __post_init__(self) -> None:
        problems = [p for key in _KEYS if (p := _check(key, getattr(self, key), "sledai2k", key))]
        if (p := _check_window(self.window_days, "window_days")) is not None:
            problems.append(p)
        if problems:
            raise InputError(problems)

    def values(self) -> dict[str, Value]:
        """The descriptor values keyed by descriptor, in declaration order."""
        return {key: getattr(self, key) for key in _KEYS}


@dataclass(frozen=True, slots=True)
class ScoredDescriptor:
    """A descriptor found present: its weight and how it was recorded."""

    key: str
    label: str
    weight: int
    status: str

    def to_dict(self) -> dict[str, Any]:
        """Return the descriptor as a JSON-ready mapping."""
        return {"key": self.key, "label": self.label, "weight": self.weight, "status": self.status}


@dataclass(frozen=True, slots=True)
class SledaiResult:
    """A SLEDAI-2K or SELENA-SLEDAI score with its working.

    ``descriptors_scored`` lists what was added; ``not_counted`` lists descriptors present
    but not counted by the variant (persistent ones under SELENA-SLEDAI).
    """

    score: int
    descriptors_scored: tuple[ScoredDescriptor, ...]
    not_counted: tuple[ScoredDescriptor, ...]
    variant: str
    window_days: int

    @property
    def instrument(self) -> str:
        """The instrument's display name."""
        return "SELENA-SLEDAI" if self.variant == "selena" else "SLEDAI-2K"

    @property
    def band(self) -> str:
        """Interpretation band by :data:`BANDS` (a secondary-source convention)."""
        return next(name for low, high, name in BANDS if low <= self.score <= high)

    @property
    def working(self) -> str:
        """The sum as written out, e.g. ``4 + 2 = 6``."""
        terms = " + ".join(str(d.weight) for d in self.descriptors_scored) or "0"
        return f"{terms} = {self.score}"

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        band_range = next(f"{lo}-{hi}" for lo, hi, name in BANDS if name == self.band)
        return {
            "instrument": self.instrument,
            "variant": self.variant,
            "score": self.score,
            "maximum": MAXIMUM,
            "window_days": self.window_days,
            "working": self.working,
            "descriptors_scored": [d.to_dict() for d in self.descriptors_scored],
            "not_counted": [d.to_dict() for d in self.not_counted],
            "interpretation": {
                "band": self.band,
                "range": band_range,
                "convention": True,
                "reference": BAND_REFERENCE.to_dict(),
            },
            "reference": REFERENCE.to_dict(),
            "variant_reference": (SELENA_REFERENCE.to_dict() if self.variant == "selena" else None),
            "window_reference": WINDOW_REFERENCE.to_dict() if self.window_days == 30 else None,
        }

    def to_text(self) -> str:
        """Return a readable rendering of the result."""
        lines = [
            f"{self.instrument}: {self.score} / {MAXIMUM} (window {self.window_days} days)",
            f"  working: {self.working}",
        ]
        lines += [f"  + {d.weight}  {d.label} ({d.status})" for d in self.descriptors_scored]
        lines += [
            f"  not counted: {d.label} ({d.status}; SELENA-SLEDAI counts only new or recurrent)"
            for d in self.not_counted
        ]
        lines.append(f"  band: {self.band} (convention [S]: {BAND_REFERENCE.citation})")
        lines.append(f"  reference: {REFERENCE}")
        if self.variant == "selena":
            lines.append(f"  variant reference: {SELENA_REFERENCE}")
        return "\n".join(lines)


def _counts(code: int, key: str, variant: str) -> bool:
    if key in ONSET_DESCRIPTORS and variant == "selena":
        return code == 2
    return code > 0


def score(record: SledaiInput, *, variant: str = "sledai2k") -> SledaiResult:
    """Score one SLEDAI assessment.

    Parameters
    ----------
    record
        The 24 descriptors and the window.
    variant
        ``"sledai2k"`` (Gladman 2002: persistent activity counts) or ``"selena"``
        (SELENA-SLEDAI: rash, alopecia, mucosal ulcers and proteinuria only when new or
        recurrent; a bare ``True`` for these is refused).

    Returns
    -------
    SledaiResult
        Total 0-105, the descriptors counted with their weights, and the variant.

    References
    ----------
    Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29:288-291. Petri M et al.
    N Engl J Med 2005;353:2550-2558 (SELENA-SLEDAI).

    Examples
    --------
    >>> values = dict.fromkeys(WEIGHTS, False)
    >>> record = SledaiInput(**{**values, "arthritis": True, "rash": "persistent"})
    >>> score(record).score, score(record, variant="selena").score
    (6, 4)
    """
    _check_variant(variant)
    values = record.values()
    problems = [p for key, v in values.items() if (p := _check(key, v, variant, key))]
    if problems:
        raise InputError(problems)
    scored: list[ScoredDescriptor] = []
    skipped: list[ScoredDescriptor] = []
    for key, value in values.items():
        code = _code(value)
        if code == 0:
            continue
        item = ScoredDescriptor(key, _LABELS[key], WEIGHTS[key], _STATUS[code])
        (scored if _counts(code, key, variant) else skipped).append(item)
    return SledaiResult(
        score=sum(d.weight for d in scored),
        descriptors_scored=tuple(scored),
        not_counted=tuple(skipped),
        variant=variant,
        window_days=record.window_days,
    )


def score_mapping(payload: Mapping[str, Any], *, variant: str = "sledai2k") -> SledaiResult:
    """Score SLEDAI from a JSON object of descriptor keys (and optional ``window_days``).

    Every one of the 24 keys is required; unknown keys and values other than those
    allowed are refused, all problems at once.

    Examples
    --------
    >>> payload = dict.fromkeys(WEIGHTS, False) | {"seizure": True, "fever": True}
    >>> score_mapping(payload).working
    '8 + 1 = 9'
    """
    _check_variant(variant)
    mapping = require_mapping(payload, "")
    if isinstance(mapping, Problem):
        raise InputError(mapping)
    known = (*_KEYS, "window_days")
    problems = unknown_keys(list(mapping), known, "")
    problems += [
        Problem(key, None, "is missing", _allowed(key)) for key in _KEYS if key not in mapping
    ]
    problems += [
        p for key in _KEYS if key in mapping and (p := _check(key, mapping[key], variant, key))
    ]
    window = mapping.get("window_days", 10)
    if (p := _check_window(window, "window_days")) is not None:
        problems.append(p)
    if problems:
        raise InputError(problems)
    return score(
        SledaiInput(**{key: mapping[key] for key in _KEYS}, window_days=window), variant=variant
    )


def score_frame(frame: pd.DataFrame, *, variant: str = "sledai2k") -> pd.Series:
    """Score many assessments held in the flat ``sledai_*`` columns of ``frame``.

    Descriptor columns hold booleans or codes 0/1 (0/1/2/3 for the four onset
    descriptors, see the module docstring). A row with any missing descriptor gets a
    missing total. Values outside the allowed codes, and code 1 of an onset descriptor
    under SELENA-SLEDAI, raise :class:`~clears.InputError` naming column and row
    (1-based). ``frame`` is not modified.

    Returns
    -------
    pandas.Series
        Nullable integer totals named ``sledai``, on the index of ``frame``.

    Examples
    --------
    >>> row = dict.fromkeys(DEFINITION.columns, 0) | {"sledai_rash": 3, "sledai_fever": 1}
    >>> score_frame(pd.DataFrame([row]), variant="selena").tolist()
    [1]
    """
    _check_variant(variant)
    missing = [c for c in DEFINITION.columns if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(c, None, "column is missing", "a SLEDAI descriptor column") for c in missing
        )
    total = np.zeros(len(frame), dtype=np.int64)
    absent = np.zeros(len(frame), dtype=bool)
    problems: list[Problem] = []
    for fld in DEFINITION.fields:
        raw = frame[fld.column]
        codes = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        is_na = raw.isna().to_numpy()
        bad = ~is_na & ~np.isin(codes, fld.item.codes)
        if variant == "selena" and fld.path in ONSET_DESCRIPTORS:
            bad |= codes == 1
        for pos in np.flatnonzero(bad):
            problems.append(
                Problem(
                    fld.column,
                    raw.iloc[pos],
                    "not an allowed code",
                    fld.item.allowed_text(),
                    row=int(pos) + 1,
                )
            )
        absent |= is_na
        counted = codes == 2 if variant == "selena" and fld.path in ONSET_DESCRIPTORS else codes > 0
        total += np.where(counted, WEIGHTS[fld.path], 0)
    if problems:
        raise InputError(problems)
    result = pd.Series(total, index=frame.index, name="sledai", dtype="Int64")
    return result.mask(pd.Series(absent, index=frame.index))
