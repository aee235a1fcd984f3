"""SLE flares from consecutive SLEDAI totals, combined with the flares table.

Thresholds: Cortés-Hernández 2012 (doi:10.1186/ar4111, Methods: a SLEDAI increase > 3 is a
mild flare, > 12 a severe one), preset ``cortes2012``; the SELENA flare index (Petri 2005;
docs/instruments/flare.md: increase ≥ 3 mild/moderate, severe when the score goes to
> 12), preset ``aitmehdi2021``. ``klein2011`` has no flare rule. Day numbers count from the
index date 2020-01-01.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clears import InputError
from clears.cohort import Cohort
from clears.outcomes import COLUMNS, derive

from ._build import cohort, period

START = "2020-01-01"


def sv(pid: str, date: str, score: float | None) -> dict[str, object]:
    """A visit with a SLEDAI total (and a CLASI-A, so the patient is evaluable)."""
    return {"patient_id": pid, "visit_date": date, "clasi_a": 10.0, "sledai": score}


def run(c: Cohort, preset: str, **kw: object) -> pd.DataFrame:
    return derive(c, [preset], as_of="2020-12-31", **kw).set_index("patient_id")  # type: ignore[arg-type]


def pair(pid: str, before: float, after: float) -> list[dict[str, object]]:
    """Baseline on the index date, then a second total on day 31 (2020-02-01)."""
    return [sv(pid, START, before), sv(pid, "2020-02-01", after)]


# Mild edges: change 3 (2 -> 5) and change 4 (2 -> 6). Severe edges: change 12 (0 -> 12),
# change 13 (0 -> 13); the SFI "to > 12" reading: 10 -> 13 (change 3 to 13), 9 -> 12 (change
# 3 to 12, not above 12), 10 -> 12 (change 2).
PAIRS = {
    "C3": (2, 5),
    "C4": (2, 6),
    "C12": (0, 12),
    "C13": (0, 13),
    "T13": (10, 13),
    "T12": (9, 12),
    "D2": (10, 12),
}
EDGES = cohort(
    [period(pid, START, None, 5) for pid in PAIRS],
    [v for pid, (a, b) in PAIRS.items() for v in pair(pid, a, b)],
)


@pytest.mark.parametrize(
    ("pid", "cortes", "sfi"),
    [
        ("C3", "none", "mild"),  # 3 is not > 3 (Cortés); 3 >= 3 (SFI)
        ("C4", "mild", "mild"),  # 4 > 3; 4 >= 3, to 6 (not > 12)
        ("C12", "mild", "mild"),  # 12 > 3 but not > 12; SFI: +12 takes it to 12, not > 12
        ("C13", "severe", "severe"),  # 13 > 12; +13 takes the score to 13 > 12
        ("T13", "none", "severe"),  # change 3: not > 3; SFI: +3 to 13 > 12
        ("T12", "none", "mild"),  # change 3: not > 3; SFI: +3 to 12, not > 12
        ("D2", "none", "none"),  # change 2 under both
    ],
)
def test_threshold_edges_under_each_rule(pid: str, cortes: str, sfi: str) -> None:
    for preset, expected in (("cortes2012", cortes), ("aitmehdi2021", sfi)):
        row = run(EDGES, preset).loc[pid]
        assert bool(row["sle_flare"]) is (expected != "none"), (preset, pid)
        assert bool(row["sle_flare_severe"]) is (expected == "severe"), (preset, pid)
        if expected == "none":
            assert np.isnan(row["time_to_sle_flare_days"])
            assert row["sle_flare_source"] is None
        else:
            assert row["time_to_sle_flare_days"] == 31  # 2020-01-01 -> 2020-02-01
            assert row["sle_flare_source"] == "sledai"


def test_cortes_changes_are_from_baseline_sfi_changes_from_the_previous_visit() -> None:
    # Issue 12, hazard 11: the reference visit is declared once per rule
    # (clears.instruments.flare.Rule.reference_visit). Cortés-Hernández 2012, Methods: "a
    # mild flare was defined as a change in SLEDAI score greater than 3", a change from
    # baseline. 0 (day 0) -> 3 (day 31) -> 6 (day 60): 6 - 0 = 6 > 3 at day 60, although each
    # step is 3. SFI (previous visit): 3 >= 3 at day 31 already.
    c = cohort(
        [period("P", START, None, 5)],
        [sv("P", START, 0), sv("P", "2020-02-01", 3), sv("P", "2020-03-01", 6)],
    )
    assert run(c, "cortes2012").loc["P", "time_to_sle_flare_days"] == 60
    assert run(c, "aitmehdi2021").loc["P", "time_to_sle_flare_days"] == 31


def test_cortes_baseline_is_taken_within_the_baseline_window() -> None:
    # The baseline total is the last on or before the index date and at most 30 days before
    # it (clears.outcomes BASELINE_WINDOW_DAYS): 0 on 2019-12-02 (30 days before) is the
    # baseline of A, 5 > 3 on day 31 is a flare; 0 on 2019-12-01 (31 days before) is no
    # baseline for B, so no change can be measured.
    c = cohort(
        [period(p, START, None, 5) for p in "AB"],
        [
            sv("A", "2019-12-02", 0),
            sv("A", "2020-02-01", 5),
            sv("B", "2019-12-01", 0),
            sv("B", "2020-02-01", 5),
        ],
    )
    assert run(c, "cortes2012")["sle_flare"].tolist() == [True, False]


def test_visits_without_a_total_are_skipped() -> None:
    # 2 (day 0), blank (day 31), 6 (day 60): the change 6 - 2 = 4 > 3 is dated day 60
    c = cohort(
        [period("P", START, None, 5)],
        [sv("P", START, 2), sv("P", "2020-02-01", None), sv("P", "2020-03-01", 6)],
    )
    assert run(c, "cortes2012").loc["P", "time_to_sle_flare_days"] == 60


def test_first_flare_date_and_severity_over_several_changes() -> None:
    # 0 -> 4 (day 31, mild: 4 > 3) -> 2 -> 16 (day 91, severe: 14 > 12)
    c = cohort(
        [period("P", START, None, 5)],
        [
            sv("P", START, 0),
            sv("P", "2020-02-01", 4),
            sv("P", "2020-03-01", 2),
            sv("P", "2020-04-01", 16),
        ],
    )
    row = run(c, "cortes2012").loc["P"]
    assert (row["time_to_sle_flare_days"], bool(row["sle_flare_severe"])) == (31, True)


def test_window_previous_visit_may_precede_index_but_flare_must_follow_it() -> None:
    # A: 0 on 2019-12-01, 5 on the index date (day 0): not after the index date, no flare.
    # B: 0 on 2019-12-02 (baseline, 30 days before), 5 on 2020-01-02 (day 1): a flare
    #    (5 > 3) on day 1.
    # C: 0 at day 0, 5 on 2021-01-05, after as_of 2020-12-31: outside follow-up.
    c = cohort(
        [period(p, START, None, 5) for p in "ABC"],
        [
            sv("A", "2019-12-01", 0),
            sv("A", START, 5),
            sv("B", "2019-12-02", 0),
            sv("B", "2020-01-02", 5),
            sv("C", START, 0),
            sv("C", "2021-01-05", 5),
        ],
    )
    out = run(c, "cortes2012")
    assert out["sle_flare"].tolist() == [False, True, False]
    assert out.loc["B", "time_to_sle_flare_days"] == 1


def test_union_with_the_flares_table() -> None:
    # A: SLEDAI 0 -> 13 at day 60 (severe) and a mild table flare at day 31: first day 31,
    #    severe (max of the two), source both.
    # B: table flare only (mild, day 100): source flares_table.
    # C: SLEDAI 0 -> 4 at day 31 (mild) only: source sledai.
    # D: nothing: no flare, source missing.
    c = cohort(
        [period(p, START, None, 5) for p in "ABCD"],
        [
            sv("A", START, 0),
            sv("A", "2020-03-01", 13),
            sv("B", START, 0),
            sv("C", START, 0),
            sv("C", "2020-02-01", 4),
            sv("D", START, 0),
        ],
        flares=[
            {"patient_id": "A", "flare_date": "2020-02-01", "severity": "mild"},
            {"patient_id": "B", "flare_date": "2020-04-10", "severity": "mild"},
        ],
    )
    out = run(c, "cortes2012")
    assert out["sle_flare"].tolist() == [True, True, True, False]
    assert out["sle_flare_severe"].tolist() == [True, False, False, False]
    assert out["time_to_sle_flare_days"].tolist()[:3] == [31, 100, 31]
    assert out["sle_flare_source"].tolist() == ["both", "flares_table", "sledai", None]


def test_preset_without_flare_rule_uses_the_table_only() -> None:
    # klein2011 defines no flare: 0 -> 13 in SLEDAI is not read; the table flare still counts
    c = cohort(
        [period("A", START, None, 5), period("B", START, None, 5)],
        [sv("A", START, 0), sv("A", "2020-02-01", 13), sv("B", START, 0)],
        flares=[{"patient_id": "B", "flare_date": "2020-02-01", "severity": "severe"}],
    )
    out = run(c, "klein2011")
    assert out["sle_flare"].tolist() == [False, True]
    assert out["sle_flare_source"].tolist() == [None, "flares_table"]
    both = derive(c, ["klein2011", "cortes2012"], as_of="2020-12-31")
    assert both["sle_flare"].tolist() == [False, True, True, True]  # per preset
    assert list(both.columns) == list(COLUMNS)


def test_new_sle_ignores_sledai_increases() -> None:
    # A SLEDAI rise in a patient without SLE scores skin items; it is not taken as new SLE
    c = cohort(
        [period("A", START, None, 5)],
        [sv("A", START, 0), sv("A", "2020-02-01", 6)],
        patients=[{"patient_id": "A", "centre": "X", "sle": False}],
    )
    row = run(c, "cortes2012").loc["A"]
    assert bool(row["sle_flare"])
    assert not bool(row["new_sle"])


@pytest.mark.parametrize("bad", [4.5, -1.0, 106.0, "high"])
def test_a_sledai_that_is_not_a_total_is_rejected(bad: object) -> None:
    c = cohort([period("A", START, None, 5)], [sv("A", START, 0), sv("A", "2020-02-01", bad)])  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        run(c, "cortes2012")
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.field, problem.value) == ("visits", 2, "sledai", bad)
    assert (problem.message, problem.allowed) == (
        "is not a SLEDAI-2K total",
        "a whole number 0 to 105",
    )


def _random(seed: int) -> Cohort:
    rng = np.random.default_rng(seed)
    treatments: list[dict[str, object]] = []
    visits: list[dict[str, object]] = []
    flares: list[dict[str, object]] = []
    for i in range(6):
        pid = f"P{i}"
        treatments.append(period(pid, START, None, 5))
        for _ in range(int(rng.integers(1, 7))):
            # few distinct dates, so same-day visits (ties) occur
            date = pd.Timestamp(START) + pd.Timedelta(days=int(rng.integers(-20, 200)) // 20 * 20)
            score = float(rng.integers(0, 20)) if rng.random() > 0.15 else None
            visits.append(sv(pid, str(date.date()), score))
        if rng.random() < 0.3:
            day = pd.Timestamp(START) + pd.Timedelta(days=int(rng.integers(1, 200)))
            sev = str(rng.choice(["mild", "severe"]))
            flares.append({"patient_id": pid, "flare_date": str(day.date()), "severity": sev})
    return cohort(treatments, visits, flares=flares)


@pytest.mark.slow  # over a second in --durations
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_row_order_never_changes_flares(seed: int) -> None:
    c = _random(seed)
    presets = ["aitmehdi2021", "cortes2012", "klein2011"]
    before = derive(c, presets)
    shuffled = Cohort(
        patients=c.patients,
        treatments=c.treatments.sample(frac=1, random_state=seed),
        visits=c.visits.sample(frac=1, random_state=seed + 1),
        adverse_events=c.adverse_events,
        flares=c.flares.sample(frac=1, random_state=seed + 2),
    )
    pd.testing.assert_frame_equal(before, derive(shuffled, presets))


def test_inputs_are_not_mutated() -> None:
    before = EDGES.visits.copy()
    derive(EDGES, ["cortes2012", "aitmehdi2021"])
    pd.testing.assert_frame_equal(EDGES.visits, before)
