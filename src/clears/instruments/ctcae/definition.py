"""NCI CTCAE v5.0 as data: generic grades, the terms clears uses, and the lab grading bands.

Everything here is transcribed from the official NCI spreadsheet ``CTCAE_v5.0.xlsx``
("CTCAE v5.0 Clean Copy" sheet, last modified 27 November 2017); ``docs/instruments/ctcae.md``
sets it out with the decisions taken where CTCAE is silent. Logic lives in
:mod:`clears.instruments.ctcae`.
The term rows live in :mod:`clears.instruments.ctcae._terms` and the lab grading bands
in :mod:`clears.instruments.ctcae._labs`; every public name is re-exported here.

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

from clears._exceptions import InputError, Problem
from clears.instruments._base import Reference
from clears.instruments.ctcae._labs import LAB_TESTS, Band, LabTest, Scale, lab_test
from clears.instruments.ctcae._terms import TERMS, Term

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
