"""Kaplan–Meier figure: at-risk table numbers and tick choice."""

from __future__ import annotations

import pandas as pd
import pytest

from clears import InputError
from clears.analysis import kaplan_meier
from clears.plots import km_figure, to_svg
from clears.plots.survival import at_risk_times


@pytest.mark.parametrize(
    ("longest", "expected_step"),
    [(42, 7), (43, 14), (540, 90), (541, 180), (4380, 730), (9000, 730)],
)
def test_at_risk_step_edges(longest: float, expected_step: float) -> None:
    # 42 / 7 = 6 steps (allowed), 43 / 7 > 6 -> 14; 540 / 90 = 6, 541 / 90 > 6 -> 180
    times = at_risk_times(longest)
    assert times[0] == 0.0
    assert times[1] - times[0] == expected_step


def test_at_risk_rejects_negative() -> None:
    with pytest.raises(InputError, match="longest"):
        at_risk_times(-1)


@pytest.mark.slow
def test_at_risk_row_matches_hand_count() -> None:
    data = pd.DataFrame(
        {"t": [10, 20, 30, 95, 200, 250], "e": [1, 0, 1, 1, 0, 1], "g": list("aaabbb")}
    )
    km = kaplan_meier(data, duration="t", event="e", group="g")
    fig = km_figure(km, times=[0, 25, 100])
    risk_ax = fig.axes[1]
    texts = sorted((round(t.get_position()[0]), t.get_text()) for t in risk_ax.texts)
    # hand count of durations >= t: a: t=0 -> 3, 25 -> 1 (30), 100 -> 0;
    # b: t=0 -> 3, 25 -> 3, 100 -> 2 (200, 250)
    assert texts == [(0, "3"), (0, "3"), (25, "1"), (25, "3"), (100, "0"), (100, "2")]
    assert b"<svg" in to_svg(fig)


def test_cumulative_curve_is_one_minus_survival() -> None:
    data = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 1, 1]})
    km = kaplan_meier(data, duration="t", event="e")
    line = km_figure(km, cumulative=True, band=False).axes[0].lines[0]
    # S after each death: 3/4, 2/4, 1/4, 0 -> 1 - S = 0.25, 0.5, 0.75, 1 (plus 0 at t = 0)
    assert list(line.get_ydata()) == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
