"""Swimmer plot data from the bundled example cohort, and the figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from clears import InputError
from clears.cohort import read
from clears.outcomes import derive
from clears.plots import swimmer_data, swimmer_figure

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cohort"


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    cohort = read(EXAMPLE)
    return cohort, derive(cohort, ["aitmehdi2021", "cortes2012"])


@pytest.mark.slow
def test_segments_in_days_since_index(data) -> None:  # type: ignore[no-untyped-def]
    cohort, outcomes = data
    sw = swimmer_data(cohort, outcomes)
    p01 = sw.segments[sw.segments["patient_id"] == "P01"]
    # treatments.csv P01: 2019-01-14..2019-03-11 (56 days) at 5 mg, then to 2019-09-02
    # (2019-01-14 + 231 days) at 2.5 mg; the thalidomide course is not drawn
    assert p01[["start_day", "end_day", "dose_mg_per_day"]].values.tolist() == [
        [0.0, 56.0, 5.0],
        [56.0, 231.0, 2.5],
    ]
    assert not p01["ongoing"].any()
    assert sw.criteria == "aitmehdi2021@1.0"


def test_ongoing_period_runs_to_follow_up_end(data) -> None:  # type: ignore[no-untyped-def]
    cohort, outcomes = data
    sw = swimmer_data(cohort, outcomes)
    p03 = sw.segments[sw.segments["patient_id"] == "P03"]
    row = outcomes[(outcomes["patient_id"] == "P03")].iloc[0]
    assert p03["ongoing"].tolist() == [True]
    assert p03["end_day"].iloc[0] == (row["follow_up_end"] - row["index_date"]).days


def test_adverse_events_and_grades(data) -> None:  # type: ignore[no-untyped-def]
    cohort, outcomes = data
    ev = swimmer_data(cohort, outcomes).events
    p02 = ev[(ev["patient_id"] == "P02") & (ev["kind"] == "adverse_event")]
    # adverse_events.csv P02: 2019-04-01 grade 1 (56 days after 2019-02-04), 2019-06-10 grade 2
    assert p02[["day", "grade"]].values.tolist() == [[56.0, 1], [126.0, 2]]


def test_order_is_longest_follow_up_first(data) -> None:  # type: ignore[no-untyped-def]
    cohort, outcomes = data
    sw = swimmer_data(cohort, outcomes)
    rows = outcomes[outcomes["criteria"] == "aitmehdi2021"].set_index("patient_id")
    span = (rows["follow_up_end"] - rows["index_date"]).dt.days
    assert [span[p] for p in sw.order] == sorted(span, reverse=True)


def test_unknown_preset_rejected(data) -> None:  # type: ignore[no-untyped-def]
    cohort, outcomes = data
    with pytest.raises(InputError, match="clasi50"):
        swimmer_data(cohort, outcomes, criteria="clasi50")


def test_figure_has_one_bar_per_segment(data) -> None:  # type: ignore[no-untyped-def]
    cohort, outcomes = data
    sw = swimmer_data(cohort, outcomes, criteria="cortes2012")
    fig = swimmer_figure(sw)
    assert len(fig.axes[0].patches) == len(sw.segments)
    assert "cortes2012@1.0" in fig.axes[0].get_title()
