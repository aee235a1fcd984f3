"""Bundled presets and user-written TOML presets."""

from pathlib import Path

import pytest

from clears import InputError, NotFoundError
from clears.criteria import BUNDLED, PRESETS, get, load, parse

MINIMAL_DOC = {
    "name": "local",
    "version": "2",
    "title": "Local protocol",
    "reference": {"citation": "Local protocol, synthetic"},
    "response": {"partial": {"percent": 50}},
}


def test_every_bundled_preset_loads_with_a_citation_and_version() -> None:
    assert tuple(PRESETS) == BUNDLED
    for name in BUNDLED:
        preset = get(name)
        assert preset.name == name
        assert preset.version
        assert preset.reference.citation
        assert preset.reference.doi


def test_aitmehdi_thresholds_match_the_paper() -> None:
    # Aitmehdi 2021 (seed 000, lines 60-62): minimal = 4-point or 20 % decrease,
    # partial = at least 50 %, complete = CLASI-A 0.
    rule = get("aitmehdi2021").response
    assert rule.minimal is not None
    assert rule.partial is not None
    assert (rule.minimal.points, rule.minimal.percent, rule.minimal.combine) == (4, 20, "any")
    assert rule.partial.percent == 50
    assert rule.complete_max == 0
    assert rule.assessment_week is None


def test_cortes_definitions_match_the_paper() -> None:
    # Cortés-Hernández 2012 (seed 001, Methods): CR = CLASI-A 0; PR >= 50 % by week 12;
    # relapse = new CLASI >= 4 after CR; Results: on taper or after withdrawal.
    preset = get("cortes2012")
    assert preset.response.assessment_week == 12
    assert preset.response.assessment_rule == "by"
    assert preset.relapse is not None
    assert (preset.relapse.after, preset.relapse.min_score) == ("complete", 4)
    assert preset.relapse.setting == "taper_or_withdrawal"
    assert preset.flare_rule == "cortes2012"


def test_clasi50_and_braunstein_and_klein() -> None:
    # CLASI-50 (TULIP pooled, docs/criteria.md): >= 50 % at week 12, baseline >= 10.
    c50 = get("clasi50").response
    assert (c50.baseline_min, c50.assessment_week, c50.partial.percent) == (10, 12, 50)  # type: ignore[union-attr]
    # Braunstein 2012 (J Am Acad Dermatol 2012;66(4):571-582): >= 4-point decrease; 6-week
    # primary phase.
    br = get("braunstein2012").response
    assert (br.partial.points, br.partial.percent, br.assessment_week) == (4, None, 6)  # type: ignore[union-attr]
    # Klein 2011: 4 points or 20 %.
    kl = get("klein2011").response
    assert (kl.minimal.points, kl.minimal.percent) == (4, 20)  # type: ignore[union-attr]


def test_unknown_preset_names_the_bundled_ones() -> None:
    with pytest.raises(NotFoundError, match="bundled presets: aitmehdi2021"):
        get("aitmehdi2020")


def test_load_user_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\nversion = "0.1"\ntitle = "Mine"\n'
        '[reference]\ncitation = "Synthetic"\n'
        "[response]\ncomplete_max = 1\nassessment_week = 16\n"
        '[response.minimal]\npoints = 3\npercent = 18\ncombine = "all"\n'
        '[relapse]\nafter = "complete"\nmin_score = 6\nsetting = "withdrawal"\n',
        encoding="utf-8",
    )
    preset = load(path)
    assert preset.label == "mine@0.1"
    assert preset.response.minimal is not None
    assert preset.response.minimal.combine == "all"
    assert preset.response.levels == ("minimal", "complete")
    assert preset.relapse is not None
    assert preset.relapse.setting == "withdrawal"


def test_numeric_version_is_kept_as_text() -> None:
    assert parse({**MINIMAL_DOC, "version": 3}).version == "3"


def test_every_problem_is_listed_with_key_and_allowed() -> None:
    doc = {
        **MINIMAL_DOC,
        "colour": "blue",
        "response": {
            "partial": {"percent": 150, "combine": "both"},
            "assessment_week": 0,
            "assessment_rule": "around",
            "extra": 1,
        },
        "relapse": {"after": "minimal", "setting": "sometimes"},
        "flare_rule": "bilag",
    }
    with pytest.raises(InputError) as info:
        parse(doc, file="bad.toml")
    fields = {p.field: p for p in info.value.problems}
    assert fields["colour"].message == "unknown key"
    assert "response" in (fields["colour"].allowed or "")
    assert fields["response.partial.percent"].allowed == "a number from 1 to 100"
    assert fields["response.partial.combine"].allowed == "any, all"
    assert fields["response.assessment_week"].value == 0
    assert fields["response.assessment_rule"].allowed == "at, by"
    assert fields["response.extra"].message == "unknown key"
    assert fields["relapse.setting"].allowed == "any, taper_or_withdrawal, withdrawal"
    assert fields["relapse.after"].message == "names a level the response does not define"
    assert fields["relapse"].message == "needs min_score, min_rise or both"
    assert fields["flare_rule"].allowed == "sfi, cortes2012"
    assert all(p.file == "bad.toml" for p in info.value.problems)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": None}, "name", "is missing"),
        ({"name": "Bad Name"}, "name", "not a valid preset name"),
        ({"version": None}, "version", "is missing"),
        ({"title": ""}, "title", "must be non-empty text"),
        ({"reference": None}, "reference", "is missing"),
        ({"reference": {"doi": "10.1/x"}}, "reference.citation", "is missing"),
        ({"reference": "Smith 2020"}, "reference", "must be a table"),
        ({"response": None}, "response", "is missing"),
        ({"response": {"complete_max": 71}}, "response.complete_max", "out of range"),
        ({"response": {"baseline_min": 5}}, "response", "defines no level"),
        ({"response": {"partial": 50}}, "response.partial", "must be a table"),
        ({"response": {"partial": {"combine": "any"}}}, "response.partial", "needs points"),
        (
            {"response": {"partial": {"points": True}}},
            "response.partial.points",
            "out of range",
        ),
        (
            {"response": {"partial": {"percent": 50}}, "notes": 3},
            "notes",
            "must be non-empty text",
        ),
        (
            {"response": {"partial": {"percent": 50}, "assessment_window_days": -1}},
            "response.assessment_window_days",
            "out of range",
        ),
    ],
)
def test_each_rejection(change: dict[str, object], field: str, message: str) -> None:
    doc = {k: v for k, v in {**MINIMAL_DOC, **change}.items() if v is not None}
    with pytest.raises(InputError) as info:
        parse(doc)
    matching = [p for p in info.value.problems if p.field == field]
    assert matching, info.value.problems
    assert matching[0].message.startswith(message)


def test_load_rejects_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        load(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")
    with pytest.raises(InputError, match="is not valid TOML"):
        load(bad)


def test_resolve_takes_a_preset_a_name_or_a_file(tmp_path: Path) -> None:
    from clears.criteria import get, resolve

    bundled = get("cortes2012")
    assert resolve(bundled) is bundled
    assert resolve("cortes2012") == bundled
    # A copy of a bundled TOML file under another path is read as a file, not looked up.
    import clears.criteria

    source = Path(clears.criteria.__file__).parent.parent / "data" / "criteria" / "klein2011.toml"
    copy = tmp_path / "mine.toml"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert resolve(copy).name == "klein2011"
    assert resolve(str(copy)) == resolve(copy)
