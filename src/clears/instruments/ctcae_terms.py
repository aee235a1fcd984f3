"""NCI CTCAE v5.0 as data: generic grades, the terms clears uses, and the lab grading bands.

Everything here is transcribed from the official NCI spreadsheet ``CTCAE_v5.0.xlsx``
("CTCAE v5.0 Clean Copy" sheet, last modified 27 November 2017) as recorded in the project
reference ``instruments.md`` section 5. Logic lives in :mod:`clears.instruments.ctcae`.

Conventions of the source:

* a grade written "–" in the spreadsheet does not exist for that term (``None`` here);
* a semicolon inside a grade description means "or";
* numeric ranges are half-open: "<1500–1000/mm³" means 1000 ≤ x < 1500, "<500/mm³"
  means x < 500; grade 1 always needs the value to be below the local lower limit of
  normal (LLN).

References
----------
.. [1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   Version 5.0. U.S. Department of Health and Human Services, 27 November 2017.
   https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm#ctc_50
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from clears._exceptions import InputError, Problem
from clears.instruments._definition import Reference

__all__ = [
    "ADL",
    "GRADE_MEANINGS",
    "LAB_TESTS",
    "REFERENCE",
    "TERMS",
    "VERSION",
    "Band",
    "LabTest",
    "Scale",
    "Term",
    "find_term",
    "lab_test",
    "validate_grade",
]

VERSION = "CTCAE v5.0"
"""The only CTCAE version clears grades by; named in every result."""

REFERENCE = Reference(
    citation=(
        "National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) "
        "Version 5.0. U.S. Department of Health and Human Services; 27 November 2017 "
        "(CTCAE_v5.0.xlsx, 'CTCAE v5.0 Clean Copy' sheet)"
    ),
    url="https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm#ctc_50",
    note="Pinned to v5.0; v6.0 reportedly changed the neutrophil and platelet bands.",
)

# CTCAE v5.0 introduction: generic meaning of each grade.
GRADE_MEANINGS: Mapping[int, str] = {
    1: (
        "Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; "
        "intervention not indicated."
    ),
    2: (
        "Moderate; minimal, local or noninvasive intervention indicated; limiting "
        "age-appropriate instrumental ADL."
    ),
    3: (
        "Severe or medically significant but not immediately life-threatening; "
        "hospitalization or prolongation of hospitalization indicated; disabling; "
        "limiting self-care ADL."
    ),
    4: "Life-threatening consequences; urgent intervention indicated.",
    5: "Death related to AE.",
}

# CTCAE v5.0 footnotes to the grade definitions.
ADL: Mapping[str, str] = {
    "instrumental": (
        "Instrumental ADL refer to preparing meals, shopping for groceries or clothes, using "
        "the telephone, managing money, etc."
    ),
    "self_care": (
        "Self-care ADL refer to bathing, dressing and undressing, feeding self, using the "
        "toilet, taking medications, and not bedridden."
    ),
}


@dataclass(frozen=True, slots=True)
class Term:
    """One CTCAE term: its stable key, exact term text, SOC and per-grade descriptions.

    ``grades`` holds the descriptions of grades 1 to 5 in order; ``None`` marks a grade
    written "–" (not available for this term).
    """

    key: str
    term: str
    soc: str
    grades: tuple[str | None, str | None, str | None, str | None, str | None]
    note: str = ""

    @property
    def available(self) -> tuple[int, ...]:
        """The grades that exist for this term."""
        return tuple(g for g, text in enumerate(self.grades, start=1) if text is not None)

    def description(self, grade: int) -> str:
        """The description of ``grade`` (a grade in :attr:`available`)."""
        text = self.grades[grade - 1] if 1 <= grade <= 5 else None
        if text is None:
            raise KeyError(grade)
        return text


_G4 = "Life-threatening consequences; urgent intervention indicated"
_ABRIDGED = (
    "Grade descriptions abridged in the project reference (instruments.md 5.2); check the "
    "full wording against the NCI spreadsheet."
)

_INVESTIGATIONS = "Investigations"
_BLOOD = "Blood and lymphatic system disorders"
_VASCULAR = "Vascular disorders"
_NERVOUS = "Nervous system disorders"
_GENERAL = "General disorders and administration site conditions"
_GI = "Gastrointestinal disorders"
_PSYCH = "Psychiatric disorders"
_SKIN = "Skin and subcutaneous tissue disorders"

_TERM_LIST: tuple[Term, ...] = (
    Term(
        "neutrophil_count_decreased",
        "Neutrophil count decreased",
        _INVESTIGATIONS,
        (
            "<LLN–1500/mm³; <LLN–1.5×10⁹/L",
            "<1500–1000/mm³; <1.5–1.0×10⁹/L",
            "<1000–500/mm³; <1.0–0.5×10⁹/L",
            "<500/mm³; <0.5×10⁹/L",
            None,
        ),
    ),
    Term(
        "white_blood_cell_decreased",
        "White blood cell decreased",
        _INVESTIGATIONS,
        (
            "<LLN–3000/mm³; <LLN–3.0×10⁹/L",
            "<3000–2000/mm³; <3.0–2.0×10⁹/L",
            "<2000–1000/mm³; <2.0–1.0×10⁹/L",
            "<1000/mm³; <1.0×10⁹/L",
            None,
        ),
    ),
    Term(
        "platelet_count_decreased",
        "Platelet count decreased",
        _INVESTIGATIONS,
        (
            "<LLN–75,000/mm³; <LLN–75.0×10⁹/L",
            "<75,000–50,000/mm³; <75.0–50.0×10⁹/L",
            "<50,000–25,000/mm³; <50.0–25.0×10⁹/L",
            "<25,000/mm³; <25.0×10⁹/L",
            None,
        ),
    ),
    Term(
        "lymphocyte_count_decreased",
        "Lymphocyte count decreased",
        _INVESTIGATIONS,
        ("<LLN–800/mm³", "<800–500/mm³", "<500–200/mm³", "<200/mm³", None),
        note="The project reference records the /mm³ cells only.",
    ),
    Term(
        "anemia",
        "Anemia",
        _BLOOD,
        (
            "Hgb <LLN–10.0 g/dL; <LLN–6.2 mmol/L; <LLN–100 g/L",
            "Hgb <10.0–8.0 g/dL; <6.2–4.9 mmol/L; <100–80 g/L",
            "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated",
            _G4,
            "Death",
        ),
    ),
    Term(
        "febrile_neutropenia",
        "Febrile neutropenia",
        _BLOOD,
        (
            None,
            None,
            "ANC <1000/mm³ with a single temperature of >38.3 °C or a sustained temperature "
            "of ≥38 °C for more than one hour",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "thromboembolic_event",
        "Thromboembolic event",
        _VASCULAR,
        (
            "Medical intervention not indicated (e.g., superficial thrombosis)",
            "Medical intervention indicated",
            "Urgent medical intervention indicated (e.g., pulmonary embolism or intracardiac "
            "thrombus)",
            "Life-threatening consequences with hemodynamic or neurologic instability",
            "Death",
        ),
        note=(
            "Navigational note: use Arterial thromboembolism for arterial thrombi, and "
            "transient ischemic attack or stroke for CNS events."
        ),
    ),
    Term(
        "arterial_thromboembolism",
        "Arterial thromboembolism",
        _VASCULAR,
        (
            None,
            None,
            "Urgent intervention indicated",
            "Life-threatening consequences; hemodynamic or neurologic instability; organ "
            "damage; loss of extremity",
            "Death",
        ),
        note="New term in v5.0. " + _ABRIDGED,
    ),
    Term(
        "peripheral_sensory_neuropathy",
        "Peripheral sensory neuropathy",
        _NERVOUS,
        (
            "Asymptomatic",
            "Moderate symptoms; limiting instrumental ADL",
            "Severe symptoms; limiting self-care ADL",
            _G4,
            None,
        ),
        note="Grade 5 was removed in v5.0.",
    ),
    Term(
        "peripheral_motor_neuropathy",
        "Peripheral motor neuropathy",
        _NERVOUS,
        (
            "Asymptomatic; clinical or diagnostic observations only",
            "Moderate symptoms; limiting instrumental ADL",
            "Severe symptoms; limiting self-care ADL",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "somnolence",
        "Somnolence",
        _NERVOUS,
        (
            "Mild but more than usual drowsiness or sleepiness",
            "Moderate sedation; limiting instrumental ADL",
            "Obtundation or stupor",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "fatigue",
        "Fatigue",
        _GENERAL,
        (
            "Fatigue relieved by rest",
            "Fatigue not relieved by rest; limiting instrumental ADL",
            "Fatigue not relieved by rest, limiting self-care ADL",
            None,
            None,
        ),
    ),
    Term(
        "diarrhea",
        "Diarrhea",
        _GI,
        (
            "Increase of <4 stools per day over baseline; mild increase in ostomy output "
            "compared to baseline",
            "Increase of 4–6 stools per day over baseline; moderate increase in ostomy "
            "output compared to baseline; limiting instrumental ADL",
            "Increase of ≥7 stools per day over baseline; hospitalization indicated; severe "
            "increase in ostomy output compared to baseline; limiting self-care ADL",
            _G4,
            "Death",
        ),
    ),
    Term(
        "constipation",
        "Constipation",
        _GI,
        (
            "Occasional or intermittent symptoms",
            "Persistent symptoms with regular use of laxatives; limiting instrumental ADL",
            "Obstipation with manual evacuation indicated; limiting self-care ADL",
            _G4,
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "insomnia",
        "Insomnia",
        _PSYCH,
        (
            "Mild difficulty falling asleep, staying asleep or waking up early",
            "Moderate difficulty falling asleep, staying asleep or waking up early",
            "Severe difficulty in falling asleep, staying asleep or waking up early",
            None,
            None,
        ),
        note=_ABRIDGED,
    ),
    Term(
        "rash_maculo_papular",
        "Rash maculo-papular",
        _SKIN,
        (
            "Macules/papules covering <10% BSA with or without symptoms (e.g., pruritus, "
            "burning, tightness)",
            "Macules/papules covering 10–30% BSA with or without symptoms (e.g., pruritus, "
            "burning, tightness); limiting instrumental ADL; rash covering >30% BSA with or "
            "without mild symptoms",
            "Macules/papules covering >30% BSA with moderate or severe symptoms; limiting "
            "self-care ADL",
            None,
            None,
        ),
    ),
    Term(
        "rash_acneiform",
        "Rash acneiform",
        _SKIN,
        (
            "Papules and/or pustules covering <10% BSA, which may or may not be associated "
            "with symptoms of pruritus or tenderness",
            "Papules and/or pustules covering 10–30% BSA, with or without symptoms; "
            "associated with psychosocial impact; limiting instrumental ADL; papules and/or "
            "pustules covering >30% BSA with or without mild symptoms",
            "Papules and/or pustules covering >30% BSA with moderate or severe symptoms; "
            "limiting self-care ADL; associated with local superinfection with oral "
            "antibiotics indicated",
            "Life-threatening consequences; papules and/or pustules covering any % BSA, "
            "associated with extensive superinfection with IV antibiotics indicated",
            "Death",
        ),
        note=_ABRIDGED,
    ),
    Term(
        "pruritus",
        "Pruritus",
        _SKIN,
        (
            "Mild or localized",
            "Widespread and intermittent",
            "Widespread and constant",
            None,
            None,
        ),
        note=_ABRIDGED,
    ),
)

TERMS: Mapping[str, Term] = {term.key: term for term in _TERM_LIST}
"""The CTCAE v5.0 terms clears knows, by stable snake key."""


@dataclass(frozen=True, slots=True)
class Band:
    """One numeric grade band, ``lower <= x < upper``; ``upper=None`` means the local LLN."""

    grade: int
    lower: float
    upper: float | None


@dataclass(frozen=True, slots=True)
class Scale:
    """The bands of a lab test in one unit (a symbol of :mod:`clears.units`)."""

    unit: str
    bands: tuple[Band, ...]

    @property
    def grade1_lower(self) -> float:
        """Lower bound of grade 1 (values at or above it need the LLN to be graded)."""
        return next(b.lower for b in self.bands if b.upper is None)


@dataclass(frozen=True, slots=True)
class LabTest:
    """A laboratory test graded by a CTCAE term.

    Parameters
    ----------
    key
        The test name clears accepts (``neutrophils``).
    term_key
        Key of the CTCAE term in :data:`TERMS`.
    quantity
        The :mod:`clears.units` quantity of the value.
    scales
        Grade bands; the first is in the canonical unit. Further scales hold thresholds
        published in another unit that no exact factor reproduces (haemoglobin mmol/L).
    plausible
        Inclusive physiological range in the canonical unit; values outside it are refused
        as a probable unit mistake.
    cohort_column
        The visits-table column holding this test, if any.
    transfusion_grade
        The grade met by "transfusion indicated" (anaemia only).
    """

    key: str
    term_key: str
    quantity: str
    scales: tuple[Scale, ...]
    plausible: tuple[float, float]
    cohort_column: str | None = None
    transfusion_grade: int | None = None

    @property
    def term(self) -> Term:
        """The CTCAE term this test grades."""
        return TERMS[self.term_key]

    def scale_for(self, unit: str) -> Scale:
        """The published scale in ``unit`` (a unit symbol) if any, else the canonical one."""
        return next((s for s in self.scales if s.unit == unit), self.scales[0])


# Bounds read off CTCAE v5.0 (rows named by term_key); counts in 10^9/L (the "x 10e9 /L"
# cells, equal to the /mm3 cells / 1000), haemoglobin in g/dL and mmol/L.  Plausible
# ranges are a project decision (docs/instruments/ctcae.md): wide enough for any value
# seen outside haematological malignancy, narrow enough that a /mm3 count entered as
# 10^9/L (x1000) or g/L haemoglobin entered as g/dL (x10) is refused.
LAB_TESTS: Mapping[str, LabTest] = {
    "neutrophils": LabTest(
        "neutrophils",
        "neutrophil_count_decreased",
        "cell_count",
        (
            Scale(
                "10^9/L",
                (Band(1, 1.5, None), Band(2, 1.0, 1.5), Band(3, 0.5, 1.0), Band(4, 0.0, 0.5)),
            ),
        ),
        plausible=(0.0, 100.0),
        cohort_column="anc",
    ),
    "wbc": LabTest(
        "wbc",
        "white_blood_cell_decreased",
        "cell_count",
        (
            Scale(
                "10^9/L",
                (Band(1, 3.0, None), Band(2, 2.0, 3.0), Band(3, 1.0, 2.0), Band(4, 0.0, 1.0)),
            ),
        ),
        plausible=(0.0, 500.0),
        cohort_column="wbc",
    ),
    "platelets": LabTest(
        "platelets",
        "platelet_count_decreased",
        "cell_count",
        (
            Scale(
                "10^9/L",
                (Band(1, 75.0, None), Band(2, 50.0, 75.0), Band(3, 25.0, 50.0), Band(4, 0.0, 25.0)),
            ),
        ),
        plausible=(0.0, 3000.0),
        cohort_column="platelets",
    ),
    "hemoglobin": LabTest(
        "hemoglobin",
        "anemia",
        "haemoglobin",
        (
            Scale("g/dL", (Band(1, 10.0, None), Band(2, 8.0, 10.0), Band(3, 0.0, 8.0))),
            Scale("mmol/L", (Band(1, 6.2, None), Band(2, 4.9, 6.2), Band(3, 0.0, 4.9))),
        ),
        plausible=(1.0, 25.0),
        cohort_column="hb",
        transfusion_grade=3,
    ),
    "lymphocytes": LabTest(
        "lymphocytes",
        "lymphocyte_count_decreased",
        "cell_count",
        (
            Scale(
                "10^9/L",
                (Band(1, 0.8, None), Band(2, 0.5, 0.8), Band(3, 0.2, 0.5), Band(4, 0.0, 0.2)),
            ),
        ),
        plausible=(0.0, 500.0),
    ),
}
"""Laboratory tests graded by :func:`clears.instruments.ctcae.grade_lab`, by test name."""


def lab_test(name: object) -> LabTest:
    """Return the lab test called ``name``; an unknown name is an InputError listing them."""
    if isinstance(name, str) and name in LAB_TESTS:
        return LAB_TESTS[name]
    raise InputError(Problem("test", name, "unknown lab test", ", ".join(LAB_TESTS)))


def find_term(name: str) -> Term:
    """Return the CTCAE term with key ``name`` or exact term text ``name`` (any case).

    Raises
    ------
    InputError
        Unknown term, listing the known keys.

    Examples
    --------
    >>> find_term("Rash maculo-papular").key
    'rash_maculo_papular'
    """
    if isinstance(name, str):
        if name in TERMS:
            return TERMS[name]
        folded = name.strip().casefold()
        for term in TERMS.values():
            if folded in (term.key, term.term.casefold()):
                return term
    raise InputError(Problem("term", name, f"not a {VERSION} term clears knows", ", ".join(TERMS)))


def validate_grade(term: str, grade: object) -> int:
    """Return ``grade`` as an int if it exists for ``term`` in CTCAE v5.0.

    Raises
    ------
    InputError
        Unknown term, or a grade that is not a whole number or is "–" (not available)
        for the term; the message names the allowed grades with their descriptions.

    Examples
    --------
    >>> validate_grade("fatigue", 3)
    3
    >>> validate_grade("arterial_thromboembolism", 1)
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: grade: grade 1 does not exist for Arterial thromboembolism in CTCAE v5.0 (got 1); allowed: 3, 4, 5
    """  # noqa: E501
    found = find_term(term)
    allowed = ", ".join(str(g) for g in found.available)
    if isinstance(grade, bool) or not isinstance(grade, int | float):
        raise InputError(Problem("grade", grade, "expects a whole number", allowed))
    if not math.isfinite(grade) or not float(grade).is_integer():
        raise InputError(Problem("grade", grade, "expects a whole number", allowed))
    if int(grade) not in found.available:
        raise InputError(
            Problem(
                "grade",
                grade,
                f"grade {int(grade)} does not exist for {found.term} in {VERSION}",
                allowed,
            )
        )
    return int(grade)
