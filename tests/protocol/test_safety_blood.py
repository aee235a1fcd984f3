"""Myelosuppression on every blood line, read by date; START and hold from one table.

Sources of the expected values:

- CTCAE v5.0 (NCI xlsx, docs/instruments/ctcae.md): grade 3 is neutrophils < 1.0×10⁹/L, white
  cells < 2.0×10⁹/L, platelets < 50×10⁹/L, haemoglobin < 8.0 g/dL.
- Cortés-Hernández 2012, Methods: "Reasons for discontinuing treatment were: common toxicity
  criteria grade 3 myelosuppression, ..."; "Laboratory tests (WBC) were performed weekly for
  the first 2 months and then monthly"; exclusions "severe thrombocytopenia (< 30,000/mm3),
  leukopenia (< 2,000/mm3) or neutrophil counts below 1,000/μl".
- EU SmPC (docs/reference/lenalidomide.md §4): do not start if ANC < 1.0×10⁹/L and/or platelets <
50×10⁹/L.
- Lenalidomide label (docs/reference/lenalidomide.md §5): interrupt for grade 3-4 cytopenia, resume
at the
  next lower dose, never below 2.5 mg daily (protocol cortes2012_label_holds only).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clears import InputError
from clears.protocol import Advice, load_protocol, parse_protocol
from clears.protocol._thresholds import LINES

START = "2024-01-01"
MAN = {"sex": "M", "birth_year": 1970}
NORMAL = {"anc": 3.0, "wbc": 6.0, "platelets": 250.0, "hb": 13.5}
# (line, lowest count that is not grade 3, a count just below it): CTCAE v5.0 grade 3 edges
EDGES = [("anc", 1.0, 0.99), ("wbc", 2.0, 1.99), ("platelets", 50.0, 49.9), ("hb", 8.0, 7.9)]
BUNDLED = ("cortes2012", "cortes2012_label_holds", "okon_braunstein")


def rules(advice: Advice) -> set[str]:
    return {a.rule for a in advice.alerts}


def on_treatment(
    b: SimpleNamespace, labs: dict[str, float], day: str = "2024-01-15", **kw: Any
) -> Advice:
    visits = [b.visit(START, clasi_a=10, **NORMAL), b.visit(day, clasi_a=8, **labs)]
    return b.advise([b.period(START, 5)], visits, day, **MAN, **kw)


@pytest.mark.parametrize(("line", "edge", "below"), EDGES)
def test_cortes2012_stops_for_grade_3_on_every_line(
    b: SimpleNamespace, line: str, edge: float, below: float
) -> None:
    # Cortés 2012: "common toxicity criteria grade 3 myelosuppression" discontinues
    stopped = on_treatment(b, {**NORMAL, line: below})
    assert (stopped.dose.action, stopped.dose.dose_mg_per_day) == ("stop", 0.0)
    assert stopped.dose.rule == "safety.myelosuppression_stop"
    assert stopped.dose.review
    alert = next(a for a in stopped.alerts if a.rule == "safety.myelosuppression_stop")
    assert alert.level == "stop"
    assert alert.data[line] == below
    assert alert.data[f"{line}_grade"] == 3
    assert alert.data[f"{line}_date"] == dt.date(2024, 1, 15)
    kept = on_treatment(b, {**NORMAL, line: edge})
    assert kept.dose.action == "continue"
    assert "safety.myelosuppression_stop" not in rules(kept)


@pytest.mark.parametrize(("line", "edge", "below"), EDGES)
def test_label_protocol_holds_for_grade_3_on_every_line(
    b: SimpleNamespace, line: str, edge: float, below: float
) -> None:
    # label: interrupt for grade 3-4 cytopenia (off-label extrapolation, named protocol)
    held = on_treatment(b, {**NORMAL, line: below}, protocol="cortes2012_label_holds")
    assert (held.dose.action, held.dose.rule) == ("hold", "safety.cytopenia_hold")
    assert held.dose.extrapolated
    assert held.dose.review
    kept = on_treatment(b, {**NORMAL, line: edge}, protocol="cortes2012_label_holds")
    assert kept.dose.action == "continue"


def test_count_the_day_before_a_dose_change_still_counts(b: SimpleNamespace) -> None:
    # read by date, not by period: platelets 45 (grade 3) on day 28, dose raised on day 29
    treatments = [b.period(START, 5, "2024-01-28"), b.period("2024-01-29", 10)]
    visits = [
        b.visit(START, clasi_a=10, **NORMAL),
        b.visit("2024-01-28", clasi_a=10, **{**NORMAL, "platelets": 45.0}),
    ]
    a = b.advise(treatments, visits, "2024-01-30", **MAN)
    assert (a.dose.action, a.dose.rule) == ("stop", "safety.myelosuppression_stop")


@pytest.mark.parametrize(
    ("as_of", "count_day", "stops"),
    [
        # day 20 of the course: weekly counts (first 56 days) + 7 days grace = 14 days back
        ("2024-01-21", "2024-01-07", True),
        ("2024-01-21", "2024-01-06", False),
        # day 100: monthly counts + 7 days = 35 days back
        ("2024-04-10", "2024-03-06", True),
        ("2024-04-10", "2024-03-05", False),
    ],
)
def test_look_back_window_edges(
    b: SimpleNamespace, as_of: str, count_day: str, stops: bool
) -> None:
    visits = [
        b.visit(START, clasi_a=10, **NORMAL),
        b.visit(count_day, **{**NORMAL, "anc": 0.8}),
        b.visit(as_of, clasi_a=8),
    ]
    a = b.advise([b.period(START, 5)], visits, as_of, **MAN)
    assert (a.dose.rule == "safety.myelosuppression_stop") is stops


def test_adverse_event_row_of_a_blood_term_counts_like_a_count(b: SimpleNamespace) -> None:
    # CTCAE v5.0 term "Neutrophil count decreased" grade 3 recorded without a count
    ae = [{"patient_id": "P1", "onset_date": "2024-01-14", "term": "Neutrophil count decreased",
           "grade": 3}]  # fmt: skip
    a = on_treatment(b, {}, adverse_events=ae)
    assert a.dose.rule == "safety.myelosuppression_stop"
    grade_2 = [{**ae[0], "grade": 2}]
    assert on_treatment(b, {}, adverse_events=grade_2).dose.action == "continue"


def test_implausible_count_is_refused_naming_the_column(b: SimpleNamespace) -> None:
    with pytest.raises(InputError) as info:
        on_treatment(b, {**NORMAL, "anc": -1.0})
    assert info.value.problems[0].field == "anc"


@pytest.mark.parametrize(
    ("last_mg", "anc_after", "action", "mg"),
    [
        (10, 1.0, "restart", 5.0),  # recovered (back at the START limit 1.0): 10 -> 5
        (5, 1.0, "restart", 2.5),  # 5 -> 2.5 mg daily
        (10, 0.99, "hold", 0.0),  # still grade 3: keep holding
    ],
)
def test_label_protocol_resumes_one_level_lower(
    b: SimpleNamespace, last_mg: float, anc_after: float, action: str, mg: float
) -> None:
    treatments = [b.period(START, last_mg, "2024-02-10", end_reason="adverse_event")]
    visits = [
        b.visit(START, clasi_a=10, **NORMAL),
        b.visit("2024-02-10", **{**NORMAL, "anc": 0.8}),
        b.visit("2024-02-17", **{**NORMAL, "anc": anc_after}),
    ]
    a = b.advise(treatments, visits, "2024-02-17", protocol="cortes2012_label_holds", **MAN)
    assert (a.dose.action, a.dose.dose_mg_per_day) == (action, mg)
    if action == "restart":
        assert a.dose.rule == "safety.cytopenia_resume"
        assert a.dose.extrapolated


def test_label_protocol_resume_at_the_lowest_level_asks_for_review(b: SimpleNamespace) -> None:
    # the label never goes below 2.5 mg daily: a hold at 2.5 mg daily resumes at 2.5
    treatments = [
        b.period(START, 2.5, "2024-02-10", end_reason="adverse_event", regimen="2.5 mg daily")
    ]
    visits = [b.visit("2024-02-10", **{**NORMAL, "anc": 0.8}), b.visit("2024-02-17", **NORMAL)]
    a = b.advise(treatments, visits, "2024-02-17", protocol="cortes2012_label_holds", **MAN)
    assert (a.dose.action, a.dose.dose_mg_per_day) == ("restart", 2.5)
    assert "safety.cytopenia_lowest_level" in rules(a)


def test_cortes2012_does_not_resume_after_a_cytopenia_stop(b: SimpleNamespace) -> None:
    # the default protocol discontinued; no hold-and-resume is mixed in
    treatments = [b.period(START, 10, "2024-02-10", end_reason="adverse_event")]
    visits = [b.visit("2024-02-10", **{**NORMAL, "anc": 0.8}), b.visit("2024-02-17", **NORMAL)]
    a = b.advise(treatments, visits, "2024-02-17", **MAN)
    assert a.dose.action == "stop"
    assert "safety.cytopenia_resume" not in {a.dose.rule}


@pytest.mark.parametrize(("platelets", "held"), [(49.0, True), (50.0, False)])
def test_reintroduction_needs_the_start_limits(
    b: SimpleNamespace, platelets: float, held: bool
) -> None:
    # relapse after withdrawal -> reintroduce 5 mg/day, but platelets < 50 (SmPC START limit)
    treatments = [b.period(START, 5, "2024-03-01", end_reason="taper")]
    visits = [
        b.visit(START, clasi_a=10),
        b.visit("2024-02-20", clasi_a=0),
        b.visit("2024-03-20", clasi_a=6, **{**NORMAL, "platelets": platelets}),
    ]
    a = b.advise(treatments, visits, "2024-03-20", **MAN)
    assert (a.dose.rule == "safety.restart_blood_counts") is held
    assert (a.dose.action == "hold") is held


def test_label_protocol_differs_from_cortes2012_only_in_myelosuppression() -> None:
    cortes, label = load_protocol("cortes2012"), load_protocol("cortes2012_label_holds")
    assert "off-label" in label.title
    assert (label.rules, label.response, label.taper_ladder) == (
        cortes.rules,
        cortes.response,
        cortes.taper_ladder,
    )
    assert (label.start, label.restart, label.evaluation_days) == (
        cortes.start,
        cortes.restart,
        cortes.evaluation_days,
    )
    assert label.blood_count_interval_days == cortes.blood_count_interval_days
    assert set(label.regimens) - set(cortes.regimens) == {"2_5qd"}
    assert label.regimen("2_5qd").mg_per_day == 2.5  # label: never below 2.5 mg daily
    c, lab = cortes.thresholds, label.thresholds
    assert (c.myelosuppression, lab.myelosuppression) == ("stop", "hold_resume")
    assert lab.resume_ladder == ("10qd", "5qd", "2_5qd")  # label levels 10 -> 5 -> 2.5
    for line in LINES:
        assert lab.lines[line].start_at_least == c.lines[line].start_at_least
        assert lab.lines[line].hold_grade == c.lines[line].hold_grade
    assert (lab.adverse_event_stop_grade, lab.severe_flare) == (3, "stop")


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_start_limits_are_the_sources(name: str) -> None:
    t = load_protocol(name).thresholds
    # ANC 1.0 (Cortés; SmPC), WBC 2.0 (Cortés), platelets 50 (SmPC), Hb 8.0 (CTCAE grade 3)
    got = {line: t.lines[line].start_at_least for line in LINES}
    assert got == {"anc": 1.0, "wbc": 2.0, "platelets": 50.0, "hb": 8.0}
    assert all(t.lines[line].hold_grade == 3 for line in LINES)
    assert all(t.lines[line].start_source and t.lines[line].hold_source for line in LINES)


# ---- one table: a count that stops or holds on treatment never passes START ------------

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# plausible ranges of clears.instruments.ctcae.LAB_TESTS: counts from 0, haemoglobin from 1 g/dL
LOWEST = {"anc": 0.0, "wbc": 0.0, "platelets": 0.0, "hb": 1.0}


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("line", LINES)
@given(fraction=st.floats(0.0, 1.0))
@SETTINGS
def test_holding_counts_never_start(name: str, line: str, fraction: float) -> None:
    value = LOWEST[line] + fraction * 100.0
    threshold = load_protocol(name).thresholds.lines[line]
    if threshold.holds(value):
        assert not threshold.starts(value)


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize("line", LINES)
@given(fraction=st.floats(0.0, 1.0), name=st.sampled_from(BUNDLED))
@SETTINGS
def test_start_and_hold_agree_through_advise(
    b: SimpleNamespace, line: str, fraction: float, name: str
) -> None:
    # 0 to 60 (10^9/L) or 1 to 61 (g/dL): both sides of every grade 3 edge
    value = LOWEST[line] + fraction * 60.0
    labs = {**NORMAL, line: value}
    running = on_treatment(b, labs, protocol=name)
    visits = [b.visit(START, clasi_a=10, erythema_max=2, **labs)]
    first = b.advise([], visits, START, protocol=name, **MAN)
    criterion = next(c for c in first.eligibility.criteria if c.id == f"cortes2012.{line}")
    if running.dose.action in {"stop", "hold"}:
        assert criterion.status == "not_met"
        assert first.dose.action != "start"


def _user_protocol(**thresholds: Any) -> dict[str, Any]:
    text = resources.files("clears").joinpath("data/protocol_cortes2012.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["thresholds"] = {**data["thresholds"], **thresholds}
    return data


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        # platelets 30 is the Cortés exclusion, but 30 to < 50 is CTCAE grade 3
        (
            {"platelets": {"start_at_least": 30.0, "start_source": "x", "hold_grade": 3,
                           "hold_source": "y"}},
            "thresholds.platelets.start_at_least",
            "accepts at START a count that holds",
        ),
        (
            {"hb": {"start_at_least": 7.9, "start_source": "x", "hold_grade": 3,
                    "hold_source": "y"}},
            "thresholds.hb.start_at_least",
            "accepts at START",
        ),
        (
            {"anc": {"start_at_least": 1.0, "start_source": "x", "hold_grade": 4,
                     "hold_source": "y"}},
            "thresholds.anc.hold_grade",
            "CTCAE grade",
        ),
        ({"myelosuppression": "pause"}, "thresholds.myelosuppression", "unknown value"),
        ({"myelosuppression": "hold_resume"}, "thresholds.resume_ladder", "needs the dose"),
        ({"resume_ladder": ["10qd"]}, "thresholds.resume_ladder", "only a hold_resume"),
        (
            {"myelosuppression": "hold_resume", "resume_ladder": ["5qd", "10qd"]},
            "thresholds.resume_ladder",
            "highest to the lowest",
        ),
        (
            {"myelosuppression": "hold_resume", "resume_ladder": ["huge"]},
            "thresholds.resume_ladder",
            "unknown regimen",
        ),
        ({"colour": "red"}, "thresholds.colour", "unknown key"),
        ({"severe_flare": "ignore"}, "thresholds.severe_flare", "unknown value"),
        ({"adverse_event_stop_grade": 5}, "thresholds.adverse_event_stop_grade", "whole"),
        ({"source": ""}, "thresholds.source", "non-empty"),
    ],
)  # fmt: skip
def test_threshold_table_rejections_name_the_field(
    edit: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        parse_protocol(_user_protocol(**edit), source="local.toml")
    found = [p for p in info.value.problems if p.field == field]
    assert found, [str(p) for p in info.value.problems]
    assert message in found[0].message
    assert found[0].file == "local.toml"


def test_every_line_must_be_declared() -> None:
    data = _user_protocol()
    del data["thresholds"]["wbc"]
    with pytest.raises(InputError) as info:
        parse_protocol(data)
    assert "thresholds.wbc" in {p.field for p in info.value.problems}


def test_protocol_without_thresholds_gets_the_conservative_defaults() -> None:
    data = _user_protocol()
    del data["thresholds"]
    t = parse_protocol(data).thresholds
    assert (t.myelosuppression, t.adverse_event_stop_grade, t.severe_flare) == ("stop", 3, "stop")
    # CTCAE v5.0 grade 3 edges
    got = {line: t.lines[line].start_at_least for line in LINES}
    assert got == {"anc": 1.0, "wbc": 2.0, "platelets": 50.0, "hb": 8.0}
