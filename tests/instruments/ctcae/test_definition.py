"""CTCAE v5.0 data: terms, available grades, and lab bands checked against the cell text.

The source throughout is the NCI CTCAE v5.0 spreadsheet (Clean Copy sheet, 27 Nov 2017) as
set out in docs/instruments/ctcae.md ("Generic grades", "Clinician-graded terms").
"""

from __future__ import annotations

import re

import pytest

from clears import InputError
from clears.instruments import ctcae
from clears.instruments.ctcae.definition import (
    ADL,
    GRADE_MEANINGS,
    LAB_TESTS,
    TERMS,
    VERSION,
    find_term,
    validate_grade,
)
from clears.units import QUANTITIES

# docs/instruments/ctcae.md, "Clinician-graded terms": which grades exist ("–" = none).
AVAILABLE = {
    "neutrophil_count_decreased": (1, 2, 3, 4),
    "white_blood_cell_decreased": (1, 2, 3, 4),
    "platelet_count_decreased": (1, 2, 3, 4),
    "lymphocyte_count_decreased": (1, 2, 3, 4),
    "anemia": (1, 2, 3, 4, 5),
    "febrile_neutropenia": (3, 4, 5),
    "thromboembolic_event": (1, 2, 3, 4, 5),
    "arterial_thromboembolism": (3, 4, 5),
    "peripheral_sensory_neuropathy": (1, 2, 3, 4),
    "peripheral_motor_neuropathy": (1, 2, 3, 4, 5),
    "somnolence": (1, 2, 3, 4, 5),
    "fatigue": (1, 2, 3),
    "diarrhea": (1, 2, 3, 4, 5),
    "constipation": (1, 2, 3, 4, 5),
    "insomnia": (1, 2, 3),
    "rash_maculo_papular": (1, 2, 3),
    "rash_acneiform": (1, 2, 3, 4, 5),
    "pruritus": (1, 2, 3),
}

# docs/instruments/ctcae.md, "Clinician-graded terms": exact term text and SOC.
TERM_TEXT = {
    "neutrophil_count_decreased": ("Neutrophil count decreased", "Investigations"),
    "white_blood_cell_decreased": ("White blood cell decreased", "Investigations"),
    "platelet_count_decreased": ("Platelet count decreased", "Investigations"),
    "anemia": ("Anemia", "Blood and lymphatic system disorders"),
    "thromboembolic_event": ("Thromboembolic event", "Vascular disorders"),
    "peripheral_sensory_neuropathy": ("Peripheral sensory neuropathy", "Nervous system disorders"),
    "fatigue": ("Fatigue", "General disorders and administration site conditions"),
    "diarrhea": ("Diarrhea", "Gastrointestinal disorders"),
    "insomnia": ("Insomnia", "Psychiatric disorders"),
    "rash_maculo_papular": ("Rash maculo-papular", "Skin and subcutaneous tissue disorders"),
    "rash_acneiform": ("Rash acneiform", "Skin and subcutaneous tissue disorders"),
}


def test_version_is_pinned() -> None:
    assert VERSION == ctcae.VERSION == "CTCAE v5.0"
    assert "Version 5.0" in ctcae.REFERENCE.citation
    assert "27 November 2017" in ctcae.REFERENCE.citation


def test_the_requested_terms_are_all_there() -> None:
    assert set(TERMS) == set(AVAILABLE)
    for key, term in TERMS.items():
        assert term.key == key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key)


@pytest.mark.parametrize(("key", "grades"), sorted(AVAILABLE.items()))
def test_available_grades(key: str, grades: tuple[int, ...]) -> None:
    assert TERMS[key].available == grades


@pytest.mark.parametrize(("key", "text_soc"), sorted(TERM_TEXT.items()))
def test_exact_term_text_and_soc(key: str, text_soc: tuple[str, str]) -> None:
    assert (TERMS[key].term, TERMS[key].soc) == text_soc


def test_generic_grade_meanings_and_adl() -> None:
    # docs/instruments/ctcae.md, "Generic grades": G2 limits instrumental ADL, G3 self-care
    # ADL; G4 urgent intervention; G5 death.
    assert sorted(GRADE_MEANINGS) == [1, 2, 3, 4, 5]
    assert GRADE_MEANINGS[1].startswith("Mild")
    assert "instrumental ADL" in GRADE_MEANINGS[2]
    assert "self-care ADL" in GRADE_MEANINGS[3]
    assert "urgent intervention indicated" in GRADE_MEANINGS[4]
    assert GRADE_MEANINGS[5].startswith("Death")
    assert "preparing meals" in ADL["instrumental"]
    assert "bathing" in ADL["self_care"]


def test_cells_quoted_from_the_reference() -> None:
    # docs/instruments/ctcae.md, "Clinician-graded terms": the Anemia G3 and Fatigue G2 cells.
    assert TERMS["anemia"].description(3) == (
        "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated"
    )
    assert TERMS["fatigue"].description(2) == (
        "Fatigue not relieved by rest; limiting instrumental ADL"
    )
    with pytest.raises(KeyError):
        TERMS["fatigue"].description(4)
    with pytest.raises(KeyError):
        TERMS["fatigue"].description(0)


# --- the numeric bands agree with the cell text -------------------------------------------

_CELL = re.compile(r"<(LLN|[\d.,]+)(?:–([\d.,]+))?\s*(/mm³|×10⁹/L|g/dL|mmol/L|g/L)")
_PER_CANONICAL = {"/mm³": 1000.0, "×10⁹/L": 1.0, "g/dL": 1.0, "g/L": 10.0}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.parametrize("test", sorted(LAB_TESTS))
def test_bands_match_the_published_cells(test: str) -> None:
    lab = LAB_TESTS[test]
    checked = 0
    for scale in lab.scales:
        for band in scale.bands:
            cell = lab.term.description(band.grade)
            for first, second, unit in _CELL.findall(cell):
                if (unit == "mmol/L") != (scale.unit == "mmol/L"):
                    continue
                factor = 1.0 if unit == "mmol/L" else _PER_CANONICAL[unit]
                if first == "LLN":  # "<LLN–lower"
                    assert band.upper is None
                    assert band.lower * factor == _number(second)
                elif second:  # "<upper–lower"
                    assert band.upper is not None
                    assert (band.upper * factor, band.lower * factor) == (
                        _number(first),
                        _number(second),
                    )
                else:  # "<upper": the lowest band
                    assert band.upper is not None
                    assert (band.lower, band.upper * factor) == (0.0, _number(first))
                checked += 1
    # counts: 4 bands in /mm3 (+4 in x10^9/L where published); Hb: 3 bands x 3 units.
    assert checked >= 4


def test_bands_are_contiguous_and_grades_exist() -> None:
    for lab in LAB_TESTS.values():
        assert lab.scales[0].unit == QUANTITIES[lab.quantity].canonical.symbol
        for scale in lab.scales:
            assert scale.unit in {u.symbol for u in QUANTITIES[lab.quantity].units}
            bands = sorted(scale.bands, key=lambda b: b.grade)
            assert bands[0].upper is None
            for worse, better in zip(bands[1:], bands, strict=False):
                assert worse.upper == better.lower
            assert bands[-1].lower == 0.0
            assert {b.grade for b in bands} <= set(lab.term.available)


def test_only_anaemia_has_a_transfusion_grade() -> None:
    # CTCAE v5.0, Anemia row, G3: "transfusion indicated".
    assert {k for k, lab in LAB_TESTS.items() if lab.transfusion_grade} == {"hemoglobin"}
    assert LAB_TESTS["hemoglobin"].transfusion_grade == 3


# --- validate_grade and find_term ---------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "grade"),
    [(key, g) for key, grades in sorted(AVAILABLE.items()) for g in grades],
)
def test_every_available_grade_is_accepted(term: str, grade: int) -> None:
    assert validate_grade(term, grade) == grade


@pytest.mark.parametrize(
    ("term", "grade"),
    [(key, g) for key, grades in sorted(AVAILABLE.items()) for g in range(1, 6) if g not in grades],
)
def test_every_missing_grade_is_refused_naming_the_allowed(term: str, grade: int) -> None:
    with pytest.raises(InputError) as err:
        validate_grade(term, grade)
    (problem,) = err.value.problems
    assert problem.field == "grade"
    assert problem.allowed == ", ".join(str(g) for g in AVAILABLE[term])
    assert "CTCAE v5.0" in problem.message


def test_grades_a_term_lacks_are_refused() -> None:
    # docs/instruments/ctcae.md: arterial thromboembolism has no G1/G2; fatigue has no G4.
    with pytest.raises(InputError, match="allowed: 3, 4, 5"):
        validate_grade("arterial_thromboembolism", 1)
    with pytest.raises(InputError, match="allowed: 1, 2, 3"):
        validate_grade("fatigue", 4)


@pytest.mark.parametrize("grade", [0, 6, -1, 2.5, "3", True, None, float("nan")])
def test_non_grades_are_refused(grade: object) -> None:
    with pytest.raises(InputError) as err:
        validate_grade("diarrhea", grade)
    assert err.value.problems[0].field == "grade"


def test_integral_float_grade_is_accepted() -> None:
    assert validate_grade("diarrhea", 2.0) == 2


def test_find_term_by_key_or_exact_text() -> None:
    assert find_term("thromboembolic_event").term == "Thromboembolic event"
    assert find_term("Peripheral Sensory Neuropathy").key == "peripheral_sensory_neuropathy"
    assert validate_grade("Anemia", 5) == 5


@pytest.mark.parametrize("name", ["Rash", "neutropenia", 7])
def test_unknown_terms_are_refused_listing_the_keys(name: object) -> None:
    # docs/instruments/ctcae.md: there is no generic "Rash" term in CTCAE v5.0.
    with pytest.raises(InputError) as err:
        find_term(name)  # type: ignore[arg-type]
    (problem,) = err.value.problems
    assert problem.field == "term"
    assert problem.allowed is not None
    assert "rash_maculo_papular" in problem.allowed
