"""CLASI time-course: placing visits at nominal weeks, mean ± SEM, and the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clears import InputError
from clears.plots import assign_timepoints, timecourse_summary, to_png, trajectories_figure

INDEX = pd.DataFrame({"patient_id": ["a", "b"], "index_date": pd.to_datetime(["2020-01-01"] * 2)})


def _visits(days: list[int], values: list[float], pid: str = "a") -> pd.DataFrame:
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")
    return pd.DataFrame({"patient_id": pid, "visit_date": dates, "clasi_a": values})


def test_visit_goes_to_nearest_week() -> None:
    # day 20 = 2.86 weeks: nearest nominal week is 2 (0.86 away) not 4 (1.14 away)
    out = assign_timepoints(_visits([0, 20], [10, 5]), INDEX, scores=["clasi_a"])
    assert out["week"].tolist() == [0.0, 2.0]
    assert out["visit_week"].round(4).tolist() == [0.0, round(20 / 7, 4)]


@pytest.mark.parametrize(("day", "kept"), [(14 + 14, True), (14 + 15, False)])
def test_window_edge(day: int, kept: bool) -> None:
    # weeks (0, 2): day 28 is exactly 2 weeks from week 2 (kept), day 29 is 2.14 (dropped)
    out = assign_timepoints(
        _visits([day], [3]), INDEX, weeks=(0, 2), window_weeks=2.0, scores=["clasi_a"]
    )
    assert len(out) == int(kept)


def test_closest_visit_wins_and_earlier_on_tie() -> None:
    # days 12 and 16 are both 2 days from week 2 (day 14): the earlier (value 7) is kept;
    # day 13 (1 day away) beats both.
    tie = assign_timepoints(_visits([12, 16], [7, 9]), INDEX, weeks=(0, 2), scores=["clasi_a"])
    assert tie["value"].tolist() == [7.0]
    near = assign_timepoints(
        _visits([12, 13, 16], [7, 8, 9]), INDEX, weeks=(0, 2), scores=["clasi_a"]
    )
    assert near["value"].tolist() == [8.0]


def test_missing_scores_and_unknown_patients_dropped() -> None:
    visits = pd.concat([_visits([0, 14], [4, np.nan]), _visits([0], [6], pid="zzz")])
    out = assign_timepoints(visits, INDEX, scores=["clasi_a"])
    assert out[["patient_id", "week"]].values.tolist() == [["a", 0.0]]


def test_summary_matches_numpy() -> None:
    values = [2.0, 5.0, 11.0, 4.0]
    assigned = pd.DataFrame({"score": "clasi_a", "week": 0.0, "value": values})
    row = timecourse_summary(assigned).iloc[0]
    # independent: numpy mean, np.std(ddof=1), SEM = SD / sqrt(n)
    assert row["n"] == 4
    assert row["mean"] == pytest.approx(np.mean(values))
    assert row["sd"] == pytest.approx(np.std(values, ddof=1))
    assert row["sem"] == pytest.approx(np.std(values, ddof=1) / 2.0)


def test_summary_single_value_has_no_sem() -> None:
    row = timecourse_summary(pd.DataFrame({"score": "x", "week": 0.0, "value": [3.0]})).iloc[0]
    assert np.isnan(row["sem"])


def test_every_value_changes_the_mean() -> None:
    base = [5.0, 6.0, 7.0]
    for k in range(3):
        bumped = list(base)
        bumped[k] += 1
        a = timecourse_summary(pd.DataFrame({"score": "x", "week": 0.0, "value": base}))
        b = timecourse_summary(pd.DataFrame({"score": "x", "week": 0.0, "value": bumped}))
        assert b["mean"].iloc[0] != a["mean"].iloc[0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weeks": (0, 4, 2)}, "weeks"),
        ({"weeks": ()}, "weeks"),
        ({"window_weeks": 0}, "window_weeks"),
    ],
)
def test_rejections(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        assign_timepoints(_visits([0], [1]), INDEX, scores=["clasi_a"], **kwargs)  # type: ignore[arg-type]
    assert info.value.problems[0].field == field


def test_missing_column_named() -> None:
    with pytest.raises(InputError, match="clasi_d"):
        assign_timepoints(_visits([0], [1]), INDEX, scores=["clasi_a", "clasi_d"])


def test_figure_without_scores_rejected() -> None:
    with pytest.raises(InputError, match="clasi_a"):
        trajectories_figure(_visits([0], [1]).drop(columns="clasi_a"), INDEX)


@pytest.mark.slow
def test_figure_draws_two_panels_and_leaves_inputs_alone() -> None:
    visits = pd.concat([_visits([0, 14, 30], [10, 6, 2]), _visits([0, 15], [8, 8], pid="b")])
    visits["clasi_d"] = 1.0
    before = visits.copy()
    fig = trajectories_figure(visits, INDEX)
    assert len(fig.axes) == 2
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "CLASI-A (activity)",
        "CLASI-D (damage)",
    ]
    assert to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    pd.testing.assert_frame_equal(visits, before)


def test_each_patient_is_one_line_through_their_visits_in_date_order() -> None:
    # Patient b's visits are given out of date order and before a's; a visit without a
    # CLASI-A is left out. Expected points: weeks = days / 7, the visit's own score.
    visits = pd.concat(
        [
            _visits([15, 0], [8, 9], pid="b"),
            _visits([0, 14, 30], [10, 6, 2]),
            _visits([7], [np.nan]),
        ]
    )
    right = trajectories_figure(visits, INDEX).axes[1]
    (lines,) = right.collections
    segments = [segment.tolist() for segment in lines.get_segments()]
    assert segments == [
        [[0.0, 10.0], [2.0, 6.0], [30 / 7, 2.0]],
        [[0.0, 9.0], [15 / 7, 8.0]],
    ]
    (dots,) = right.lines
    assert len(dots.get_xdata()) == 5
    assert right.get_title() == "Individual trajectories (n = 2)"
    low, high = right.get_xlim()
    assert low <= 0.0
    assert high >= 30 / 7
