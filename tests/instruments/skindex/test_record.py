"""Skindex-29+3, one questionnaire: hand calculations, every item, the missing-item rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from tests.instruments.skindex.test_definition import KEY, PATHS, SEVERE, answers, expected_domain

from clears import InputError
from clears.instruments import skindex


def all_of(code: int) -> dict[str, int | None]:
    return dict.fromkeys(PATHS, code)


def test_hand_calculated_questionnaire() -> None:
    # examples/score/skindex.json, by hand from the key (answers x 25, mean of answered):
    # symptoms 1,7,10,16,19,24 = 4,3,2,0,1,2 (27 blank) -> 12 x 25 / 6 = 50.0
    # emotions 3,6,9,12,13,15,21,23,26,28 = 3,2,4,2,4,1,3,2,3,2 -> 26 x 25 / 10 = 65.0
    # functioning = 1,0,1,0,0,0,1,0,1,0,1,0 -> 5 x 25 / 12 = 10.41...
    # lupus 31, 32 given, 33 blank: 1 of 3 > a quarter -> not scored
    payload = {
        "q1": 4, "q2": 1, "q3": 3, "q4": 0, "q5": 1, "q6": 2, "q7": 3, "q8": 0, "q9": 4,
        "q10": 2, "q11": 0, "q12": 2, "q13": 4, "q14": 0, "q15": 1, "q16": 0, "q17": 1,
        "q18": 2, "q19": 1, "q20": 0, "q21": 3, "q22": 1, "q23": 2, "q24": 2, "q25": 0,
        "q26": 3, "q28": 2, "q29": 1, "q30": 0, "q31": 4, "q32": 3,
    }  # fmt: skip
    result = skindex.score_mapping(payload)
    assert result.score_of("symptoms") == 50.0
    assert result.score_of("emotions") == 65.0
    assert result.score_of("functioning") == pytest.approx(125 / 12)
    assert result.score_of("lupus") is None
    # Nijsten 2009: emotions 65 >= 39 severe; symptoms 50 < 52; functioning 10.4 < 37.
    assert dict(result.severe) == {"symptoms": False, "emotions": True, "functioning": False}
    assert set(result.unanswered) == {"q27", "q33"}


def test_extremes_are_0_and_100() -> None:
    assert dict(skindex.score_mapping(all_of(0)).domains) == dict.fromkeys(KEY, 0.0)
    assert dict(skindex.score_mapping(all_of(4)).domains) == dict.fromkeys(KEY, 100.0)


@pytest.mark.parametrize("number", range(1, 34))
def test_every_item_changes_its_domain_and_only_it(number: int) -> None:
    base = skindex.score_mapping(all_of(0))
    moved = skindex.score_mapping({**all_of(0), f"q{number}": 4})
    for name, items in KEY.items():
        expected = 100 / len(items) if number in items else 0.0
        assert moved.score_of(name) == pytest.approx(expected), name
    if number == 18:  # treatment side effects: in no domain
        assert moved.domains == base.domains


@pytest.mark.parametrize(
    ("name", "allowed"), [("symptoms", 1), ("emotions", 2), ("functioning", 3), ("lupus", 0)]
)
def test_missing_item_rule_on_both_sides_of_the_threshold(name: str, allowed: int) -> None:
    # A quarter of 7, 10, 12, 3 items, rounded down: 1, 2, 3, 0 may be blank.
    items = KEY[name]
    ok = {**all_of(2), **{f"q{n}": None for n in items[:allowed]}}
    too_many = {**all_of(2), **{f"q{n}": None for n in items[: allowed + 1]}}
    assert skindex.score_mapping(ok).score_of(name) == 50.0
    assert skindex.score_mapping(too_many).score_of(name) is None
    assert dict(skindex.score_mapping(too_many).severe).get(name) is None


def test_max_missing_is_configurable() -> None:
    # With half allowed, 1 of the 3 lupus items blank is scored; with none, no blank is.
    one_blank = {**all_of(4), "q33": None, "q1": None}
    assert skindex.score_mapping(one_blank, max_missing=0.5).score_of("lupus") == 100.0
    assert skindex.score_mapping(one_blank, max_missing=0).score_of("symptoms") is None
    typed = skindex.SkindexInput(**{p: 4 for p in PATHS if p != "q33"})  # type: ignore[arg-type]
    assert skindex.score(typed, max_missing=0.5).score_of("lupus") == 100.0
    with pytest.raises(InputError, match="max_missing"):
        skindex.score(typed, max_missing=2)


def test_severe_cut_off_edges() -> None:
    # Symptoms: 7 items, 0-4 each; a mean of 52 is not reachable exactly, so test the nearest
    # values either side from the definition of the cut-off (>= 52 severe).
    def symptoms(codes: list[int]) -> float | None:
        given = {f"q{n}": c for n, c in zip(KEY["symptoms"], codes, strict=True)}
        return skindex.score_mapping({**all_of(0), **given}).score_of("symptoms")

    low = symptoms([2, 2, 2, 2, 2, 2, 2])  # 50.0
    high = symptoms([2, 2, 2, 2, 2, 2, 3])  # 53.57
    assert low is not None
    assert high is not None
    assert low < SEVERE["symptoms"] <= high

    # Functioning reaches 37.5 (18 points of 48): severe at >= 37; 35.4 (17) is not.
    def functioning(points: int) -> bool | None:
        codes = [4] * (points // 4) + [points % 4] + [0] * 12
        given = {f"q{n}": c for n, c in zip(KEY["functioning"], codes[:12], strict=True)}
        return dict(skindex.score_mapping({**all_of(0), **given}).severe)["functioning"]

    assert functioning(18) is True
    assert functioning(17) is False


@settings(max_examples=60, deadline=None)
@given(answers())
def test_domains_follow_the_written_rule(codes: dict[str, int | None]) -> None:
    result = skindex.score_mapping(codes)
    for name, items in KEY.items():
        expected = expected_domain(codes, items)
        got = result.score_of(name)
        assert (got is None) == (expected is None)
        if expected is not None:
            assert got == pytest.approx(expected)


@pytest.mark.parametrize("bad", [5, -1, 2.5])
def test_out_of_range_codes_are_refused_naming_field_and_allowed(bad: object) -> None:
    with pytest.raises(InputError) as caught:
        skindex.score_mapping({"q7": bad})
    text = str(caught.value)
    assert "q7:" in text
    assert "0 (never), 1 (rarely), 2 (sometimes), 3 (often), 4 (all the time)" in text


def test_unknown_keys_text_and_booleans_are_refused_together() -> None:
    with pytest.raises(InputError) as caught:
        skindex.score_mapping({"q34": 1, "q1": "often", "q2": True})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"q34", "q1", "q2"}


def test_to_dict_and_text_carry_scores_method_and_references() -> None:
    result = skindex.score_mapping(all_of(4))
    data = result.to_dict()
    assert data["instrument"] == "skindex"
    assert data["domains"] == dict.fromkeys(KEY, 100.0)
    assert data["max_missing"] == 0.25
    assert "Nijsten" in data["severe_reference"]["citation"]
    assert "unverified" in data["method"]
    text = result.to_text()
    assert "Symptoms" in text
    assert "100.0 / 100; severe impairment" in text
