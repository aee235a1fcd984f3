"""CTCAE v5.0 laboratory grading bands: the tests clears grades from a number.

Bounds read off the NCI spreadsheet ``CTCAE_v5.0.xlsx`` ("CTCAE v5.0 Clean Copy" sheet);
each test points at its term in :data:`clears.instruments.ctcae_terms.TERMS`. Every public
name is re-exported from :mod:`clears.instruments.ctcae_terms`.

References
----------
National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) Version 5.0.
U.S. Department of Health and Human Services, 27 November 2017.
https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm#ctc_50
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from clears._exceptions import InputError, Problem
from clears.instruments._ctcae_term_list import TERMS, Term

__all__ = ["LAB_TESTS", "Band", "LabTest", "Scale", "lab_test"]


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
