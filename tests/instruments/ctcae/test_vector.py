"""Vectorised CTCAE v5.0 grading: equal to the single-value path, codes, and rejections."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears import InputError
from clears.instruments.ctcae import (
    LAB_TESTS,
    MISSING,
    NEEDS_LLN,
    grade_lab,
    grade_labs,
)
from clears.units import allowed_units, from_canonical, resolve_unit


def test_worked_column() -> None:
    # CTCAE v5.0, Neutrophil count decreased row, LLN 2.0: 2.1 >= LLN -> 0; 1.7 in
    # <LLN–1.5 -> 1; 1.2 in <1.5–1.0 -> 2; NaN -> missing; 0.7 in <1.0–0.5 -> 3; 0.3 < 0.5 -> 4.
    got = grade_labs("neutrophils", [2.1, 1.7, 1.2, np.nan, 0.7, 0.3], "10^9/L", lln=2.0)
    np.testing.assert_array_equal(got, [0, 1, 2, MISSING, 3, 4])
    assert got.dtype == np.int8


def test_per_row_lln_and_missing_lln() -> None:
    # Row 1: LLN 1.4, ANC 1.45 -> 0 (overlap rule); row 2: no LLN, 1.6 >= 1.5 -> needs LLN;
    # row 3: no LLN, 1.2 in <1.5–1.0 -> 2 (CTCAE v5.0, Neutrophil row).
    got = grade_labs(
        "neutrophils", [1450, 1600, 1200], "/mm3", lln=[1400, np.nan, np.nan], lln_unit="/mm3"
    )
    np.testing.assert_array_equal(got, [0, NEEDS_LLN, 2])


def test_transfusion_per_row() -> None:
    # CTCAE v5.0, Anemia row: 9.0 g/dL is G2, raised to G3 by transfusion; 11.0 with no
    # LLN needs the LLN unless transfusion is indicated.
    got = grade_labs(
        "hemoglobin",
        [9.0, 9.0, 11.0, 11.0],
        "g/dL",
        transfusion_indicated=[False, True, False, True],
    )
    np.testing.assert_array_equal(got, [2, 3, NEEDS_LLN, 3])


def test_mmol_column_uses_the_mmol_thresholds() -> None:
    # CTCAE v5.0, Anemia row: 4.9 mmol/L is G2, 4.899 is G3, 6.2 G1 with LLN 7.5.
    got = grade_labs("hemoglobin", [4.9, 4.899, 6.2], "mmol/L", lln=7.5, lln_unit="mmol/L")
    np.testing.assert_array_equal(got, [2, 3, 1])


def test_inputs_are_not_modified() -> None:
    values = np.array([1.0, np.nan, 3.0])
    lln = np.array([3.0, 3.0, np.nan])
    grade_labs("wbc", values, "10^9/L", lln=lln)
    np.testing.assert_array_equal(values, [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(lln, [3.0, 3.0, np.nan])


def test_rejections_name_rows() -> None:
    with pytest.raises(InputError) as err:
        grade_labs("neutrophils", [1.0, 1500.0, -1.0], "10^9/L", lln=2.0)
    # -1 is refused by the unit conversion (negative) before plausibility is checked.
    assert [(p.field, p.row) for p in err.value.problems] == [("value", 3)]
    with pytest.raises(InputError) as err:
        grade_labs("neutrophils", [1.0, 1500.0], "10^9/L", lln=[2.0, 0.0])
    assert [(p.field, p.row) for p in err.value.problems] == [("value", 2), ("lln", 2)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test": "anc"}, "test: unknown lab test"),
        ({"unit": "mg/dL"}, "unit: not a blood cell count unit"),
        ({"lln_unit": "g/L"}, "lln_unit: not a blood cell count unit"),
        ({"transfusion_indicated": True}, "applies only to haemoglobin"),
    ],
)
def test_array_rejections(kwargs: dict[str, object], message: str) -> None:
    call: dict[str, object] = {
        "test": "platelets",
        "values": [100.0],
        "unit": "10^9/L",
        "lln": 150.0,
    }
    call.update(kwargs)
    with pytest.raises(InputError, match=message):
        grade_labs(**call)  # type: ignore[arg-type]


def _single(test: str, value: float, unit: str, lln: float | None, lln_unit: str, tf: bool) -> int:
    """The single-value grade, or NEEDS_LLN where grade_lab refuses for want of an LLN."""
    try:
        return grade_lab(
            test,
            value,
            unit,
            lln=lln,
            lln_unit=None if lln is None else lln_unit,
            transfusion_indicated=tf,
        ).grade
    except InputError as exc:
        problems = exc.problems
    if [(p.field, p.value) for p in problems] == [("lln", None)]:
        return NEEDS_LLN
    raise InputError(problems)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[str, str, str, list[float], list[float | None], list[bool]]:
    test = draw(st.sampled_from(sorted(LAB_TESTS)))
    lab = LAB_TESTS[test]
    unit = draw(st.sampled_from(allowed_units(lab.quantity)))
    lln_unit = draw(st.sampled_from(allowed_units(lab.quantity)))
    low, high = lab.plausible
    # Values sit on the band edges of the scale the unit is graded on (exactly, for the
    # mmol/L haemoglobin scale), or anywhere in the plausible range away from its ends.
    native = resolve_unit(lab.quantity, unit).symbol
    scale = lab.scale_for(native)
    if scale.unit == native:
        edges = [b.lower for b in scale.bands if b.lower > 0]
    else:
        edges = [from_canonical(lab.quantity, b.lower, unit) for b in scale.bands if b.lower > 0]
    top = from_canonical(lab.quantity, min(high * 0.999, 4 * lab.scales[0].grade1_lower), unit)
    bottom = from_canonical(lab.quantity, low * 1.001, unit)
    in_unit = st.one_of(st.floats(min_value=bottom, max_value=top), st.sampled_from(edges))
    canonical = in_unit.map(lambda v: resolve_unit(lab.quantity, unit).to_canonical(v))
    n = draw(st.integers(min_value=1, max_value=8))
    values = [draw(in_unit) for _ in range(n)]
    # LLNs anywhere in the accepted LLN range (kept off its ends, which a round trip
    # through another unit could push outside), or equal to a value when that is accepted.
    lln_low, lln_high = lab.lln_plausible
    lln_canonical = st.one_of(
        st.floats(min_value=lln_low * 1.0001, max_value=lln_high * 0.9999),
        canonical.filter(lambda v: lln_low * 1.0001 <= v <= lln_high * 0.9999),
    )
    llns: list[float | None] = [
        draw(
            st.one_of(
                st.none(),
                lln_canonical.map(lambda v: from_canonical(lab.quantity, v, lln_unit)),
            )
        )
        for _ in range(n)
    ]
    tf = [draw(st.booleans()) if lab.transfusion_grade else False for _ in range(n)]
    return test, unit, lln_unit, values, llns, tf


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=300, deadline=None)
@given(_cases())
def test_array_equals_single_path(
    case: tuple[str, str, str, list[float], list[float | None], list[bool]],
) -> None:
    test, unit, lln_unit, values, llns, tf = case
    expected = [
        _single(test, v, unit, lln, lln_unit, t) for v, lln, t in zip(values, llns, tf, strict=True)
    ]
    lln_array = [math.nan if x is None else x for x in llns]
    got = grade_labs(test, values, unit, lln=lln_array, lln_unit=lln_unit, transfusion_indicated=tf)
    np.testing.assert_array_equal(got, expected)


# LLNs span the accepted neutrophil range, 1 to 3 x10^9/L (docs/instruments/ctcae.md).
@given(value=st.floats(min_value=0, max_value=100), lln=st.floats(min_value=1.0, max_value=3.0))
def test_grades_never_improve_as_the_count_falls(value: float, lln: float) -> None:
    grades = grade_labs("neutrophils", [value, value * 0.5, value * 0.1], "10^9/L", lln=lln)
    assert grades[0] <= grades[1] <= grades[2]


@given(value=st.floats(min_value=1.5, max_value=2.5))
def test_the_lln_changes_the_result(value: float) -> None:
    # CTCAE v5.0, Neutrophil row: x in [1.5, LLN) is G1; x >= LLN is no AE.
    grades = grade_labs("neutrophils", [value, value], "10^9/L", lln=[value + 0.5, value])
    np.testing.assert_array_equal(grades, [1, 0])


@given(value=st.floats(min_value=8.0, max_value=11.9))
def test_the_transfusion_flag_changes_the_result(value: float) -> None:
    # CTCAE v5.0, Anemia row: 8.0 <= Hb < 12 (LLN) is G1 or G2; transfusion indicated is G3.
    grades = grade_labs(
        "hemoglobin", [value, value], "g/dL", lln=12.0, transfusion_indicated=[False, True]
    )
    assert grades[0] in (1, 2)
    assert grades[1] == 3


def test_the_unit_changes_the_result() -> None:
    # 1.2 x10^9/L is in <1.5–1.0 (G2); 1.2/mm3 = 0.0012 x10^9/L is < 0.5 (G4)
    # (CTCAE v5.0, Neutrophil row).
    assert grade_labs("neutrophils", [1.2], "10^9/L", lln=2.0)[0] == 2
    assert grade_labs("neutrophils", [1.2], "/mm3", lln=2000, lln_unit="/mm3")[0] == 4
