"""Protocol files: the bundled ones, a user-written TOML protocol, and every rejection path."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from clears import InputError, NotFoundError
from clears.protocol import advise, available_protocols, load_protocol, parse_protocol
from clears.protocol._definition import Regimen

USER = """
name = "local"
title = "Local: 2.5 mg daily, 5 mg daily if no improvement at 8 weeks"
drug = "lenalidomide"
[reference]
citation = "Synthetic local protocol"
[regimens.low]
label = "2.5 mg daily"
mg = 2.5
doses_per_week = 7
[regimens.mid]
label = "5 mg daily"
mg = 5
doses_per_week = 7
[response]
criteria = "braunstein2012"
[schedule]
start = "low"
evaluation_days = 56
[[rules]]
id = "local.start"
phase = "not_started"
action = "start"
to = "@start"
explanation = "start low"
[[rules]]
id = "local.up"
phase = "evaluated"
status = ["none", "improved"]
regimen = "low"
action = "increase"
to = "mid"
explanation = "no response at 8 weeks"
"""


def test_bundled_protocols() -> None:
    assert available_protocols() == ("cortes2012", "cortes2012_label_holds", "okon_braunstein")
    cortes = load_protocol("cortes2012")
    assert cortes.reference.doi == "10.1186/ar4111"
    assert (cortes.evaluation_days, cortes.max_mg_per_day) == (28, 10.0)


def test_regimen_mg_per_day() -> None:
    # 5 mg three times weekly = 15 mg / 7 days
    assert Regimen("x", "5 mg three times weekly", 5, 3).mg_per_day == pytest.approx(15 / 7)


def test_user_protocol_from_toml_file(b: SimpleNamespace, tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(USER, encoding="utf-8")
    cohort = b.cohort(
        patients=[b.patient()],
        treatments=[b.period("2024-01-01", 2.5)],
        visits=[b.visit("2024-01-01", clasi_a=10), b.visit("2024-02-26", clasi_a=8)],
    )
    # 2024-02-26 is day 56; 10 -> 8 is a 2-point fall, short of Braunstein 2012's 4-point
    # response: "improved" -> increase to 5 mg
    d = advise(cohort, "P1", as_of=dt.date(2024, 2, 26), protocol=str(path)).dose
    assert (d.action, d.dose_mg_per_day, d.rule, d.protocol) == (
        "increase",
        5.0,
        "local.up",
        "local 1",
    )


def test_unknown_protocol() -> None:
    with pytest.raises(NotFoundError, match="unknown protocol 'nope'"):
        load_protocol("nope")


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = ", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_protocol(path)


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (
            lambda d: d["regimens"].update(big={"label": "20", "mg": 20, "doses_per_week": 7}),
            "regimens.big",
            "exceeds max_mg_per_day",
        ),
        (lambda d: d["rules"][0].update(action="double"), "rules[0].action", "unknown value"),
        (lambda d: d["rules"][0].update(to="huge"), "rules[0].to", "unknown value"),
        (lambda d: d["rules"][1].update(phase="later"), "rules[1].phase", "unknown value"),
        (lambda d: d["rules"][1].update(status="great"), "rules[1].status", "unknown value"),
        (lambda d: d["rules"][1].update(id="local.start"), "rules[1].id", "duplicate rule id"),
        (
            lambda d: d["rules"][1].update(min_days_on_regimen=-1),
            "rules[1].min_days_on_regimen",
            "whole number",
        ),
        (
            lambda d: d["schedule"].update(taper_ladder=["low", "mid"]),
            "schedule.taper_ladder",
            "highest to the lowest",
        ),
        (lambda d: d["regimens"]["low"].update(mg=-1), "regimens.low.mg", "number ≥ 0"),
        (lambda d: d.pop("reference"), "reference", "must be a table"),
        (lambda d: d.update(rules=[]), "rules", "non-empty array"),
    ],
)
def test_rejections_name_the_field(edit: Any, field: str, message: str) -> None:
    data = tomllib.loads(USER)
    edit(data)
    with pytest.raises(InputError) as info:
        parse_protocol(data, source="local.toml")
    problems = [p for p in info.value.problems if p.field == field]
    assert problems, [str(p) for p in info.value.problems]
    assert message in problems[0].message
    assert problems[0].file == "local.toml"


def test_all_problems_are_listed_at_once() -> None:
    data = tomllib.loads(USER)
    data["colour"] = "red"
    data["rules"][0]["action"] = "double"
    with pytest.raises(InputError) as info:
        parse_protocol(data)
    assert {"colour", "rules[0].action"} <= {p.field for p in info.value.problems}


def test_no_rule_of_a_user_protocol_applies_keeps_the_dose_for_review(
    b: SimpleNamespace, tmp_path: Path
) -> None:
    # The local protocol above has no rule for a patient already on 5 mg daily after the
    # 8-week evaluation: the engine keeps the dose and asks for review (protocol.no_rule).
    path = tmp_path / "local.toml"
    path.write_text(USER, encoding="utf-8")
    cohort = b.cohort(
        patients=[b.patient(sex="M")],
        treatments=[b.period("2024-01-01", 5.0, regimen="5 mg daily")],
        visits=[
            b.visit("2024-01-01", clasi_a=10),
            b.visit("2024-02-26", clasi_a=4, anc=3.0, wbc=6.0, platelets=250, hb=13.5),
        ],
    )
    d = advise(cohort, "P1", as_of=dt.date(2024, 2, 26), protocol=str(path)).dose
    assert (d.action, d.dose_mg_per_day, d.rule, d.review) == (
        "continue",
        5.0,
        "protocol.no_rule",
        True,
    )


def test_a_user_protocol_extends_a_bundled_one_and_states_only_what_differs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "slower.toml"
    path.write_text(
        'extends = "cortes2012"\nname = "slower"\n[schedule]\nevaluation_days = 42\n',
        encoding="utf-8",
    )
    slower, base = load_protocol(path), load_protocol("cortes2012")
    assert (slower.name, slower.evaluation_days) == ("slower", 42)
    # Tables merge key by key: the rest of [schedule] and every other table are the base's.
    assert slower.taper_ladder == base.taper_ladder
    assert slower.rules == base.rules
    assert slower.regimens == base.regimens


def test_extending_an_unknown_protocol_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('extends = "cortes2013"\nname = "bad"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_protocol(path)
    problem = caught.value.problems[0]
    assert (problem.field, problem.value) == ("extends", "cortes2013")
    assert "cortes2012" in (problem.allowed or "")
