"""Test fixtures for the CLASI, written from the sources and NOT from clears' own definition.

Allowed codes: Albrecht 2005 (doi:10.1111/j.0022-202X.2005.23889.x) as set out in
docs/instruments/clasi.md, "Items, levels and columns" (erythema 0-3, scale 0-2,
dyspigmentation 0-1, scarring 0-2, mucous membrane 0-1, recent hair loss 0-1, alopecia 0-3,
scalp scarring {0, 3, 4, 5, 6}). Column names: the fixed contract agreed with the cohort,
database and REDCap work (clasi_<area code>_<feature code>).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from clears.instruments import clasi
from clears.instruments.clasi import definition as clasi_def

AREA_CODE = {
    "scalp": "scalp",
    "ears": "ears",
    "nose_malar": "nose",
    "rest_of_face": "face",
    "v_neck": "vneck",
    "posterior_neck_shoulders": "pneck",
    "chest": "chest",
    "abdomen": "abdo",
    "back_buttocks": "back",
    "arms": "arms",
    "hands": "hands",
    "legs": "legs",
    "feet": "feet",
}
FEATURE_CODE = {"erythema": "ery", "scale": "scale", "dyspigmentation": "dysp", "scarring": "scar"}
FEATURE_CODES = {
    "erythema": (0, 1, 2, 3),
    "scale": (0, 1, 2),
    "dyspigmentation": (0, 1),
    "scarring": (0, 1, 2),
}
PATIENT_COLUMN = {
    "mucous_membrane": "clasi_mucous",
    "recent_hair_loss": "clasi_hair_loss",
    "alopecia": "clasi_alopecia",
    "scalp_scarring": "clasi_scalp_scar",
    "dyspigmentation_lasts_12_months": "clasi_dysp_12m",
}
PATIENT_CODES = {
    "mucous_membrane": (0, 1),
    "recent_hair_loss": (0, 1),
    "alopecia": (0, 1, 2, 3),
    "scalp_scarring": (0, 3, 4, 5, 6),
    "dyspigmentation_lasts_12_months": (0, 1),
}


def area_features(area: str) -> tuple[str, ...]:
    """The scalp has no per-area scarring (Albrecht 2005; the CLASI-D maximum of 56)."""
    features = tuple(FEATURE_CODES)
    return features[:3] if area == "scalp" else features


# Every item: column -> (JSON path, allowed codes, role by the paper).
ITEMS: dict[str, tuple[str, tuple[int, ...], str]] = {}
for _area, _code in AREA_CODE.items():
    for _feature in area_features(_area):
        _role = {"erythema": "A", "scale": "A", "dyspigmentation": "P", "scarring": "D"}[_feature]
        ITEMS[f"clasi_{_code}_{FEATURE_CODE[_feature]}"] = (
            f"areas.{_area}.{_feature}",
            FEATURE_CODES[_feature],
            _role,
        )
for _key, _column in PATIENT_COLUMN.items():
    _role = {"alopecia": "A", "mucous_membrane": "A", "recent_hair_loss": "A"}.get(_key, "D")
    if _key == "dyspigmentation_lasts_12_months":
        _role = "X"
    ITEMS[_column] = (_key, PATIENT_CODES[_key], _role)


def zero_payload() -> dict[str, Any]:
    """A complete JSON record with every item at 0 and no doubling."""
    return {
        "areas": {area: dict.fromkeys(area_features(area), 0) for area in AREA_CODE},
        **dict.fromkeys(PATIENT_COLUMN, 0),
        "dyspigmentation_lasts_12_months": False,
    }


def payload_from_columns(flat: dict[str, int | None]) -> dict[str, Any]:
    """Nested JSON from flat columns (None values are left out)."""
    payload: dict[str, Any] = {"areas": {}}
    for column, value in flat.items():
        if value is None:
            continue
        path = ITEMS[column][0].split(".")
        if path[0] == "areas":
            payload["areas"].setdefault(path[1], {})[path[2]] = value
        elif path[0] == "dyspigmentation_lasts_12_months":
            payload[path[0]] = bool(value)
        else:
            payload[path[0]] = value
    return payload


def expected_totals(flat: dict[str, int | None]) -> tuple[int, int]:
    """CLASI-A and CLASI-D by Albrecht 2005's rules, computed independently of clears."""
    activity = sum(v or 0 for c, v in flat.items() if ITEMS[c][2] == "A")
    dysp = sum(v or 0 for c, v in flat.items() if ITEMS[c][2] == "P")
    other = sum(v or 0 for c, v in flat.items() if ITEMS[c][2] == "D")
    factor = 2 if flat.get("clasi_dysp_12m") == 1 else 1
    return activity, dysp * factor + other


def records(*, allow_missing: bool = False) -> st.SearchStrategy[dict[str, int | None]]:
    """Random valid flat records; with ``allow_missing``, any item may be None."""
    fields = {}
    for column, (_, codes, _) in ITEMS.items():
        base = st.sampled_from(codes)
        fields[column] = st.one_of(st.none(), base) if allow_missing else base
    return st.fixed_dictionaries(fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# The declaration itself, checked against the sources above.
# ---------------------------------------------------------------------------------------


def test_columns_are_the_fixed_contract_in_order() -> None:
    # 13 areas x 4 features - the scalp's per-area scarring + 5 once-per-patient items = 56.
    assert clasi.DEFINITION.columns == tuple(ITEMS)
    assert len(clasi.DEFINITION.columns) == 13 * 4 - 1 + 5
    assert "clasi_scalp_scar" in clasi.DEFINITION.columns  # the quadrant item, once
    assert clasi_def.TOTAL_COLUMNS == ("clasi_a", "clasi_d")


@pytest.mark.parametrize("column", list(ITEMS))
def test_each_field_has_the_sourced_path_and_codes(column: str) -> None:
    fld = clasi.DEFINITION.by_column()[column]
    path, codes, _ = ITEMS[column]
    assert fld.path == path
    assert fld.item.codes == codes
    assert len(fld.column) <= 26
    assert all(level.label for level in fld.item.levels)


def test_every_item_starts_at_zero() -> None:
    # Albrecht 2005: every item's lowest level is 0 (absent / no); the vectorised range
    # check in clasi.vector relies on it.
    assert {f.item.codes[0] for f in clasi.DEFINITION.fields} == {0}


def test_only_the_duration_item_accepts_booleans() -> None:
    boolean = [f.column for f in clasi.DEFINITION.fields if f.item.boolean]
    assert boolean == ["clasi_dysp_12m"]


def test_areas_in_form_order() -> None:
    # Albrecht 2005 / RheumGuide list of the 13 areas, in form order.
    assert tuple(AREA_CODE) == clasi.AREAS


def test_maxima_follow_from_the_data() -> None:
    # LILAC (Werth 2022, doi:10.1056/NEJMoa2118024): CLASI-A 0-70 = 13 x (3 + 2) + 1 + 1 + 3.
    # Yuki 2021 citing Albrecht 2005: CLASI-D 0-56 = 13 x 1 x 2 + 12 x 2 + 6.
    assert clasi.ACTIVITY_MAX == 70
    assert clasi.DAMAGE_MAX == 56


def test_severity_bands_are_klein_2011() -> None:
    # Klein 2011 (doi:10.1001/archdermatol.2010.435): mild 0-9, moderate 10-20, severe 21-70.
    bands = [(b.name, b.low, b.high) for b in clasi.SEVERITY_BANDS]
    assert bands == [("mild", 0, 9), ("moderate", 10, 20), ("severe", 21, 70)]


def test_references_carry_dois() -> None:
    assert clasi.REFERENCE.doi == "10.1111/j.0022-202X.2005.23889.x"
    assert clasi.SEVERITY_REFERENCE.doi == "10.1001/archdermatol.2010.435"
    assert clasi.DEFINITION.reference is clasi.REFERENCE
