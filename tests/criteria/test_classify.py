"""Vectorised response classification: every band edge on both sides."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clears import InputError
from clears.criteria import classify_response, get, parse, rank_response


def classify(preset: str, baseline: list[float], followup: list[float]) -> list[str]:
    return list(classify_response(baseline, followup, get(preset)))


def test_aitmehdi_edges() -> None:
    # Aitmehdi 2021: minimal = >= 4 points or >= 20 %; partial >= 50 %; complete = 0.
    # 30 -> 27: 3 points, 10 %: none.   30 -> 26: 4 points (13 %): minimal.
    # 30 -> 24: 6 points = 20 %: minimal.  10 -> 8: 2 points = 20 %: minimal (percent arm).
    # 10 -> 9: 1 point, 10 %: none.     10 -> 5: exactly 50 %: partial.
    # 10 -> 6: 40 %: minimal (4 points).  1 -> 0: complete.  9 -> 5: 44 %: minimal.
    assert classify(
        "aitmehdi2021", [30, 30, 30, 10, 10, 10, 10, 1, 9], [27, 26, 24, 8, 9, 5, 6, 0, 5]
    ) == [
        "none",
        "minimal",
        "minimal",
        "minimal",
        "none",
        "partial",
        "minimal",
        "complete",
        "minimal",
    ]


def test_exactly_fifty_percent_with_odd_baseline() -> None:
    # 7 -> 3.5 is exactly 50 % (3.5 * 100 = 50 * 7); 7 -> 3.6 is 48.6 %.
    assert classify("cortes2012", [7, 7], [3.5, 3.6]) == ["partial", "none"]


def test_worsening_is_none() -> None:
    assert classify("aitmehdi2021", [10], [14]) == ["none"]


def test_baseline_zero_is_not_evaluable_for_percent_presets_only() -> None:
    # Percentage change is undefined at baseline 0 (Klein 2011; docs/criteria.md).
    for name in ("aitmehdi2021", "cortes2012", "klein2011", "clasi50"):
        assert classify(name, [0], [0]) == ["not_evaluable"], name
    # Braunstein uses points only: 0 cannot fall by 4, so no response.
    assert classify("braunstein2012", [0], [0]) == ["none"]


def test_braunstein_four_point_edge() -> None:
    # Braunstein 2012: response = decrease >= 4 points.  12 -> 8 (4): yes; 12 -> 9 (3): no.
    assert classify("braunstein2012", [12, 12], [8, 9]) == ["partial", "none"]


def test_clasi50_baseline_minimum_edge() -> None:
    # CLASI-50 is read only when baseline >= 10 (TULIP pooled analyses).
    # 10 -> 5 (50 %): partial; 9 -> 0: not evaluable (baseline below 10).
    assert classify("clasi50", [10, 9, 10], [5, 0, 6]) == ["partial", "not_evaluable", "none"]


def test_klein_any_versus_all() -> None:
    # 30 -> 26 is 4 points but 13 %: meaningful under "any", not under "all".
    # 10 -> 8 is 20 % but 2 points: same.  30 -> 24 is 6 points and 20 %: both.
    anyrule = get("klein2011")
    doc = {
        "name": "klein_all",
        "version": "1",
        "title": "Klein, both parts",
        "reference": {"citation": "Klein 2011"},
        "response": {"minimal": {"points": 4, "percent": 20, "combine": "all"}},
    }
    allrule = parse(doc)
    base, follow = [30, 10, 30], [26, 8, 24]
    assert list(classify_response(base, follow, anyrule)) == ["minimal"] * 3
    assert list(classify_response(base, follow, allrule)) == ["none", "none", "minimal"]


def test_missing_values_are_not_evaluable() -> None:
    assert classify("aitmehdi2021", [np.nan, 10], [0, np.nan]) == ["not_evaluable"] * 2


def test_scalar_broadcast_and_rank() -> None:
    assert rank_response(20, [20, 16, 10, 0], get("aitmehdi2021")).tolist() == [0, 1, 2, 3]


def test_out_of_range_is_rejected_with_allowed() -> None:
    with pytest.raises(InputError) as info:
        classify("aitmehdi2021", [71, 10], [10, -1])
    fields = [(p.field, p.value) for p in info.value.problems]
    assert fields == [("baseline", 71.0), ("followup", -1.0)]
    assert info.value.problems[0].allowed == "0 to 70 (CLASI-A)"


scores = st.integers(min_value=0, max_value=70)


@pytest.mark.slow
@given(st.lists(st.tuples(scores, scores), min_size=1, max_size=30))
def test_order_of_rows_never_matters(pairs: list[tuple[int, int]]) -> None:
    base = np.array([b for b, _ in pairs], dtype=float)
    follow = np.array([f for _, f in pairs], dtype=float)
    perm = np.arange(len(pairs))[::-1]
    preset = get("aitmehdi2021")
    forward = classify_response(base, follow, preset)
    backward = classify_response(base[perm], follow[perm], preset)
    assert list(forward[perm]) == list(backward)


@given(scores.filter(lambda b: b > 0), scores, scores)
def test_lower_followup_never_gives_a_worse_category(base: int, f1: int, f2: int) -> None:
    lo, hi = min(f1, f2), max(f1, f2)
    for name in ("aitmehdi2021", "cortes2012", "klein2011", "braunstein2012"):
        r = rank_response([base, base], [lo, hi], get(name))
        assert r[0] >= r[1]


@given(scores.filter(lambda b: b > 0), scores)
def test_matches_the_definition_written_out(base: int, follow: int) -> None:
    # Aitmehdi 2021 written directly from the paper's words, with exact fractions.
    drop = base - follow
    if follow == 0:
        expected = "complete"
    elif drop * 2 >= base:
        expected = "partial"
    elif drop >= 4 or drop * 5 >= base:
        expected = "minimal"
    else:
        expected = "none"
    assert classify("aitmehdi2021", [base], [follow]) == [expected]
