"""CTCAE v5.0 lab grading: every band edge on both sides, in every accepted unit family.

Expected grades are read off the NCI CTCAE v5.0 spreadsheet (Clean Copy sheet) as tabled in
docs/instruments/ctcae.md ("Lab tests"); each case names the row. Intervals are half-open
(same section): "<1.5–1.0 ×10⁹/L" means 1.0 ≤ x < 1.5.
"""

from __future__ import annotations

import json

import pytest

from clears import InputError
from clears.instruments import ctcae
from clears.instruments.ctcae import grade_lab, score_mapping

# (test, value in 10^9/L, LLN in 10^9/L, expected grade)
COUNT_EDGES = [
    # CTCAE v5.0, Neutrophil count decreased row: G1 <LLN–1.5, G2 <1.5–1.0, G3 <1.0–0.5,
    # G4 <0.5 (x10^9/L); worked edges with LLN 2.0.
    ("neutrophils", 2.0, 2.0, 0),
    ("neutrophils", 1.999, 2.0, 1),
    ("neutrophils", 1.5, 2.0, 1),
    ("neutrophils", 1.499, 2.0, 2),
    ("neutrophils", 1.0, 2.0, 2),
    ("neutrophils", 0.999, 2.0, 3),
    ("neutrophils", 0.5, 2.0, 3),
    ("neutrophils", 0.499, 2.0, 4),
    ("neutrophils", 0.0, 2.0, 4),
    # CTCAE v5.0, White blood cell decreased row: G1 <LLN–3.0, G2 <3.0–2.0, G3 <2.0–1.0,
    # G4 <1.0 (x10^9/L).
    ("wbc", 4.0, 4.0, 0),
    ("wbc", 3.999, 4.0, 1),
    ("wbc", 3.0, 4.0, 1),
    ("wbc", 2.999, 4.0, 2),
    ("wbc", 2.0, 4.0, 2),
    ("wbc", 1.999, 4.0, 3),
    ("wbc", 1.0, 4.0, 3),
    ("wbc", 0.999, 4.0, 4),
    # CTCAE v5.0, Platelet count decreased row: G1 <LLN–75.0, G2 <75.0–50.0,
    # G3 <50.0–25.0, G4 <25.0 (x10^9/L).
    ("platelets", 150.0, 150.0, 0),
    ("platelets", 149.999, 150.0, 1),
    ("platelets", 75.0, 150.0, 1),
    ("platelets", 74.999, 150.0, 2),
    ("platelets", 50.0, 150.0, 2),
    ("platelets", 49.999, 150.0, 3),
    ("platelets", 25.0, 150.0, 3),
    ("platelets", 24.999, 150.0, 4),
    # CTCAE v5.0, Lymphocyte count decreased row: G1 <LLN–800/mm3, G2 <800–500,
    # G3 <500–200, G4 <200/mm3 (/1000 for x10^9/L).
    ("lymphocytes", 1.0, 1.0, 0),
    ("lymphocytes", 0.999, 1.0, 1),
    ("lymphocytes", 0.8, 1.0, 1),
    ("lymphocytes", 0.799, 1.0, 2),
    ("lymphocytes", 0.5, 1.0, 2),
    ("lymphocytes", 0.499, 1.0, 3),
    ("lymphocytes", 0.2, 1.0, 3),
    ("lymphocytes", 0.199, 1.0, 4),
]


@pytest.mark.parametrize(("test", "value", "lln", "grade"), COUNT_EDGES)
@pytest.mark.parametrize("unit", ["10^9/L", "G/L", "x10^9/L", "10*9/L"])
def test_count_edges_in_giga_per_litre(
    test: str, value: float, lln: float, grade: int, unit: str
) -> None:
    result = grade_lab(test, value, unit, lln=lln)
    assert result.grade == grade
    assert result.version == "CTCAE v5.0"


@pytest.mark.parametrize(("test", "value", "lln", "grade"), COUNT_EDGES)
@pytest.mark.parametrize("unit", ["/mm3", "/µL", "/uL", "cells/mm3"])
def test_count_edges_per_cubic_millimetre(
    test: str, value: float, lln: float, grade: int, unit: str
) -> None:
    # Same edges in /mm3: 1 x10^9/L = 1000/mm3 (CTCAE v5.0 paired cells), LLN in /mm3 too.
    result = grade_lab(test, round(value * 1000, 6), unit, lln=round(lln * 1000, 6), lln_unit=unit)
    assert result.grade == grade
    assert result.canonical_unit == "10^9/L"


# (value, LLN, grade) in each haemoglobin unit.  CTCAE v5.0, Anemia row: G1 Hgb <LLN–10.0
# g/dL; <LLN–6.2 mmol/L; <LLN–100 g/L. G2 <10.0–8.0 g/dL; <6.2–4.9 mmol/L; <100–80 g/L.
# G3 <8.0 g/dL; <4.9 mmol/L; <80 g/L.
HB_EDGES: dict[str, list[tuple[float, float, int]]] = {
    "g/dL": [
        (12.0, 12.0, 0),
        (11.999, 12.0, 1),
        (10.0, 12.0, 1),
        (9.999, 12.0, 2),
        (8.0, 12.0, 2),
        (7.999, 12.0, 3),
        (4.0, 12.0, 3),
    ],
    "g/L": [
        (120, 120, 0),
        (119.99, 120, 1),
        (100, 120, 1),
        (99.99, 120, 2),
        (80, 120, 2),
        (79.99, 120, 3),
    ],
    "mmol/L": [
        (7.5, 7.5, 0),
        (7.499, 7.5, 1),
        (6.2, 7.5, 1),
        (6.199, 7.5, 2),
        (4.9, 7.5, 2),
        (4.899, 7.5, 3),
    ],
}


@pytest.mark.parametrize(
    ("unit", "value", "lln", "grade"),
    [(unit, *case) for unit, cases in HB_EDGES.items() for case in cases],
)
def test_haemoglobin_edges_in_each_published_unit(
    unit: str, value: float, lln: float, grade: int
) -> None:
    result = grade_lab("hemoglobin", value, unit, lln=lln, lln_unit=unit)
    assert result.grade == grade
    assert result.term == "Anemia"


def test_haemoglobin_mmol_is_graded_on_the_published_mmol_thresholds() -> None:
    # CTCAE v5.0, Anemia row: 4.9 mmol/L is the G2/G3 edge. Converted with the haem
    # factor (4.9 x 1.6114 = 7.896 g/dL) it would fall below 8.0 g/dL and read grade 3.
    result = grade_lab("hemoglobin", 4.9, "mmol/L", lln=7.5, lln_unit="mmol/L")
    assert result.grade == 2
    assert result.scale_unit == "mmol/L"
    assert result.interval == (4.9, 6.2)
    assert result.canonical_value == pytest.approx(7.89586)
    assert result.canonical_unit == "g/dL"


def test_haemoglobin_mmol_with_lln_in_g_per_dl() -> None:
    # LLN 12.0 g/dL = 12.0 / 1.6114 = 7.447 mmol/L; 7.4 mmol/L is below it, and above
    # 6.2 mmol/L: grade 1 (CTCAE v5.0, Anemia row).
    assert grade_lab("hemoglobin", 7.4, "mmol/L", lln=12.0, lln_unit="g/dL").grade == 1
    assert grade_lab("hemoglobin", 7.5, "mmol/L", lln=12.0, lln_unit="g/dL").grade == 0


def test_g_per_l_is_graded_on_g_per_dl_bands_exactly() -> None:
    # CTCAE v5.0, Anemia row pairs 100 g/L with 10.0 g/dL and 80 g/L with 8.0 g/dL.
    result = grade_lab("hemoglobin", 80, "g/L", lln=120, lln_unit="g/L")
    assert (result.grade, result.canonical_value, result.scale_unit) == (2, 8.0, "g/dL")


def test_lln_rule_value_equal_to_lln_is_grade_0() -> None:
    # docs/instruments/ctcae.md, rule 1: grade 1 needs x < LLN; x = LLN is no AE.
    result = grade_lab("neutrophils", 1.8, "10^9/L", lln=1.8)
    assert (result.grade, result.rule) == (0, "at_or_above_lln")
    assert result.flags == ()
    assert result.interval == (1.8, None)
    below = grade_lab("neutrophils", 1.79, "10^9/L", lln=1.8)
    assert (below.grade, below.rule, below.interval) == (1, "numeric_band", (1.5, 1.8))


def test_overlap_lln_below_grade1_bound_gives_grade_0_and_says_so() -> None:
    # Documented decision (docs/instruments/ctcae.md): LLN 1.4, ANC 1.45 is >= LLN, so no
    # AE, although 1.45 lies in the grade-2 band <1.5–1.0 (CTCAE v5.0, Neutrophil row).
    result = grade_lab("neutrophils", 1.45, "10^9/L", lln=1.4)
    assert result.grade == 0
    assert result.rule == "at_or_above_lln"
    assert result.flags == ("lln_below_grade1_bound", "lln_overlap")
    assert "lln_overlap" in result.to_dict()["flags"]
    # Just below that LLN, the numeric band decides: 1.39 is in <1.5–1.0, grade 2.
    below = grade_lab("neutrophils", 1.39, "10^9/L", lln=1.4)
    assert (below.grade, below.rule) == (2, "numeric_band")
    assert below.flags == ("lln_below_grade1_bound",)


def test_without_lln_values_below_the_grade1_bound_are_graded_and_flagged() -> None:
    # 1.499 is in <1.5–1.0 (CTCAE v5.0, Neutrophil row): grade 2 whatever LLN >= 1.5.
    result = grade_lab("neutrophils", 1.499, "10^9/L")
    assert (result.grade, result.rule, result.flags) == (
        2,
        "numeric_band_no_lln",
        ("lln_not_given",),
    )
    assert result.lln is None
    assert result.to_dict()["lln"] is None


def test_without_lln_values_at_or_above_the_grade1_bound_are_refused() -> None:
    with pytest.raises(InputError) as err:
        grade_lab("neutrophils", 1.5, "10^9/L")
    (problem,) = err.value.problems
    assert problem.field == "lln"
    assert "is required to grade neutrophils ≥ 1.5 10^9/L" in problem.message


def test_transfusion_indicated_meets_anaemia_grade_3() -> None:
    # CTCAE v5.0, Anemia row, G3: "...; transfusion indicated".
    result = grade_lab("hemoglobin", 9.0, "g/dL", lln=12.0, transfusion_indicated=True)
    assert (result.grade, result.rule) == (3, "transfusion_indicated")
    assert result.interval is None
    # Without the flag the same value is G2 (<10.0–8.0 g/dL).
    assert grade_lab("hemoglobin", 9.0, "g/dL", lln=12.0).grade == 2
    # Already grade 3 by number: the numeric rule stays in charge.
    numeric = grade_lab("hemoglobin", 7.0, "g/dL", lln=12.0, transfusion_indicated=True)
    assert (numeric.grade, numeric.rule) == (3, "numeric_band")


def test_transfusion_needs_no_lln() -> None:
    result = grade_lab("hemoglobin", 11.0, "g/dL", transfusion_indicated=True)
    assert (result.grade, result.rule) == (3, "transfusion_indicated")


def test_anaemia_is_never_graded_4_from_a_number() -> None:
    # CTCAE v5.0, Anemia row: G4 and G5 are clinical descriptions, not numeric bands.
    assert grade_lab("hemoglobin", 1.0, "g/dL", lln=12.0).grade == 3


def test_transfusion_flag_on_other_tests_is_refused() -> None:
    with pytest.raises(InputError, match="applies only to haemoglobin, not platelets"):
        grade_lab("platelets", 40, "10^9/L", lln=150, transfusion_indicated=True)


@pytest.mark.parametrize(
    ("test", "value", "unit", "hint"),
    [
        ("neutrophils", 1500, "10^9/L", "did you mean /mm3?"),
        ("platelets", 150_000, "G/L", "did you mean /mm3?"),
        ("hemoglobin", 120, "g/dL", "did you mean g/L?"),
        ("hemoglobin", 0.5, "g/dL", ""),
        ("wbc", 501, "10^9/L", "did you mean /mm3?"),
    ],
)
def test_implausible_values_are_refused_with_a_unit_hint(
    test: str, value: float, unit: str, hint: str
) -> None:
    with pytest.raises(InputError) as err:
        grade_lab(test, value, unit)
    problem = next(p for p in err.value.problems if p.field == "value")
    assert "is not a plausible" in problem.message
    assert hint in problem.message
    assert problem.allowed is not None


def test_plausibility_edges() -> None:
    # Project limits (docs/instruments/ctcae.md): ANC up to 100 x10^9/L, Hb 1 to 25 g/dL.
    assert grade_lab("neutrophils", 100, "10^9/L", lln=2.0).grade == 0
    with pytest.raises(InputError):
        grade_lab("neutrophils", 100.001, "10^9/L", lln=2.0)
    assert grade_lab("hemoglobin", 25, "g/dL", lln=12).grade == 0
    with pytest.raises(InputError):
        grade_lab("hemoglobin", 25.01, "g/dL", lln=12)
    assert grade_lab("hemoglobin", 1.0, "g/dL", lln=12).grade == 3
    with pytest.raises(InputError):
        grade_lab("hemoglobin", 0.99, "g/dL", lln=12)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(InputError) as err:
        grade_lab(
            "neutrophils",
            -1.0,
            "10^9/L",
            lln=2.0,
            lln_unit="mg/dL",
            transfusion_indicated=True,
        )
    fields = [p.field for p in err.value.problems]
    assert fields == ["value", "lln_unit", "transfusion_indicated"]


def test_unknown_unit_names_the_units_of_that_test() -> None:
    with pytest.raises(InputError) as err:
        grade_lab("hemoglobin", 9.0, "mg/dL", lln=12)
    (problem,) = err.value.problems
    assert (problem.field, problem.value, problem.allowed) == ("unit", "mg/dL", "g/dL, g/L, mmol/L")
    with pytest.raises(InputError) as err:
        grade_lab("platelets", 90, "g/L", lln=150)
    assert "/mm3" in str(err.value)


def test_unknown_test_lists_the_tests() -> None:
    with pytest.raises(InputError) as err:
        grade_lab("anc", 1.0, "10^9/L")
    assert err.value.problems[0].allowed == "neutrophils, wbc, platelets, hemoglobin, lymphocytes"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lln": 0.0}, "lln: is not a plausible lower limit of normal for neutrophils"),
        ({"lln": -1.0}, "lln: must not be negative"),
        ({"lln": 2.0, "lln_unit": "mmol/L"}, "lln_unit: not a blood cell count unit"),
        ({"lln_unit": "/mm3"}, "lln_unit: is given without lln"),
        ({"lln": 2000.0}, "lln: is not a plausible lower limit of normal for neutrophils"),
        ({"lln": 2.0, "transfusion_indicated": "yes"}, "transfusion_indicated: expects true"),
    ],
)
def test_bad_lln_and_flags(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        grade_lab("neutrophils", 0.9, "10^9/L", **kwargs)  # type: ignore[arg-type]


def test_result_carries_version_term_soc_and_reference_everywhere() -> None:
    result = grade_lab("platelets", 60_000, "/mm3", lln=150, lln_unit="10^9/L")
    out = result.to_dict()
    json.dumps(out)  # JSON-ready
    # CTCAE v5.0, Platelet count decreased row: 60.0 in <75.0–50.0 -> G2.
    assert out["version"] == ctcae.VERSION == "CTCAE v5.0"
    assert (out["grade"], out["term"], out["soc"]) == (
        2,
        "Platelet count decreased",
        "Investigations",
    )
    assert (out["value"], out["unit"]) == (60_000, "/mm3")
    assert (out["canonical_value"], out["canonical_unit"]) == (60.0, "10^9/L")
    assert out["interval"] == [50.0, 75.0]
    assert out["description"] == "<75,000–50,000/mm³; <75.0–50.0×10⁹/L"
    assert out["reference"]["url"].startswith("https://ctep.cancer.gov")
    text = result.to_text()
    assert text.startswith("CTCAE v5.0: Platelet count decreased (Investigations)")
    assert "Grade 2: <75,000–50,000/mm³" in text
    assert "Band: 50.0 ≤ x < 75.0 10^9/L" in text
    assert "LLN: 150 10^9/L" in text


def test_grade_0_output_says_no_adverse_event() -> None:
    result = grade_lab("wbc", 5.0, "10^9/L", lln=4.0)
    assert result.description.startswith("No adverse event")
    assert "CTCAE v5.0" in result.to_text()


def test_lowest_band_has_no_lower_bound_in_the_output() -> None:
    # CTCAE v5.0, Neutrophil row: G4 "<0.5 x10^9/L".
    result = grade_lab("neutrophils", 0.2, "10^9/L", lln=2.0)
    assert result.interval == (None, 0.5)
    assert result.interval_text == "x < 0.5 10^9/L"


def test_inputs_are_echoed_as_given() -> None:
    result = grade_lab("neutrophils", 900, "cells/mm3", lln=1800, lln_unit="cells/uL")
    assert (result.value, result.unit, result.lln, result.lln_unit) == (
        900,
        "cells/mm3",
        1800,
        "cells/uL",
    )
    # Without lln_unit the LLN is in the canonical unit, and the output says so.
    bare = grade_lab("neutrophils", 900, "cells/mm3", lln=1.8)
    assert (bare.lln, bare.lln_unit, bare.canonical_lln) == (1.8, "10^9/L", 1.8)


# --- score_mapping (the payload read by `clears score ctcae`) ---------------------------


def test_score_mapping_worked_example() -> None:
    # 0.9 x10^9/L in <1.0–0.5 (CTCAE v5.0, Neutrophil count decreased row): grade 3.
    result = score_mapping({"test": "neutrophils", "value": 0.9, "unit": "10^9/L", "lln": 2.0})
    assert (result.grade, result.term, result.version) == (
        3,
        "Neutrophil count decreased",
        "CTCAE v5.0",
    )


def test_score_mapping_passes_every_option() -> None:
    payload = {
        "test": "hemoglobin",
        "value": 95,
        "unit": "g/L",
        "lln": 7.5,
        "lln_unit": "mmol/L",
        "transfusion_indicated": True,
    }
    assert score_mapping(payload).grade == 3  # CTCAE v5.0, Anemia row, G3 transfusion
    payload["transfusion_indicated"] = False
    assert score_mapping(payload).grade == 2  # 9.5 g/dL in <10.0–8.0 g/dL


def test_score_mapping_refuses_unknown_keys_with_the_allowed_ones() -> None:
    with pytest.raises(InputError) as err:
        score_mapping({"test": "neutrophils", "value": 0.9, "unit": "10^9/L", "LLN": 2.0})
    (problem,) = err.value.problems
    assert problem.field == "LLN"
    assert problem.allowed == "test, value, unit, lln, lln_unit, transfusion_indicated"


def test_score_mapping_lists_missing_and_mistyped_fields() -> None:
    with pytest.raises(InputError) as err:
        score_mapping({"test": 3, "extra": 1})
    got = [(p.field, p.message) for p in err.value.problems]
    assert got == [
        ("extra", "unknown field"),
        ("value", "is missing"),
        ("unit", "is missing"),
        ("test", "expects a string"),
    ]


def test_score_mapping_merges_key_and_value_problems() -> None:
    with pytest.raises(InputError) as err:
        score_mapping({"test": "wbc", "value": -2, "unit": "10^9/L", "bogus": 1})
    assert [p.field for p in err.value.problems] == ["bogus", "value"]


def test_score_mapping_refuses_a_non_object() -> None:
    with pytest.raises(InputError, match="expects a JSON object"):
        score_mapping([1, 2])  # type: ignore[arg-type]
