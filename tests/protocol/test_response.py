"""Decision support reads response and relapse from the criteria preset its protocol names.

Sources: Cortés-Hernández 2012 (doi:10.1186/ar4111), Methods: "complete response (CR) as a
complete resolution of the inflammatory rash (CLASI activity score = 0); partial response (PR)
by at least a 50% improvement in the CLASI score ... when compared to baseline, and no
response when no improvement or worsening"; relapse "a new CLASI ≥ 4 in those who previously
achieved CR". Braunstein 2012 / Okon: response is a decrease of at least 4 CLASI-A points.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from clears import InputError
from clears.criteria import get
from clears.outcomes import BASELINE_WINDOW_DAYS as OUTCOMES_WINDOW
from clears.protocol import load_protocol, parse_protocol
from clears.protocol._baseline import BASELINE_WINDOW_DAYS, baseline_value
from clears.protocol._patient import patient_data
from clears.protocol._response import category, category_of, classify, relapse_flags


def _bundled(name: str) -> dict[str, Any]:
    text = resources.files("clears").joinpath("data", f"protocol_{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_bundled_protocols_name_the_paper_preset_and_restate_nothing() -> None:
    # Issue 12, hazard 11: one definition of response per paper.
    assert load_protocol("cortes2012").response is get("cortes2012")
    assert load_protocol("okon_braunstein").response is get("braunstein2012")
    for name in ("cortes2012", "okon_braunstein"):
        assert set(_bundled(name)["response"]) == {"criteria"}


def test_a_restated_threshold_is_refused_with_the_preset_to_name() -> None:
    doc = _bundled("cortes2012")
    doc["response"] = {"criteria": "cortes2012", "partial_fraction": 0.5}
    with pytest.raises(InputError) as err:
        parse_protocol(doc)
    (problem,) = err.value.problems
    assert problem.field == "response.partial_fraction"
    assert "criteria preset" in problem.message


@pytest.mark.parametrize(
    ("response", "field"),
    [({}, "response.criteria"), ({"criteria": "nope"}, "response.criteria")],
)
def test_a_missing_or_unknown_preset_is_refused(response: dict[str, Any], field: str) -> None:
    doc = _bundled("cortes2012")
    doc["response"] = response
    with pytest.raises(InputError) as err:
        parse_protocol(doc)
    assert [p.field for p in err.value.problems] == [field]


def test_a_user_preset_file_can_be_named(tmp_path: Path) -> None:
    preset = tmp_path / "local.toml"
    preset.write_text(
        'name = "local"\nversion = "1"\ntitle = "Local"\n[reference]\ncitation = "Local"\n'
        "[response]\ncomplete_max = 0\n[response.partial]\npercent = 75\n",
        encoding="utf-8",
    )
    doc = _bundled("cortes2012")
    doc["response"] = {"criteria": str(preset)}
    assert parse_protocol(doc).response.label == "local@1"


@pytest.mark.parametrize(
    ("baseline", "current", "status", "preset_category"),
    [
        # Cortés 2012: partial is >= 50 % of baseline: 10 -> 5 is exactly 50 %, 10 -> 6 is 40 %.
        (10, 5, "partial", "partial"),
        (10, 6, "improved", "none"),
        # 20 -> 10 is 50 %; 100 x (20 - 10.2) / 20 = 49 %.
        (20, 10, "partial", "partial"),
        (20, 10.2, "improved", "none"),
        # "no response when no improvement or worsening".
        (10, 10, "none", "none"),
        (10, 12, "none", "none"),
        # CR is CLASI-A = 0: 0 is complete, 1 is not (1/10 = 90 % is partial).
        (10, 0, "complete", "complete"),
        (10, 1, "partial", "partial"),
        # Baseline 0 has no percentage (docs/criteria.md): not evaluable.
        (0, 0, "unknown", "not_evaluable"),
        (None, 3, "unknown", "not_evaluable"),
    ],
)
def test_status_is_the_preset_category_refined_for_dosing(
    baseline: float | None, current: float, status: str, preset_category: str
) -> None:
    preset = get("cortes2012")
    assert classify(baseline, current, preset) == status
    assert category(baseline, current, preset) == preset_category
    assert category_of(status) == preset_category


def test_braunstein_response_is_a_four_point_fall() -> None:
    # Braunstein 2012: response = a decrease of at least 4 points (reported as partial).
    preset = get("braunstein2012")
    assert classify(10, 6, preset) == "partial"
    assert classify(10, 7, preset) == "improved"


def test_relapse_is_a_new_clasi_of_four_after_complete_response() -> None:
    # Cortés 2012: relapse "a new CLASI >= 4 in those who previously achieved CR": 3 is not
    # a relapse, 4 is; a 4 before any CR is not.
    preset = get("cortes2012")
    assert relapse_flags(10, [0, 3], preset) == (False, False)
    assert relapse_flags(10, [0, 4], preset) == (False, True)
    assert relapse_flags(10, [4, 0], preset) == (False, False)
    assert relapse_flags(10, [5, 4, 6], preset) == (False, False, False)


def test_relapse_by_rise_above_the_nadir() -> None:
    # aitmehdi2021 preset: after a minimal response, a rise of at least 4 points above the
    # lowest score since (preset notes). 20 -> 16 (minimal) -> 12 -> 15 (+3) -> 16 (+4).
    preset = get("aitmehdi2021")
    assert relapse_flags(20, [16, 12, 15, 16], preset) == (False, False, False, True)


def test_no_relapse_rule_no_relapse() -> None:
    assert relapse_flags(10, [0, 9], get("klein2011")) == (False, False)


def test_baseline_window_is_the_outcome_engines(b: SimpleNamespace) -> None:
    # clears.outcomes: baseline is the last CLASI-A on or before the index date and at most
    # BASELINE_WINDOW_DAYS (30) before it; on one day with two values the highest (its rows
    # are sorted by day then score and the last wins). 2023-12-02 is 30 days before
    # 2024-01-01, 2023-12-01 is 31.
    assert BASELINE_WINDOW_DAYS == OUTCOMES_WINDOW == 30

    def base(visits: list[dict[str, Any]]) -> Any:
        cohort = b.cohort(
            patients=[b.patient()], treatments=[b.period("2024-01-01", 5)], visits=visits
        )
        return baseline_value(patient_data(cohort, "P1", dt.date(2024, 2, 1)), "clasi_a")

    assert base([b.visit("2023-12-02", clasi_a=12)]) == (dt.date(2023, 12, 2), 12.0)
    assert base([b.visit("2023-12-01", clasi_a=12)]) is None
    assert base([b.visit("2024-01-02", clasi_a=12)]) is None  # after the first dose
    same_day = [b.visit("2024-01-01", clasi_a=9), b.visit("2024-01-01", clasi_a=11)]
    assert base(same_day) == (dt.date(2024, 1, 1), 11.0)
