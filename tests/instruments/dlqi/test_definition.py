"""DLQI fixtures, written from the sources and NOT from clears' own definition.

Items and scoring: Finlay & Khan, Clin Exp Dermatol 1994;19:210-216
(doi:10.1111/j.1365-2230.1994.tb01167.x) and Finlay's DLQI instructions (Cardiff University):
ten items scored 0-3; "not relevant" (items 3-10 only) scores 0; item 7 "yes" scores 3;
total 0-30. Bands: Hongbo 2005 (doi:10.1111/j.0022-202X.2005.23621.x).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import strategies as st

from clears import InputError
from clears.instruments import dlqi
from clears.instruments._base import WORDING_VARIABLE, item_wording

COLUMNS = [f"dlqi_q{n}" for n in range(1, 11)]
PATHS = [f"q{n}" for n in range(1, 11)]
#: Allowed stored codes per item: 0-3, and 9 (not relevant) for items 3-10.
CODES = {f"q{n}": (0, 1, 2, 3) if n <= 2 else (0, 1, 2, 3, 9) for n in range(1, 11)}


def expected_total(codes: dict[str, int | None]) -> int | None:
    """Finlay's rule, written independently: not relevant 0; one blank 0; two blanks none."""
    if sum(code is None for code in codes.values()) >= 2:
        return None
    return sum(0 if code in (None, 9) else code for code in codes.values())


@st.composite
def answers(draw: st.DrawFn) -> dict[str, int | None]:
    """One questionnaire: each item an allowed code or, sometimes, unanswered."""
    return {
        path: draw(
            st.one_of(st.sampled_from(CODES[path]), st.just(None))
            if draw(st.booleans())
            else st.sampled_from(CODES[path])
        )
        for path in PATHS
    }


def test_ten_items_with_the_published_columns_in_order() -> None:
    assert list(dlqi.DEFINITION.columns) == COLUMNS
    assert [f.path for f in dlqi.DEFINITION.fields] == PATHS


def test_allowed_codes_follow_the_instructions() -> None:
    # Items 1 and 2 have no "not relevant" answer (Finlay's FAQ); 3-10 do.
    assert {f.path: f.item.codes for f in dlqi.DEFINITION.fields} == CODES


def test_total_maximum_is_30() -> None:
    # Finlay & Khan 1994: 10 items x 3 = 30.
    assert dlqi.TOTAL_MAX == 30


def test_bands_are_hongbo_2005_and_contiguous() -> None:
    assert [(b.name, b.low, b.high) for b in dlqi.BANDS] == [
        ("no effect", 0, 1),
        ("small effect", 2, 5),
        ("moderate effect", 6, 10),
        ("very large effect", 11, 20),
        ("extremely large effect", 21, 30),
    ]


def test_no_copyrighted_wording_is_shipped() -> None:
    # Labels are short, neutral and end without a question mark; no sentence of the form.
    for f in dlqi.DEFINITION.fields:
        assert "?" not in f.item.label
        assert len(f.item.label) <= 48
        assert "over the last week" not in f.item.label.lower()


def test_references_name_the_sources() -> None:
    assert dlqi.REFERENCE.doi == "10.1111/j.1365-2230.1994.tb01167.x"
    assert dlqi.BAND_REFERENCE.doi == "10.1111/j.0022-202X.2005.23621.x"


# --- licensed wording, loaded from a centre's own file ----------------------------------------


def test_no_wording_file_gives_no_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORDING_VARIABLE, raising=False)
    assert item_wording(dlqi.DEFINITION) == {}


def test_wording_is_read_from_the_file_the_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "wording.toml"
    toml.write_text('[dlqi]\nq1 = "Item one text"\ndlqi_q2 = "Item two text"\n', encoding="utf-8")
    monkeypatch.setenv(WORDING_VARIABLE, str(toml))
    assert item_wording(dlqi.DEFINITION) == {"dlqi_q1": "Item one text", "dlqi_q2": "Item two text"}
    as_json = tmp_path / "wording.json"
    as_json.write_text(json.dumps({"dlqi": {"q10": "Ten"}}), encoding="utf-8")
    assert item_wording(dlqi.DEFINITION, as_json) == {"dlqi_q10": "Ten"}


def test_wording_of_unknown_items_or_unreadable_files_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[dlqi]\nq11 = "x"\n', encoding="utf-8")
    with pytest.raises(InputError, match="q11: unknown field"):
        item_wording(dlqi.DEFINITION, bad)
    with pytest.raises(InputError, match="CLEARS_INSTRUMENT_WORDING: cannot be read"):
        item_wording(dlqi.DEFINITION, tmp_path / "absent.toml")
