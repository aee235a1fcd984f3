"""The dose timeline of the patient page (clears.web._dose_chart) and its inline SVG.

Geometry by hand: time runs over ``width`` units from the first start to the last end, and
a bar's height is ``height x dose / highest dose``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from tests.web._setup import sign_in

from clears.registry._records import Record
from clears.web._dose_chart import dose_timeline

Client = Callable[[], TestClient]
AS_OF = dt.date(2024, 3, 1)


def _period(i: int, **data: Any) -> Record:
    return Record("treatments", i, "P", 1, {"drug": "lenalidomide", **data})


def test_two_periods_worked_example() -> None:
    rows = [
        _period(
            1, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 1, 21), dose_mg_per_day=5
        ),
        _period(
            2, start_date=dt.date(2024, 1, 21), end_date=dt.date(2024, 2, 10), dose_mg_per_day=20
        ),
    ]
    chart = dose_timeline(rows, as_of=AS_OF, width=400, height=100)
    # 40 days over 400 units = 10 units a day; 5 of 20 mg/day is a quarter of 100.
    assert [(b.x, b.width, b.y, b.height) for b in chart.bars] == [
        (0.0, 200.0, 75.0, 25.0),
        (200.0, 200.0, 0.0, 100.0),
    ]
    assert (chart.maximum, chart.first, chart.last) == (20.0, "2024-01-01", "2024-02-10")
    assert not any(b.ongoing for b in chart.bars)
    assert chart.bars[0].label == "lenalidomide 5 mg/day, 2024-01-01 to 2024-01-21"


def test_ongoing_period_runs_to_the_page_date() -> None:
    rows = [_period(1, start_date=dt.date(2024, 2, 1), dose_mg_per_day=10)]
    chart = dose_timeline(rows, as_of=AS_OF)
    # 1 Feb to 1 Mar 2024 (leap year): 29 days, the whole width.
    (bar,) = chart.bars
    assert (bar.x, bar.width, bar.end, bar.ongoing) == (0.0, 600.0, "2024-03-01", True)
    assert bar.label.endswith("2024-03-01 (ongoing)")
    later = dose_timeline(rows, as_of=dt.date(2024, 3, 2)).bars[0]
    assert later.end == "2024-03-02"


def test_unknown_dose_is_a_thin_marked_bar_and_dateless_periods_are_left_out() -> None:
    rows = [
        _period(1, start_date="2024-01-01", end_date="2024-01-11", dose_mg_per_day=None),
        _period(2, start_date=None, dose_mg_per_day=25),
    ]
    (bar,) = dose_timeline(rows, as_of=AS_OF).bars
    assert (bar.dose_mg_per_day, bar.height, bar.y) == (None, 4.0, 116.0)
    assert "dose not recorded" in bar.label


def test_no_period_gives_an_empty_chart() -> None:
    chart = dose_timeline([], as_of=AS_OF)
    assert chart.bars == ()
    assert chart.maximum == 0.0


def test_a_same_day_period_stays_visible() -> None:
    rows = [
        _period(1, start_date="2024-01-01", end_date="2024-01-01", dose_mg_per_day=10),
        _period(2, start_date="2024-01-02", end_date="2024-01-31", dose_mg_per_day=10),
    ]
    assert dose_timeline(rows, as_of=AS_OF).bars[0].width == 1.0


@given(
    days=st.integers(1, 400),
    dose=st.floats(0.5, 50),
    other=st.floats(0.5, 50),
    shift=st.integers(1, 100),
)
def test_every_input_changes_the_chart(days: int, dose: float, other: float, shift: int) -> None:
    start = dt.date(2024, 1, 1)
    end = start + dt.timedelta(days=days)

    def chart(first_dose: float, first_end: dt.date) -> tuple[tuple[float, ...], ...]:
        rows = [
            _period(1, start_date=start, end_date=first_end, dose_mg_per_day=first_dose),
            _period(
                2,
                start_date=first_end,
                end_date=end + dt.timedelta(days=days),
                dose_mg_per_day=other,
            ),
        ]
        return tuple((b.x, b.width, b.y, b.height) for b in dose_timeline(rows, as_of=AS_OF).bars)

    base = chart(dose, end)
    if round(dose, 1) != round(other, 1) and max(dose, other) / min(dose, other) > 1.01:
        assert chart(other, end) != base  # dose
    assert chart(dose, end + dt.timedelta(days=shift)) != base  # end date


@pytest.mark.slow
def test_patient_page_draws_the_dose_bars(make_client: Client) -> None:
    client = make_client()
    csrf = sign_in(client, "inv_bcn")
    # Seed: lenalidomide 10 mg/day from 2024-01-01, ongoing; the dose change to 5 mg/day on
    # 2024-02-01 ends that period and starts a new one (periods of a drug may not overlap).
    ended = client.patch(
        "/api/patients/P1/records/treatments/1",
        json={"version": 1, "changes": {"end_date": "2024-02-01"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert ended.status_code == 200, ended.text
    added = client.post(
        "/api/patients/P1/records/treatments",
        json={"values": {"drug": "lenalidomide", "start_date": "2024-02-01", "dose_mg_per_day": 5}},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 201, added.text
    page = client.get("/patients/P1").text
    figure = page.split('id="dose-timeline"', 1)[1].split("</figure>", 1)[0]
    heights = [
        float(h) for h in re.findall(r'class="dose-bar[^"]*"[^>]*height="([0-9.]+)"', figure)
    ]
    # 10 mg/day is the top (120 units), 5 mg/day half of it.
    assert sorted(heights) == [60.0, 120.0]
    assert "lenalidomide 5 mg/day, 2024-02-01 to" in figure
    assert "<svg" in figure
    assert "<script" not in figure
