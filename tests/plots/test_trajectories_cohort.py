""":func:`clears.plots.assign_timepoints` on whole simulated cohorts, against the rule of its
docstring applied one patient and one week at a time (nearest nominal week, within the
window, one visit per patient and week: the closest, the earlier on a tie)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clears.plots import assign_timepoints, trajectories_figure
from clears.plots._style import to_png
from clears.plots.trajectories import DEFAULT_WEEKS
from clears.simulate import simulate


def _by_the_rule(visits: pd.DataFrame, index: pd.DataFrame, score: str) -> list[tuple]:
    """(patient, week, visit week, value) picked by the rule, patient by patient."""
    first = dict(zip(index["patient_id"], index["index_date"], strict=True))
    grid = list(DEFAULT_WEEKS)
    picked = []
    groups = dict(list(visits.groupby("patient_id", sort=False)[["visit_date", score]]))
    for pid in sorted(set(groups) & set(first)):
        best: dict[float, tuple[float, float, float]] = {}  # week -> (gap, visit week, value)
        for date, value in groups[pid].to_numpy():
            if pd.isna(value):
                continue
            at = (date - first[pid]).days / 7.0
            gaps = [round(abs(at - w), 9) for w in grid]
            week = grid[gaps.index(min(gaps))]  # the first nearest week
            gap = min(gaps)
            if gap > 2.0:
                continue
            if week not in best or (gap, at) < best[week][:2]:
                best[week] = (gap, at, float(value))
        picked += [(pid, float(w), best[w][1], best[w][2]) for w in sorted(best)]
    return picked


@pytest.mark.slow  # over a second in --durations
@pytest.mark.parametrize(("n", "seed"), [(40, 2021), (5_000, 7)])
def test_every_patient_and_week_as_the_rule_picks(n: int, seed: int) -> None:
    cohort = simulate("aitmehdi2021", n, np.random.default_rng(seed))
    starts = cohort.treatments.groupby("patient_id", as_index=False)["start_date"].min()
    index = starts.rename(columns={"start_date": "index_date"})
    got = assign_timepoints(cohort.visits, index)
    assert list(got["score"].unique()) == ["clasi_a", "clasi_d"]  # score, then patient, week
    for score in ("clasi_a", "clasi_d"):
        part = got[got["score"] == score]
        rows = list(zip(part["patient_id"], part["week"], part["visit_week"], part["value"],
                        strict=True))  # fmt: skip
        assert rows == _by_the_rule(cohort.visits, index, score)
    assert got.index.equals(pd.RangeIndex(len(got)))


@pytest.mark.slow
def test_the_scores_come_in_name_order_whatever_order_they_are_asked_in() -> None:
    cohort = simulate("aitmehdi2021", 30, np.random.default_rng(4))
    index = cohort.treatments.groupby("patient_id", as_index=False)["start_date"].min()
    index = index.rename(columns={"start_date": "index_date"})
    one = assign_timepoints(cohort.visits, index, scores=["clasi_d", "clasi_a"])
    other = assign_timepoints(cohort.visits, index, scores=["clasi_a", "clasi_d"])
    pd.testing.assert_frame_equal(one, other)


@pytest.mark.slow  # over a second in --durations
def test_the_figure_given_the_assigned_frame_is_the_figure_without_it() -> None:
    cohort = simulate("aitmehdi2021", 40, np.random.default_rng(2021))
    index = cohort.treatments.groupby("patient_id", as_index=False)["start_date"].min()
    index = index.rename(columns={"start_date": "index_date"})
    assigned = assign_timepoints(cohort.visits, index)
    given = to_png(trajectories_figure(cohort.visits, index, assigned=assigned))
    assert given == to_png(trajectories_figure(cohort.visits, index))
