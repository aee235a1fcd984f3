"""CTCAE v5.0: grading of laboratory values and validation of clinician-assigned grades.

Modules:

:mod:`~clears.instruments.ctcae.definition`
    the terms, generic grades and lab bands as data, and grade validation.
:mod:`~clears.instruments.ctcae.record`
    one value in, a :class:`CtcaeResult` with the band and rule out.
:mod:`~clears.instruments.ctcae.vector`
    columns of values in, grades out.
:mod:`~clears.instruments.ctcae.result`
    the result type and the rules it names.

Every public name is re-exported here; import from ``clears.instruments.ctcae``.
"""

from clears.instruments.ctcae.record import (
    LAB_TESTS,
    MISSING,
    NEEDS_LLN,
    REFERENCE,
    RULES,
    TERMS,
    VERSION,
    CtcaeResult,
    find_term,
    grade_lab,
    grade_labs,
    score_mapping,
    validate_grade,
)

__all__ = [
    "LAB_TESTS",
    "MISSING",
    "NEEDS_LLN",
    "REFERENCE",
    "RULES",
    "TERMS",
    "VERSION",
    "CtcaeResult",
    "find_term",
    "grade_lab",
    "grade_labs",
    "score_mapping",
    "validate_grade",
]
