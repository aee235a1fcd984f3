"""CTCAE v5.0 grading with a local lower limit of normal (LLN): units and plausibility.

Issue 12, hazard class 4: an LLN carries its unit or is in the canonical unit; a value and
an LLN in different units are converted, never compared raw; an implausibly small LLN is
refused like an implausibly large one. Both the single-value path (``grade_lab``) and the
vectorised path (``grade_labs``) are checked, and checked equal.

Sources of the expected numbers:

* grades: NCI CTCAE v5.0 spreadsheet, Clean Copy sheet, as in docs/instruments/ctcae.md
  ("Lab tests"), half-open bands (same section);
* units: the CTCAE v5.0 paired cells (1 ×10⁹/L = 1000/mm³; 10.0 g/dL = 100 g/L), the SI
  brochure (mm³ = µL) and the haem-monomer factor 1 mmol/L = 1.6114 g/dL;
* accepted LLN ranges: the project decision in docs/instruments/ctcae.md ("Lower limit of
  normal"), resting on the reference intervals cited there (Merz 2023, Hibbs 2025, Mayo
  Clinic, WHO 2024, Rodeghiero 2009, NHLBI).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears import InputError
from clears.instruments.ctcae import LAB_TESTS, grade_lab, grade_labs, score_mapping
from clears.units import allowed_units

# The accepted LLN range of each test, in its canonical unit (docs/instruments/ctcae.md,
# "Lower limit of normal": a project decision, not a CTCAE rule).
LLN_RANGES = {
    "neutrophils": (1.0, 3.0),
    "wbc": (2.5, 5.0),
    "platelets": (100.0, 200.0),
    "hemoglobin": (10.0, 15.0),
    "lymphocytes": (0.8, 2.0),
}

# A value whose grade no accepted LLN changes, in the canonical unit, and that grade:
# CTCAE v5.0 rows, the lowest band (G4 for counts, G3 for anaemia).
LOW_VALUE = {
    "neutrophils": (0.4, 4),  # <0.5 x10^9/L
    "wbc": (0.9, 4),  # <1.0 x10^9/L
    "platelets": (20.0, 4),  # <25.0 x10^9/L
    "hemoglobin": (7.0, 3),  # Hgb <8.0 g/dL
    "lymphocytes": (0.1, 4),  # <200/mm3
}


# --- the hazard, reproduced -------------------------------------------------------------


def test_value_in_cells_per_microlitre_and_bare_lln_are_not_compared_raw() -> None:
    # 900 cells/µL = 0.9 x10^9/L (1 x10^9/L = 1000/mm3 = 1000/µL); a bare LLN of 1.8 is
    # in the canonical 10^9/L. 0.9 is in <1.0–0.5 (CTCAE v5.0, Neutrophil count
    # decreased): grade 3. Compared raw (900 >= 1.8, or 1.8 read as cells/µL) it was 0.
    result = grade_lab("neutrophils", 900, "cells/µL", lln=1.8)
    assert (result.grade, result.rule) == (3, "numeric_band")
    assert (result.lln_unit, result.canonical_lln) == ("10^9/L", 1.8)
    assert grade_labs("neutrophils", [900], "cells/µL", lln=1.8).tolist() == [3]


def test_lln_in_another_unit_is_converted_before_the_comparison() -> None:
    # Same patient, LLN given as 1800/µL: converted to 1.8 x10^9/L, grade 3 again.
    result = grade_lab("neutrophils", 0.9, "10^9/L", lln=1800, lln_unit="/µL")
    assert (result.grade, result.canonical_lln) == (3, 1.8)
    assert grade_labs("neutrophils", [0.9], "10^9/L", lln=1800, lln_unit="/µL").tolist() == [3]


def test_implausibly_small_lln_is_refused() -> None:
    # 0.0015 x10^9/L (1.5/µL) is no laboratory's neutrophil LLN (accepted: 1 to 3 x10^9/L).
    # Accepted, it made every count above it grade 0, even ANC 0.9 (grade 3).
    with pytest.raises(InputError) as err:
        grade_lab("neutrophils", 0.9, "10^9/L", lln=0.0015)
    (problem,) = err.value.problems
    assert (problem.field, problem.value) == ("lln", 0.0015)
    assert "is not a plausible lower limit of normal for neutrophils" in problem.message
    assert "read in 10^9/L" in problem.message
    assert problem.allowed == "1 to 3 10^9/L (= 1000 to 3000 /mm3)"
    with pytest.raises(InputError) as err:
        grade_labs("neutrophils", [0.9, 0.9], "10^9/L", lln=[1.8, 0.0015])
    assert [(p.field, p.value, p.row) for p in err.value.problems] == [("lln", 0.0015, 2)]


def test_lln_typed_in_the_value_unit_without_lln_unit_is_refused() -> None:
    # The old reading (an LLN inherits the value's unit) is gone: 1800 without lln_unit is
    # 1800 x10^9/L, not an LLN, and the message names the unit that would fit.
    with pytest.raises(InputError) as err:
        grade_lab("neutrophils", 900, "/mm3", lln=1800)
    (problem,) = err.value.problems
    assert problem.field == "lln"
    assert "an lln without lln_unit is in the canonical unit 10^9/L" in problem.message
    assert "give lln_unit /mm3 if that is its unit" in problem.message
    with pytest.raises(InputError) as err:
        grade_labs("neutrophils", [900], "/mm3", lln=1800)
    assert [(p.row, p.message) for p in err.value.problems] == [(1, problem.message)]


def test_lln_with_an_unknown_unit_is_refused_with_the_allowed_units() -> None:
    with pytest.raises(InputError) as err:
        grade_lab("neutrophils", 0.9, "10^9/L", lln=1.8, lln_unit="cells")
    (problem,) = err.value.problems
    assert (problem.field, problem.value) == ("lln_unit", "cells")
    assert problem.allowed is not None
    assert "10^9/L" in problem.allowed
    assert "/uL" in problem.allowed
    with pytest.raises(InputError, match="lln_unit: not a blood cell count unit"):
        grade_labs("neutrophils", [0.9], "10^9/L", lln=1.8, lln_unit="cells")


def test_lln_unit_without_lln_is_refused_in_both_paths() -> None:
    with pytest.raises(InputError, match="lln_unit: is given without lln"):
        grade_lab("neutrophils", 0.9, "10^9/L", lln_unit="/mm3")
    with pytest.raises(InputError, match="lln_unit: is given without lln"):
        grade_labs("neutrophils", [0.9], "10^9/L", lln_unit="/mm3")


def test_score_mapping_reads_a_bare_lln_in_the_canonical_unit() -> None:
    # Haemoglobin 95 g/L = 9.5 g/dL; bare LLN 12 is 12 g/dL: <10.0–8.0 g/dL, grade 2
    # (CTCAE v5.0, Anemia row). Bare 120 would be 120 g/dL: refused, hint g/L.
    payload = {"test": "hemoglobin", "value": 95, "unit": "g/L", "lln": 12}
    result = score_mapping(payload)
    assert (result.grade, result.lln_unit, result.canonical_lln) == (2, "g/dL", 12.0)
    assert "LLN: 12 g/dL" in result.to_text()
    with pytest.raises(InputError) as err:
        score_mapping({**payload, "lln": 120})
    assert "give lln_unit g/L if that is its unit" in str(err.value)
    given_unit = score_mapping({**payload, "lln": 120, "lln_unit": "g/L"})
    assert (given_unit.grade, given_unit.canonical_lln) == (2, 12.0)
    assert "LLN: 120 g/L (= 12 g/dL)" in given_unit.to_text()


# --- the accepted LLN range: both sides of each bound, both paths -----------------------


@pytest.mark.parametrize("test", sorted(LLN_RANGES))
def test_both_sides_of_each_lln_bound(test: str) -> None:
    low, high = LLN_RANGES[test]
    unit = "g/dL" if test == "hemoglobin" else "10^9/L"
    value, grade = LOW_VALUE[test]
    for lln in (low, high):
        assert grade_lab(test, value, unit, lln=lln).grade == grade
    for lln in (low * 0.999, high * 1.001):
        with pytest.raises(InputError) as err:
            grade_lab(test, value, unit, lln=lln)
        (problem,) = err.value.problems
        assert (problem.field, problem.value) == ("lln", lln)
        assert problem.allowed is not None
        assert problem.allowed.startswith(f"{low:g} to {high:g} {unit}")
    got = grade_labs(test, [value] * 2, unit, lln=[low, high])
    assert got.tolist() == [grade, grade]
    with pytest.raises(InputError) as err:
        grade_labs(test, [value] * 3, unit, lln=[low * 0.999, low, high * 1.001])
    assert [(p.field, p.row) for p in err.value.problems] == [("lln", 1), ("lln", 3)]


def test_zero_and_negative_lln_are_refused() -> None:
    with pytest.raises(InputError, match="lln: is not a plausible lower limit"):
        grade_lab("platelets", 20, "10^9/L", lln=0)
    with pytest.raises(InputError, match="lln: must not be negative"):
        grade_lab("platelets", 20, "10^9/L", lln=-150)
    with pytest.raises(InputError, match="lln: must be a finite number >= 0"):
        grade_labs("platelets", [20], "10^9/L", lln=[-150])


@pytest.mark.parametrize(
    ("test", "lln", "source"),
    [
        ("neutrophils", 2.0, "Merz 2023: 2000/µL, the LLN of many reference ranges"),
        ("neutrophils", 1.21, "Hibbs 2025: Duffy-null interval, USA"),
        ("neutrophils", 1.14, "Hibbs 2025: Duffy-null interval, Saudi Arabia"),
        ("wbc", 3.5, "Mayo Clinic: WBC 3.5-10.5 x10^9/L"),
        ("wbc", 3.0, "Hibbs 2025: Duffy-null WBC interval, USA"),
        ("wbc", 2.51, "Hibbs 2025: Duffy-null WBC interval, Namibia"),
        ("platelets", 150.0, "Mayo Clinic: platelets 150-450 x10^9/L"),
        ("hemoglobin", 12.0, "Mayo Clinic: women 12.0-15.5 g/dL; WHO 2024 cut-off"),
        ("hemoglobin", 13.5, "Mayo Clinic: men 13.5-17.5 g/dL"),
        ("hemoglobin", 10.5, "WHO 2024: pregnancy, second trimester"),
        ("lymphocytes", 1.0, "NHLBI: adults 1000-4800/µL"),
    ],
)
def test_published_llns_are_accepted(test: str, lln: float, source: str) -> None:
    unit = "g/dL" if test == "hemoglobin" else "10^9/L"
    value, grade = LOW_VALUE[test]
    assert grade_lab(test, value, unit, lln=lln).grade == grade, source


def test_the_namibian_duffy_null_neutrophil_lln_is_refused_by_decision() -> None:
    # Hibbs 2025: Duffy-null ANC interval in Namibia 820–6370/µL. Below 1.0 x10^9/L an LLN
    # would make ANC 0.9 (grade 3, CTCAE v5.0 <1.0–0.5) grade 0: refused
    # (docs/instruments/ctcae.md); such a count is graded without an LLN instead.
    with pytest.raises(InputError, match="lln: is not a plausible lower limit"):
        grade_lab("neutrophils", 0.9, "10^9/L", lln=820, lln_unit="/µL")
    assert grade_lab("neutrophils", 0.9, "10^9/L").grade == 3


@pytest.mark.parametrize(
    ("test", "value"),
    [
        # The top of grade 3 in each CTCAE v5.0 row.
        ("neutrophils", 0.999),  # <1.0–0.5 x10^9/L
        ("wbc", 1.999),  # <2.0–1.0 x10^9/L
        ("platelets", 49.999),  # <50.0–25.0 x10^9/L
        ("hemoglobin", 7.999),  # Hgb <8.0 g/dL
        ("lymphocytes", 0.499),  # <500–200/mm3
    ],
)
def test_no_accepted_lln_turns_grade_3_into_grade_0(test: str, value: float) -> None:
    unit = "g/dL" if test == "hemoglobin" else "10^9/L"
    lowest = LLN_RANGES[test][0]
    assert grade_lab(test, value, unit, lln=lowest).grade == 3
    assert grade_labs(test, [value], unit, lln=lowest).tolist() == [3]


def test_the_printed_ranges_are_accepted_in_every_unit() -> None:
    # Haemoglobin: 10 to 15 g/dL = 100 to 150 g/L = 6.206 to 9.309 mmol/L (/1.6114),
    # printed rounded inwards to 6.21 and 9.3.
    lab = LAB_TESTS["hemoglobin"]
    assert lab.lln_allowed_text() == "10 to 15 g/dL (= 100 to 150 g/L, 6.21 to 9.3 mmol/L)"
    for lln, unit in [(100, "g/L"), (150, "g/L"), (6.21, "mmol/L"), (9.3, "mmol/L")]:
        assert grade_lab("hemoglobin", 7.0, "g/dL", lln=lln, lln_unit=unit).grade == 3
    for lln, unit in [(99.9, "g/L"), (150.1, "g/L"), (6.2, "mmol/L"), (9.31, "mmol/L")]:
        with pytest.raises(InputError, match="lln: is not a plausible"):
            grade_lab("hemoglobin", 7.0, "g/dL", lln=lln, lln_unit=unit)
    assert LAB_TESTS["platelets"].lln_allowed_text() == (
        "100 to 200 10^9/L (= 100000 to 200000 /mm3)"
    )


# --- a unit mistake is always refused ---------------------------------------------------

# Usual LLNs in the canonical unit (the published values above).
USUAL_LLN = {
    "neutrophils": 2.0,
    "wbc": 3.5,
    "platelets": 150.0,
    "hemoglobin": 12.0,
    "lymphocytes": 1.0,
}


def _accepted(test: str, lln: float, lln_unit: str | None) -> bool:
    value, _ = LOW_VALUE[test]
    unit = "g/dL" if test == "hemoglobin" else "10^9/L"
    problems: list[str] = []
    try:
        grade_lab(test, value, unit, lln=lln, lln_unit=lln_unit)
    except InputError as exc:
        problems = [str(p) for p in exc.problems]
    assert all(p.startswith("lln:") for p in problems), problems
    return not problems


@pytest.mark.parametrize(
    ("test", "unit"),
    [
        (test, unit)
        for test, lab in LAB_TESTS.items()
        for unit in allowed_units(lab.quantity)
        if unit not in ("10^9/L", "x10^9/L", "10*9/L", "x10*9/L", "10e9/L", "x10e9/L", "G/L")
        and unit != "g/dL"
    ],
)
def test_a_usual_lln_in_the_wrong_unit_is_refused(test: str, unit: str) -> None:
    # A canonical LLN labelled with another unit (x1000, x10 or x1.6114 off) is refused.
    assert _accepted(test, USUAL_LLN[test], None)
    assert not _accepted(test, USUAL_LLN[test], unit)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(test=st.sampled_from(sorted(LAB_TESTS)), share=st.floats(0, 1), data=st.data())
def test_a_number_accepted_in_one_unit_is_refused_in_every_other(
    test: str, share: float, data: st.DataObject
) -> None:
    # The ranges are disjoint across units (docs/instruments/ctcae.md), so no LLN can be
    # silently misread whatever unit it is labelled with. The number is an accepted LLN
    # in the first unit (a point of the range, converted with the published factor).
    quantity = LAB_TESTS[test].quantity
    spellings = allowed_units(quantity)
    first = data.draw(st.sampled_from(spellings))
    low, high = LLN_RANGES[test]
    canonical = low * 1.0001 + share * (high * 0.9999 - low * 1.0001)
    number = canonical / _factor(quantity, first)
    assert _accepted(test, number, first), (number, first)
    for other in spellings:
        if _factor(quantity, other) != _factor(quantity, first):
            assert not _accepted(test, number, other), (number, first, other)


def _factor(quantity: str, unit: str) -> float:
    """The published factor of ``unit`` to the canonical unit (independent of the code)."""
    if quantity == "haemoglobin":
        return {"g/dL": 1.0, "g/L": 0.1, "mmol/L": 1.6114}[unit]
    return 0.001 if ("mm3" in unit or "uL" in unit) else 1.0


# --- every accepted unit gives the same grade -------------------------------------------

# (test, value, LLN, grade) in the canonical unit, away from band edges so that the
# mmol/L scale (graded on its own published thresholds) agrees; CTCAE v5.0 rows.
SAME_GRADE = [
    ("neutrophils", 0.9, 1.8, 3),  # <1.0–0.5
    ("neutrophils", 1.7, 1.8, 1),  # <LLN–1.5
    ("neutrophils", 2.2, 1.8, 0),  # >= LLN
    ("wbc", 2.5, 4.0, 2),  # <3.0–2.0
    ("wbc", 3.6, 4.0, 1),  # <LLN–3.0
    ("platelets", 60.0, 150.0, 2),  # <75.0–50.0
    ("platelets", 140.0, 150.0, 1),  # <LLN–75.0
    ("lymphocytes", 0.6, 1.2, 2),  # <800–500/mm3
    ("lymphocytes", 1.1, 1.2, 1),  # <LLN–800/mm3
    # Anemia: 9.0 g/dL = 90 g/L = 5.585 mmol/L, in <10.0–8.0 g/dL and <6.2–4.9 mmol/L;
    # 11.0 g/dL = 6.826 mmol/L, below the LLN 12.0 g/dL = 7.447 mmol/L and above 6.2.
    ("hemoglobin", 9.0, 12.0, 2),
    ("hemoglobin", 11.0, 12.0, 1),
    ("hemoglobin", 12.5, 12.0, 0),
]

EXTRA_SPELLINGS = {"cell_count": ["× 10⁹/L", "/µL", "cells/µL", "/mm³"], "haemoglobin": []}


@pytest.mark.parametrize(("test", "value", "lln", "grade"), SAME_GRADE)
def test_every_unit_pair_gives_the_same_grade(
    test: str, value: float, lln: float, grade: int
) -> None:
    quantity = LAB_TESTS[test].quantity
    spellings = [*allowed_units(quantity), *EXTRA_SPELLINGS[quantity]]
    for unit in spellings:
        x = value / _factor(quantity, _plain(unit))
        for lln_unit in spellings:
            y = lln / _factor(quantity, _plain(lln_unit))
            single = grade_lab(test, x, unit, lln=y, lln_unit=lln_unit)
            assert single.grade == grade, (unit, lln_unit)
            assert single.canonical_lln == pytest.approx(lln)
            array = grade_labs(test, [x], unit, lln=[y], lln_unit=lln_unit)
            assert array.tolist() == [grade], (unit, lln_unit)


def _plain(unit: str) -> str:
    return unit.replace("µ", "u").replace("³", "3")


# --- the vectorised path refuses exactly what the single path refuses -------------------


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=300, deadline=None)
@given(
    test=st.sampled_from(sorted(LAB_TESTS)),
    llns=st.lists(
        st.one_of(st.floats(min_value=0, max_value=3e5), st.just(math.nan)),
        min_size=1,
        max_size=6,
    ),
    data=st.data(),
)
def test_array_and_single_paths_refuse_the_same_llns(
    test: str, llns: list[float], data: st.DataObject
) -> None:
    quantity = LAB_TESTS[test].quantity
    lln_unit = data.draw(st.one_of(st.none(), st.sampled_from(allowed_units(quantity))))
    unit = "g/dL" if test == "hemoglobin" else "10^9/L"
    value, grade = LOW_VALUE[test]
    expected: list[tuple[int, str]] = []
    for row, lln in enumerate(llns, start=1):
        try:
            got = grade_lab(
                test,
                value,
                unit,
                lln=None if math.isnan(lln) else lln,
                lln_unit=None if math.isnan(lln) else lln_unit,
            )
        except InputError as exc:
            expected += [(row, p.message) for p in exc.problems]
        else:
            assert got.grade == grade
    got_problems: list[tuple[int | None, str]] = []
    grades = None
    try:
        grades = grade_labs(test, [value] * len(llns), unit, lln=llns, lln_unit=lln_unit)
    except InputError as exc:
        got_problems = [(p.row, p.message) for p in exc.problems]
    assert got_problems == expected
    if grades is not None:
        assert set(np.unique(grades)) == {grade}
