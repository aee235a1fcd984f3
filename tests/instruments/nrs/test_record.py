"""Single-record itch/pain NRS: itch band edges on both sides (Reich 2012), rejections."""

from __future__ import annotations

import pytest
from tests.instruments.nrs.test_definition import ITCH_BAND

from clears import InputError
from clears.instruments import nrs
from clears.instruments.nrs import NrsInput


@pytest.mark.parametrize(("itch", "band"), sorted(ITCH_BAND.items()))
def test_itch_band_edges(itch: int, band: str) -> None:
    assert nrs.score(NrsInput(itch=itch, pain=0)).itch_band == band


@pytest.mark.parametrize("pain", [0, 10])
def test_pain_is_reported_without_a_band(pain: int) -> None:
    result = nrs.score(NrsInput(itch=0, pain=pain))
    assert result.pain == pain
    assert "pain_band" not in result.to_dict()


@pytest.mark.parametrize(("key", "value"), [("itch", 11), ("pain", -1), ("itch", 2.5)])
def test_out_of_range_is_refused_naming_field_and_allowed(key: str, value: object) -> None:
    with pytest.raises(InputError) as exc:
        nrs.score_mapping({"itch": 0, "pain": 0, key: value})
    text = str(exc.value)
    assert text.startswith(f"{key}: ")
    assert f"allowed: 0 (no {key}), 1 (1)" in text


def test_each_scale_may_be_missing_with_partial() -> None:
    with pytest.raises(InputError, match="pain: is missing"):
        nrs.score(NrsInput(itch=3))
    result = nrs.score(NrsInput(itch=3), partial=True)
    assert (result.itch, result.itch_band, result.pain, result.missing) == (
        3,
        "moderate",
        None,
        ("pain",),
    )
    assert nrs.score(NrsInput(pain=3), partial=True).itch_band is None


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(InputError, match="burning: unknown field; allowed: itch, pain"):
        nrs.score_mapping({"itch": 1, "pain": 1, "burning": 1})


def test_result_renders() -> None:
    result = nrs.score(NrsInput(itch=9, pain=4))
    assert result.to_dict()["itch_band"] == "very severe"
    assert result.to_dict()["itch_reference"]["doi"] == "10.2340/00015555-1265"
    assert "Pain: 4 / 10" in result.to_text()
