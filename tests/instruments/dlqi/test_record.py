"""Single-record DLQI: Finlay's rules, Hongbo's band edges, rejections, properties.

Expected totals are summed by hand from Finlay's instructions, with the arithmetic beside.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from tests.instruments.dlqi.test_definition import CODES, PATHS, answers, expected_total

from clears import InputError
from clears.instruments import dlqi
from clears.instruments.dlqi import DlqiInput


def all_items(code: int) -> dict[str, int]:
    return dict.fromkeys(PATHS, code)


def test_all_items_very_much_is_30() -> None:
    # 10 x 3 = 30 (item 7: "yes" = 3); Hongbo band 21-30.
    result = dlqi.score_mapping(all_items(3))
    assert (result.total, result.band, result.imputed) == (30, "extremely large effect", False)


def test_all_items_not_at_all_is_0() -> None:
    result = dlqi.score(DlqiInput(**all_items(0)))
    assert (result.total, result.band) == (0, "no effect")


def test_not_relevant_scores_0() -> None:
    # q1 = q2 = 3, q3-q10 not relevant: 3 + 3 + 8 x 0 = 6.
    payload = {**all_items(9), "q1": 3, "q2": 3}
    result = dlqi.score_mapping(payload)
    assert result.total == 6
    assert result.not_relevant == tuple(PATHS[2:])


@pytest.mark.parametrize(("code", "points"), [(3, 3), (2, 2), (1, 1), (0, 0), (9, 0)])
def test_item_7_yes_is_3_and_its_no_branch_is_0_to_2(code: int, points: int) -> None:
    result = dlqi.score_mapping({**all_items(0), "q7": code})
    assert result.total == points


def test_one_unanswered_item_is_scored_0() -> None:
    # q10 unanswered: 9 x 3 + 0 = 27, scored as usual (Finlay).
    payload = all_items(3)
    del payload["q10"]
    result = dlqi.score_mapping(payload)
    assert (result.total, result.imputed, result.unanswered) == (27, True, ("q10",))


def test_two_unanswered_items_leave_no_score() -> None:
    # Finlay: two or more unanswered questions: the questionnaire is not scored.
    result = dlqi.score(DlqiInput(**{**all_items(3), "q1": None, "q5": None}))
    assert (result.total, result.band, result.imputed) == (None, None, False)
    assert result.unanswered == ("q1", "q5")
    assert "not scored" in result.to_text()


def test_nothing_answered_is_not_scored() -> None:
    assert dlqi.score(DlqiInput()).total is None


# Band edges on both sides (Hongbo 2005): 1|2, 5|6, 10|11, 20|21.
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "no effect"),
        (1, "no effect"),
        (2, "small effect"),
        (5, "small effect"),
        (6, "moderate effect"),
        (10, "moderate effect"),
        (11, "very large effect"),
        (20, "very large effect"),
        (21, "extremely large effect"),
        (30, "extremely large effect"),
    ],
)
def test_band_edges(total: int, band: str) -> None:
    # Fill items with 3s then the remainder: e.g. 11 = 3 + 3 + 3 + 2.
    codes = []
    left = total
    for _ in PATHS:
        codes.append(min(3, left))
        left -= codes[-1]
    result = dlqi.score_mapping(dict(zip(PATHS, codes, strict=True)))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize("path", PATHS)
def test_every_item_changes_the_score(path: str) -> None:
    base = dlqi.score_mapping(all_items(0)).total
    assert base == 0
    assert dlqi.score_mapping({**all_items(0), path: 2}).total == 2


@pytest.mark.parametrize(("path", "value"), [("q1", 4), ("q2", 9), ("q4", -1), ("q7", 5)])
def test_out_of_range_codes_are_refused_naming_field_and_allowed(path: str, value: int) -> None:
    with pytest.raises(InputError) as exc:
        dlqi.score_mapping({**all_items(0), path: value})
    message = str(exc.value)
    assert path in message
    assert "allowed: 0 (" in message
    assert "3 (" in message
    assert f"got {value}" in message


def test_not_relevant_is_refused_for_items_1_and_2() -> None:
    with pytest.raises(InputError, match=r"q1: not an allowed level \(got 9\)"):
        dlqi.score(DlqiInput(**{**all_items(0), "q1": 9}))


def test_unknown_keys_text_and_booleans_are_refused_together() -> None:
    with pytest.raises(InputError) as exc:
        dlqi.score_mapping({**all_items(0), "q11": 1, "q3": "a lot", "q4": True})
    problems = [str(p) for p in exc.value.problems]
    assert any(p.startswith("q11: unknown field") for p in problems)
    assert any(p.startswith("q3: expects a number") for p in problems)
    assert any(p.startswith("q4: expects a number, not true/false") for p in problems)


def test_non_mapping_is_refused() -> None:
    with pytest.raises(InputError, match="expects a JSON object"):
        dlqi.score_mapping([1, 2])  # type: ignore[arg-type]


def test_result_renders() -> None:
    result = dlqi.score_mapping(all_items(1))
    data = result.to_dict()
    assert data["total"] == 10
    assert data["working"]["points"]["q7"] == 1
    assert data["reference"]["doi"] == "10.1111/j.1365-2230.1994.tb01167.x"
    assert "10 / 30" in result.to_text()


@pytest.mark.slow
@given(answers())
def test_total_follows_finlays_rules(codes: dict[str, int | None]) -> None:
    assert dlqi.score_mapping(codes).total == expected_total(codes)


def test_codes_in_the_fixture_match() -> None:
    assert set(CODES) == set(PATHS)
