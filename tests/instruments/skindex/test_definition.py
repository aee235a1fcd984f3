"""Skindex-29+3 fixtures, written from the sources and NOT from clears' own definition.

Skindex-29 (Chren 1997; VA HSR&D instrument review): 30 questions, 29 scored in three
scales of 10 (emotions), 7 (symptoms) and 12 (functioning) items; answers never, rarely,
sometimes, often, all the time, scored 0, 25, 50, 75, 100; a scale is the mean of its
answered items. The item-to-scale key below is the scoring key as widely reproduced (item
18, treatment side effects, in no scale), written here by hand. Skindex-29+3 adds three
CLE questions (hair loss, photosensitivity) scored as their own subscale (Lupus Sci Med
2022;9:e000827). Missing-item rule: clears' documented choice, a scale is scored when at
most a quarter of its items are unanswered.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import strategies as st

from clears import InputError
from clears.instruments import skindex
from clears.instruments._base import WORDING_VARIABLE, item_wording

PATHS = [f"q{n}" for n in range(1, 34)]
COLUMNS = [f"skindex_{p}" for p in PATHS]
KEY = {
    "symptoms": [1, 7, 10, 16, 19, 24, 27],
    "emotions": [3, 6, 9, 12, 13, 15, 21, 23, 26, 28],
    "functioning": [2, 4, 5, 8, 11, 14, 17, 20, 22, 25, 29, 30],
    "lupus": [31, 32, 33],
}
#: Severe-impairment cut-offs attributed to Nijsten, Sampogna & Abeni 2009.
SEVERE = {"symptoms": 52, "emotions": 39, "functioning": 37}


def expected_domain(codes: dict[str, int | None], items: list[int]) -> float | None:
    """Mean of answered items x 25; none when more than a quarter of them are blank."""
    given = [codes[f"q{n}"] for n in items if codes.get(f"q{n}") is not None]
    if len(items) - len(given) > len(items) / 4:
        return None
    return 25 * sum(c for c in given if c is not None) / len(given)


@st.composite
def answers(draw: st.DrawFn) -> dict[str, int | None]:
    """One questionnaire: each item 0-4 or, sometimes, unanswered."""
    sparse = draw(st.booleans())
    return {
        path: draw(st.one_of(st.integers(0, 4), st.just(None)) if sparse else st.integers(0, 4))
        for path in PATHS
    }


def test_33_items_with_the_columns_in_order() -> None:
    assert list(skindex.DEFINITION.columns) == COLUMNS
    assert [f.path for f in skindex.DEFINITION.fields] == PATHS


def test_every_item_has_the_five_answers() -> None:
    # never, rarely, sometimes, often, all the time (Chren 1997), coded 0-4.
    for f in skindex.DEFINITION.fields:
        assert [(lv.code, lv.label) for lv in f.item.levels] == [
            (0, "never"),
            (1, "rarely"),
            (2, "sometimes"),
            (3, "often"),
            (4, "all the time"),
        ]


def test_domains_are_the_key_with_7_10_12_items_and_item_18_in_none() -> None:
    assert {d.name: list(d.items) for d in skindex.DOMAINS} == KEY
    assert [len(KEY[n]) for n in ("symptoms", "emotions", "functioning")] == [7, 10, 12]
    scored = {n for items in KEY.values() for n in items}
    assert set(range(1, 34)) - scored == {18}
    assert skindex.UNSCORED_ITEMS == (18,)


def test_points_are_0_to_100_in_25_point_steps() -> None:
    assert dict(skindex.POINTS) == {0: 0, 1: 25, 2: 50, 3: 75, 4: 100}


def test_severe_cutoffs_are_nijsten_2009() -> None:
    assert dict(skindex.SEVERE_CUTOFFS) == SEVERE


def test_allowed_unanswered_is_a_quarter_rounded_down() -> None:
    assert [skindex.allowed_unanswered(d) for d in skindex.DOMAINS] == [
        math.floor(len(KEY[name]) / 4) for name in KEY
    ]
    assert [skindex.allowed_unanswered(d, 0.5) for d in skindex.DOMAINS] == [3, 5, 6, 1]
    assert [skindex.allowed_unanswered(d, 0) for d in skindex.DOMAINS] == [0, 0, 0, 0]


@pytest.mark.parametrize("bad", [-0.1, 1, 1.5, True, "0.25"])
def test_a_bad_max_missing_is_refused_naming_it(bad: object) -> None:
    with pytest.raises(InputError, match="max_missing: out of range") as caught:
        skindex.allowed_unanswered(skindex.DOMAINS[0], bad)  # type: ignore[arg-type]
    assert "a fraction from 0 up to, not including, 1" in str(caught.value)


def test_no_copyrighted_wording_is_shipped() -> None:
    # Labels name the item number and its domain only: no sentence of the form.
    for f in skindex.DEFINITION.fields:
        assert "?" not in f.item.label
        assert f.item.label.startswith(f"Skindex {f.path[1:]}: ")
        assert len(f.item.label) <= 48
        assert " my " not in f.item.label.lower()


def test_the_docstring_says_what_is_not_verified() -> None:
    doc = skindex.definition.__doc__ or ""
    assert "**not** verified" in doc
    for unverified in ("DOMAIN_ITEMS", "MAX_MISSING_FRACTION", "SEVERE_CUTOFFS"):
        assert unverified in doc.split("**not** verified", 1)[1]


# --- licensed wording, loaded from a centre's own file ----------------------------------------


def test_wording_is_read_from_the_file_the_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "wording.toml"
    toml.write_text('[skindex]\nq1 = "One"\nskindex_q33 = "Last"\n', encoding="utf-8")
    monkeypatch.setenv(WORDING_VARIABLE, str(toml))
    assert item_wording(skindex.DEFINITION) == {"skindex_q1": "One", "skindex_q33": "Last"}
    as_json = tmp_path / "wording.json"
    as_json.write_text(json.dumps({"skindex": {"q18": "Eighteen"}}), encoding="utf-8")
    assert item_wording(skindex.DEFINITION, as_json) == {"skindex_q18": "Eighteen"}


def test_wording_of_unknown_items_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[skindex]\nq34 = "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match="q34: unknown field"):
        item_wording(skindex.DEFINITION, bad)
