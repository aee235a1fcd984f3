"""Tests of clears.units: canonical units, accepted spellings and conversions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clears import InputError
from clears.units import (
    QUANTITIES,
    allowed_units,
    canonical_unit,
    from_canonical,
    normalise_unit,
    resolve_unit,
    to_canonical,
    to_canonical_array,
)


def test_canonical_units() -> None:
    # Project STYLE.md habit 4: cells x10^9/L, haemoglobin g/dL, dose mg/day.
    assert canonical_unit("cell_count") == "10^9/L"
    assert canonical_unit("haemoglobin") == "g/dL"
    assert canonical_unit("creatinine_clearance") == "mL/min"
    assert canonical_unit("dose") == "mg/day"
    assert canonical_unit("weight") == "kg"


@pytest.mark.parametrize(
    "unit",
    [
        "10^9/L",
        "x10^9/L",
        "10*9/L",
        "G/L",
        "/mm3",
        "/µL",
        "/uL",
        "cells/mm3",
        "×10⁹/L",
        "10e9 /L",
        "/μL",
        "/mm³",
        "G/l",
        "10^9/l",
    ],
)
def test_every_count_spelling_in_the_brief_is_accepted(unit: str) -> None:
    assert resolve_unit("cell_count", unit).symbol in {"10^9/L", "/mm3"}


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        # CTCAE v5.0, Neutrophil count decreased row: 1500/mm3 paired with 1.5 x10e9/L.
        ("/mm3", 1500, 1.5),
        ("cells/mm3", 1000, 1.0),
        ("/uL", 500, 0.5),
        # CTCAE v5.0, Platelet count decreased row: 75,000/mm3 paired with 75.0 x10e9/L.
        ("/µL", 75_000, 75.0),
        # CTCAE v5.0, White blood cell decreased row: 3000/mm3 paired with 3.0 x10e9/L.
        ("/mm3", 3000, 3.0),
        ("G/L", 3.0, 3.0),
        ("10^9/L", 0.25, 0.25),
    ],
)
def test_count_conversions_match_the_published_pairs(
    unit: str, value: float, expected: float
) -> None:
    # Exact equality: the published thresholds must land exactly on the canonical bounds.
    assert to_canonical("cell_count", value, unit) == expected


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        # CTCAE v5.0, Anemia row: 100 g/L paired with 10.0 g/dL; 80 g/L with 8.0 g/dL.
        ("g/L", 100, 10.0),
        ("g/L", 80, 8.0),
        ("g/dL", 9.5, 9.5),
        ("g/dl", 12.0, 12.0),
    ],
)
def test_haemoglobin_mass_conversions(unit: str, value: float, expected: float) -> None:
    assert to_canonical("haemoglobin", value, unit) == expected


def test_haemoglobin_mmol_uses_the_haem_monomer_factor() -> None:
    # 1 mmol/L of haem-monomer Hb x 16 114 g/mol = 16.114 g/L = 1.6114 g/dL, so
    # 6.2 mmol/L = 9.99068 g/dL: close to, not equal to, the CTCAE pair 10.0 g/dL
    # (CTCAE v5.0, Anemia row), which is why ctcae grades mmol/L on its own thresholds.
    assert to_canonical("haemoglobin", 6.2, "mmol/L") == pytest.approx(9.99068, abs=1e-9)
    assert to_canonical("haemoglobin", 4.9, "mmol/L") == pytest.approx(7.89586, abs=1e-9)


@pytest.mark.parametrize(
    ("quantity", "unit", "value", "expected"),
    [
        # SI: 1 min = 60 s, so 1 mL/s = 60 mL/min.
        ("creatinine_clearance", "mL/s", 1.0, 60.0),
        ("creatinine_clearance", "ml/min", 45.0, 45.0),
        # 35 mg/week / 7 days = 5 mg/day; 0.1 g/day = 100 mg/day.
        ("dose", "mg/week", 35.0, 5.0),
        ("dose", "g/day", 0.1, 100.0),
        ("dose", "mg/d", 10.0, 10.0),
        # 1959 international pound: 1 lb = 0.45359237 kg; 70 000 g = 70 kg.
        ("weight", "lb", 1.0, 0.45359237),
        ("weight", "g", 70_000.0, 70.0),
        ("weight", "kg", 70.0, 70.0),
    ],
)
def test_other_quantities(quantity: str, unit: str, value: float, expected: float) -> None:
    assert to_canonical(quantity, value, unit) == pytest.approx(expected, rel=1e-12)


def test_normalise_keeps_giga_and_gram_apart() -> None:
    assert normalise_unit("G/L") != normalise_unit("g/L")
    with pytest.raises(InputError) as err:
        resolve_unit("cell_count", "g/L")
    assert "allowed: 10^9/L, x10^9/L" in str(err.value)
    with pytest.raises(InputError):
        resolve_unit("haemoglobin", "G/L")


@pytest.mark.parametrize(
    ("quantity", "unit", "listed"),
    [
        ("cell_count", "cells/L", "/mm3"),
        ("haemoglobin", "mg/dL", "g/dL, g/L, mmol/L"),
        ("creatinine_clearance", "mL/min/1.73m2", "mL/min"),
        ("dose", "mg", "mg/day"),
        ("weight", "stone", "kg, g, lb"),
    ],
)
def test_unknown_unit_names_field_value_and_allowed(quantity: str, unit: str, listed: str) -> None:
    with pytest.raises(InputError) as err:
        to_canonical(quantity, 1.0, unit)
    (problem,) = err.value.problems
    assert problem.field == "unit"
    assert problem.value == unit
    assert problem.allowed is not None
    assert listed in problem.allowed


def test_unit_field_name_follows_the_value_field() -> None:
    with pytest.raises(InputError) as err:
        to_canonical("cell_count", 1.0, "bogus", field="lln")
    assert err.value.problems[0].field == "lln_unit"


def test_non_string_unit_is_rejected() -> None:
    with pytest.raises(InputError, match="unit: not a blood cell count unit"):
        to_canonical("cell_count", 1.0, 9)  # type: ignore[arg-type]


def test_unknown_quantity() -> None:
    with pytest.raises(InputError, match=r"quantity: unknown quantity .*allowed: cell_count"):
        to_canonical("glucose", 1.0, "mmol/L")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-0.1, "must not be negative"),
        (math.nan, "must be a finite number"),
        (math.inf, "must be a finite number"),
        (True, "expects a number"),
        ("1.5", "expects a number"),
    ],
)
def test_bad_values_are_rejected(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        to_canonical("cell_count", value, "10^9/L")  # type: ignore[arg-type]


def test_zero_is_accepted() -> None:
    assert to_canonical("cell_count", 0, "/mm3") == 0.0


def test_allowed_units_lists_canonical_first() -> None:
    for name, quantity in QUANTITIES.items():
        assert allowed_units(name)[0] == quantity.canonical.symbol


def test_array_conversion_keeps_nan_and_does_not_mutate() -> None:
    values = np.array([1500.0, np.nan, 250.0])
    before = values.copy()
    out = to_canonical_array("cell_count", values, "/mm3")
    # 1500/1000 and 250/1000 (CTCAE v5.0: 1 x10^9/L = 1000/mm3).
    np.testing.assert_array_equal(out, [1.5, np.nan, 0.25])
    np.testing.assert_array_equal(values, before)


def test_array_conversion_reports_every_bad_row() -> None:
    with pytest.raises(InputError) as err:
        to_canonical_array("haemoglobin", [10.0, -1.0, np.inf], "g/dL", field="hb")
    assert [(p.field, p.row) for p in err.value.problems] == [("hb", 2), ("hb", 3)]


def test_array_conversion_rejects_unknown_unit() -> None:
    with pytest.raises(InputError, match="hb_unit: not a haemoglobin"):
        to_canonical_array("haemoglobin", [10.0], "mg/dL", field="hb")


@given(
    quantity=st.sampled_from(sorted(QUANTITIES)),
    value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    data=st.data(),
)
def test_round_trip_and_array_agree_with_scalar(
    quantity: str, value: float, data: st.DataObject
) -> None:
    unit = data.draw(st.sampled_from(allowed_units(quantity)))
    canonical = to_canonical(quantity, value, unit)
    assert from_canonical(quantity, canonical, unit) == pytest.approx(value, rel=1e-12)
    assert to_canonical_array(quantity, [value], unit)[0] == canonical


@given(
    quantity=st.sampled_from(sorted(QUANTITIES)),
    a=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    b=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    data=st.data(),
)
def test_conversion_is_monotonic(quantity: str, a: float, b: float, data: st.DataObject) -> None:
    unit = data.draw(st.sampled_from(allowed_units(quantity)))
    if a < b:
        assert to_canonical(quantity, a, unit) <= to_canonical(quantity, b, unit)
