"""Itch/pain NRS fixtures, from Reich 2012 (doi:10.2340/00015555-1265), NOT from clears'
definition: itch NRS 0 no pruritus, >=1 to <3 mild, >=3 to <7 moderate, >=7 to <9 severe,
>=9 very severe; on whole numbers 1-2, 3-6, 7-8, 9-10. No pain bands."""

from __future__ import annotations

from clears.instruments import nrs

ITCH_BAND = {
    0: "none",
    1: "mild",
    2: "mild",
    3: "moderate",
    6: "moderate",
    7: "severe",
    8: "severe",
    9: "very severe",
    10: "very severe",
}


def test_two_columns_each_0_to_10() -> None:
    assert nrs.DEFINITION.columns == ("itch_nrs", "pain_nrs")
    assert all(f.item.codes == tuple(range(11)) for f in nrs.DEFINITION.fields)


def test_itch_bands_are_reich_2012_on_whole_numbers() -> None:
    assert [(b.name, b.low, b.high) for b in nrs.ITCH_BANDS] == [
        ("none", 0, 0),
        ("mild", 1, 2),
        ("moderate", 3, 6),
        ("severe", 7, 8),
        ("very severe", 9, 10),
    ]
    assert nrs.ITCH_REFERENCE.doi == "10.2340/00015555-1265"
