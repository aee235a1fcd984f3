"""Single-record PtGA: the range's edges on both sides, rejections, partial."""

from __future__ import annotations

import pytest

from clears import InputError
from clears.instruments import ptga
from clears.instruments.ptga import PtgaInput


@pytest.mark.parametrize("rating", [0, 1, 9, 10])
def test_ratings_inside_the_range_are_kept(rating: int) -> None:
    assert ptga.score(PtgaInput(rating=rating)).rating == rating
    assert ptga.score_mapping({"rating": rating}).rating == rating


@pytest.mark.parametrize("value", [-1, 11, 5.5, "5", False])
def test_ratings_outside_are_refused_naming_field_and_allowed(value: object) -> None:
    with pytest.raises(InputError) as exc:
        ptga.score_mapping({"rating": value})
    text = str(exc.value)
    assert text.startswith("rating: ")
    assert "allowed: 0 (no activity), 1 (1)" in text
    assert "10 (worst activity)" in text


def test_missing_rating_needs_partial() -> None:
    with pytest.raises(InputError, match="rating: is missing"):
        ptga.score(PtgaInput())
    assert ptga.score(PtgaInput(), partial=True).rating is None


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(InputError, match="ptga: unknown field; allowed: rating"):
        ptga.score_mapping({"ptga": 3})


def test_result_renders() -> None:
    result = ptga.score(PtgaInput(rating=4))
    assert result.to_dict()["rating"] == 4
    assert "4 / 10" in result.to_text()
