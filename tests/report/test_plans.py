"""Analysis plans: the TOML format and its refusals, each naming the key and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clears import InputError, NotFoundError
from clears.criteria import BUNDLED
from clears.report.plans import (
    BUNDLED_PLANS,
    BY_COLUMNS,
    KINDS,
    POPULATIONS,
    get_plan,
    load_plan,
    parse_plan,
    resolve_plan,
)


def _refused(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_plan(doc, file="mine.toml")
    return [str(p) for p in caught.value.problems]


def _plan(**extra: Any) -> dict[str, Any]:
    return {"name": "mine", "sections": [{"kind": "response"}], **extra}


def test_bundled_plans_load() -> None:
    for name in BUNDLED_PLANS:
        assert get_plan(name).name == name
    default = get_plan("default")
    assert [s.kind for s in default.sections] == [
        "cohort", "response", "timecourse", "time_to_event", "swimmer", "safety"
    ]  # fmt: skip
    assert default.criteria == ("aitmehdi2021", "cortes2012")


def test_aitmehdi_plan_in_the_letters_order() -> None:
    plan = get_plan("aitmehdi2021")
    # Aitmehdi 2021: Table 1, response, CR by severity, relapse, CR in active smokers,
    # Table 2 (adverse events, SLE flares), baseline SLEDAI by flare
    assert [s.kind for s in plan.sections] == [
        "cohort", "response", "response_by_severity", "time_to_event", "complete_response_by",
        "safety", "sledai_by_flare",
    ]  # fmt: skip
    smoking = plan.sections[4].options
    assert (smoking["by"], smoking["versus"], smoking["test"]) == ("smoking", "current", "logrank")
    assert all(s.caption for s in plan.sections)
    assert plan.criteria == ("aitmehdi2021",)
    assert "doi:10.1016/j.jaad.2020.11.014" in plan.reference


def test_unknown_top_key_refused() -> None:
    (problem,) = _refused(_plan(colour="blue"))
    assert problem.startswith("mine.toml: colour: unknown key")
    assert "allowed: name, title, reference, criteria, populations, sections" in problem


def test_unknown_section_kind_refused_with_the_kinds() -> None:
    (problem,) = _refused({"name": "mine", "sections": [{"kind": "forest"}]})
    assert "sections[0].kind: not a known section kind (got 'forest')" in problem
    assert "allowed: " + ", ".join(KINDS) in problem


def test_unknown_section_option_refused_with_the_kinds_options() -> None:
    (problem,) = _refused({"name": "m", "sections": [{"kind": "response", "test": "fisher"}]})
    assert "sections[0].test: unknown key" in problem
    assert "allowed: kind, caption, population" in problem


def test_unknown_preset_refused_with_the_bundled_ones() -> None:
    (problem,) = _refused(_plan(criteria=["aitmehdi2021", "nonesuch"]))
    assert "criteria[1]: not a bundled criteria preset (got 'nonesuch')" in problem
    assert "allowed: " + ", ".join(BUNDLED) in problem


def test_section_preset_must_be_one_of_the_plans() -> None:
    doc = {"name": "m", "criteria": ["cortes2012"],
           "sections": [{"kind": "response_by_severity", "criteria": "aitmehdi2021"}]}  # fmt: skip
    (problem,) = _refused(doc)
    assert "sections[0].criteria: not a preset of the plan's criteria" in problem
    assert "allowed: cortes2012" in problem


def test_unknown_test_refused_with_the_tests_of_the_kind() -> None:
    doc = {"name": "m", "sections": [{"kind": "sledai_by_flare", "test": "t_test"}]}
    (problem,) = _refused(doc)
    assert "sections[0].test: not a test of a sledai_by_flare section (got 't_test')" in problem
    assert "allowed: mann_whitney" in problem


def test_unknown_population_refused() -> None:
    (problem,) = _refused(_plan(populations={"lupus": "sle_patients"}))
    assert "populations.lupus: not a known population" in problem
    assert "allowed: " + ", ".join(POPULATIONS) in problem
    doc = {"name": "m", "sections": [{"kind": "safety", "population": "lupus"}]}
    (problem,) = _refused(doc)
    assert "sections[0].population: not a population of the plan (got 'lupus'); allowed: all" in (
        problem
    )


def test_bad_option_values_refused() -> None:
    doc = {"name": "m", "sections": [
        {"kind": "swimmer", "max_patients": 0},
        {"kind": "response_by_severity", "versus": "extreme"},
        {"kind": "sledai_by_flare", "score": "bilag"},
    ]}  # fmt: skip
    problems = _refused(doc)
    assert any("sections[0].max_patients: out of range" in p for p in problems)
    assert any("sections[1].versus: not a severity band" in p and "mild, moderate, severe" in p
               for p in problems)  # fmt: skip
    assert any("sections[2].score: not a baseline score" in p and "sledai_2k, selena" in p
               for p in problems)  # fmt: skip


def test_grouping_column_refused_unless_known() -> None:
    doc = {"name": "m", "sections": [{"kind": "complete_response_by", "by": "hair_colour"}]}
    (problem,) = _refused(doc)
    assert "sections[0].by: not a grouping column (got 'hair_colour')" in problem
    assert "allowed: " + ", ".join(BY_COLUMNS) in problem


def test_every_problem_listed_at_once_and_kind_only_once() -> None:
    doc = {"sections": [{"kind": "safety"}, {"kind": "safety"}], "extra": 1}
    problems = _refused(doc)
    assert any(p.startswith("mine.toml: name: is missing") for p in problems)
    assert any("extra: unknown key" in p for p in problems)
    assert any("sections[1].kind: appears twice" in p for p in problems)


def test_no_sections_refused() -> None:
    (problem,) = _refused({"name": "m", "sections": []})
    assert "sections: must be a non-empty list of tables" in problem
    assert "kind = cohort, response" in problem


def test_mistyped_bundled_name_lists_the_plans() -> None:
    with pytest.raises(NotFoundError, match="bundled plans: aitmehdi2021, cortes2012, default"):
        get_plan("aitmehdi")


def test_plan_file_with_relative_preset_file(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "src/clears/data/criteria/clasi50.toml"
    (tmp_path / "local.toml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "plan.toml").write_text(
        'name = "local"\ncriteria = ["local.toml"]\n[[sections]]\nkind = "response"\n'
        'caption = "Ours."\n',
        encoding="utf-8",
    )
    plan = resolve_plan(tmp_path / "plan.toml")
    assert plan.criteria == (str(tmp_path / "local.toml"),)
    assert plan.sections[0].caption == "Ours."
    assert plan.steps() == ("outcomes", "response")


def test_unreadable_and_invalid_files_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        load_plan(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("name = ", encoding="utf-8")
    with pytest.raises(InputError, match="is not valid TOML"):
        load_plan(tmp_path / "bad.toml")
