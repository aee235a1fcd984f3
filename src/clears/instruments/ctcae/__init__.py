"""CTCAE v5.0: grading of laboratory values and validation of clinician-assigned grades.

Modules, the same roles in every instrument:

:mod:`~clears.instruments.ctcae.definition`
    The terms, generic grades and laboratory grading bands as data; grade validation.
:mod:`~clears.instruments.ctcae.record`
    One value (or JSON object) in, a :class:`CtcaeResult` naming the band and rule out.
:mod:`~clears.instruments.ctcae.vector`
    Columns of values in, grades out.
:mod:`~clears.instruments.ctcae.result`
    The result type and the rules it names.

The names below are the public API; import them from ``clears.instruments.ctcae``.
"""

from clears.instruments.ctcae.definition import (
    LAB_TESTS,
    REFERENCE,
    TERMS,
    VERSION,
    find_term,
    validate_grade,
)
from clears.instruments.ctcae.record import grade_lab, score_mapping
from clears.instruments.ctcae.result import RULES, CtcaeResult
from clears.instruments.ctcae.vector import MISSING, NEEDS_LLN, grade_labs

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
