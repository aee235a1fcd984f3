"""CTCAE v5.0 laboratory grading bands: the tests clears grades from a number.

Bounds read off the NCI spreadsheet ``CTCAE_v5.0.xlsx`` ("CTCAE v5.0 Clean Copy" sheet);
each test points at its term in :data:`clears.instruments.ctcae.definition.TERMS`. Every public
name is re-exported from :mod:`clears.instruments.ctcae.definition`.

Each test also declares the range of local lower limits of normal (LLN) clears accepts
(:attr:`LabTest.lln_plausible`, a project decision with its reasoning in
:attr:`LabTest.lln_basis` and in ``docs/instruments/ctcae.md``). Two rules fix every range:

1. it holds the LLN of every adult reference interval found in the sources below, and its
   lower end is never below the CTCAE edge between grades 2 and 3, so no accepted LLN can
   turn a numeric grade 3 or 4 into grade 0 (the LLN rule of
   :func:`clears.instruments.ctcae.grade_lab`);
2. read in any other accepted unit of the quantity, it lies wholly outside itself
   (the ranges for ×10⁹/L and /mm³ are 1000-fold apart, g/dL and g/L 10-fold, g/dL and
   mmol/L 1.6114-fold, and every range is narrower than those factors), so an LLN typed
   in the wrong unit, or a bare number in a unit other than the canonical one, is always
   refused, never silently misread.

References
----------
.. [1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   Version 5.0. U.S. Department of Health and Human Services, 27 November 2017.
   https://ctep.cancer.gov/protocoldevelopment/electronic_applications/ctc.htm#ctc_50
.. [2] Merz LE, Osei MA, Story CM, et al. Development of Duffy null-specific absolute
   neutrophil count reference ranges. JAMA 2023;329(23):2088-2089.
   doi:10.1001/jama.2023.7467 (ANC < 2000/µL is "the lower limit of normal of many
   reference ranges").
.. [3] Hibbs SP, Chipare I, Halawani AJ, et al. Multinational assessment of absolute
   neutrophil counts and white blood cell counts among healthy Duffy null adults. Blood
   2025. doi:10.1182/blood.2025029359 (Duffy-null reference intervals: ANC LLN
   820-1210/µL, WBC LLN 2.51-3.72 ×10⁹/L).
.. [4] Mayo Clinic. Complete blood count (CBC): results (adult reference ranges: WBC
   3.5-10.5 ×10⁹/L, platelets 150-450 ×10⁹/L, haemoglobin 13.5-17.5 g/dL in men and
   12.0-15.5 g/dL in women).
.. [5] World Health Organization. Guideline on haemoglobin cutoffs to define anaemia in
   individuals and populations. Geneva: WHO; 2024 (anaemia below 12.0 g/dL in
   non-pregnant women and 13.0 g/dL in men; 11.0 and 10.5 g/dL in pregnancy).
.. [6] Rodeghiero F, Stasi R, Gernsheimer T, et al. Standardization of terminology,
   definitions and outcome criteria in immune thrombocytopenic purpura. Blood
   2009;113(11):2386-2393 (thrombocytopenia: platelets < 100 ×10⁹/L).
.. [7] National Heart, Lung, and Blood Institute. Lymphocytopenia (adults: 1000-4800
   lymphocytes/µL; lymphocytopenia below 1000/µL), as reported by secondary pages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from clears import units
from clears._exceptions import InputError, Problem
from clears.instruments.ctcae._terms import TERMS, Term

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
    lln_plausible
        Inclusive range of a local lower limit of normal in the canonical unit; an LLN
        outside it is refused as a probable unit or typing mistake.
    lln_basis
        Why :attr:`lln_plausible` is what it is, with its sources (module references).
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
    lln_plausible: tuple[float, float]
    lln_basis: str
    cohort_column: str | None = None
    transfusion_grade: int | None = None

    @property
    def term(self) -> Term:
        """The CTCAE term this test grades."""
        return TERMS[self.term_key]

    def scale_for(self, unit: str) -> Scale:
        """The published scale in ``unit`` (a unit symbol) if any, else the canonical one."""
        return next((s for s in self.scales if s.unit == unit), self.scales[0])

    def lln_allowed_text(self) -> str:
        """The accepted LLN range in every unit of the quantity, canonical first.

        Examples
        --------
        >>> LAB_TESTS["neutrophils"].lln_allowed_text()
        '1 to 3 10^9/L (= 1000 to 3000 /mm3)'
        """
        low, high = self.lln_plausible
        spec = units.QUANTITIES[self.quantity]
        first, *others = spec.units
        text = f"{low:g} to {high:g} {first.symbol}"
        if not others:
            return text
        # Rounded inwards to 0.01, so every number printed is itself accepted.
        rest = ", ".join(
            f"{math.ceil(round(u.from_canonical(low) * 100, 6)) / 100:g} to "
            f"{math.floor(round(u.from_canonical(high) * 100, 6)) / 100:g} {u.symbol}"
            for u in others
        )
        return f"{text} (= {rest})"


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
        lln_plausible=(1.0, 3.0),
        lln_basis=(
            "Usual LLN 1.5-2.0 (2.0 in many ranges [2]); Duffy-null intervals 1.14-1.21 [3]. "
            "Lower end: the grade 2/3 edge (1.0), so no LLN grades a grade-3 count 0; the "
            "Namibian Duffy-null LLN 0.82 [3] is therefore refused (grade without an LLN). "
            "Upper end: above every usual LLN."
        ),
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
        lln_plausible=(2.5, 5.0),
        lln_basis=(
            "Usual LLN 3.5-4.5 (3.5 [4]); Duffy-null intervals 2.51-3.72 [3]. Lower end "
            "above the grade 2/3 edge (2.0); upper end above every usual LLN."
        ),
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
        lln_plausible=(100.0, 200.0),
        lln_basis=(
            "Usual LLN 150 [4]; below 100 is thrombocytopenia [6], so no normal range "
            "starts there (above the grade 2/3 edge 50 and the grade-1 bound 75)."
        ),
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
        lln_plausible=(10.0, 15.0),
        lln_basis=(
            "Usual LLN 12.0 g/dL in women, 13.5 in men [4]; WHO anaemia cut-offs 12.0 and "
            "13.0, 10.5-11.0 in pregnancy [5]. Lower end: the grade-1 bound 10.0 g/dL; upper "
            "end leaves room for men's and high-altitude ranges. 6.21-9.30 mmol/L."
        ),
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
        lln_plausible=(0.8, 2.0),
        lln_basis=(
            "Usual LLN 1.0 (adults 1.0-4.8 [7]), up to 1.5 in some laboratories. Lower end: "
            "the grade-1 bound 0.8, above the grade 2/3 edge 0.5."
        ),
    ),
}
"""Laboratory tests graded by :func:`clears.instruments.ctcae.grade_lab`, by test name."""


def lab_test(name: object) -> LabTest:
    """Return the lab test called ``name``; an unknown name is an InputError listing them."""
    if isinstance(name, str) and name in LAB_TESTS:
        return LAB_TESTS[name]
    raise InputError(Problem("test", name, "unknown lab test", ", ".join(LAB_TESTS)))
