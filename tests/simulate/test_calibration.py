"""Calibration: every published figure inside the simulated 95 % interval."""

from __future__ import annotations

import numpy as np
import pytest

from clears.design import power_two_arm
from clears.simulate import calibrate, response_sampler


@pytest.mark.slow
@pytest.mark.parametrize(
    "preset",
    [
        "aitmehdi2021",
        pytest.param(
            "cortes2012",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known gap: simulated relapse after CR (about 0.3) below the published "
                "9/12; relapses off drug are not yet seen by the cortes2012 relapse rule",
            ),
        ),
    ],
)
def test_published_figures_inside_simulated_intervals(preset):
    # Published figures: Aitmehdi 2021 text and Tables 1-2; Cortés-Hernández 2012 Results.
    report = calibrate(preset, n=2000, rng=np.random.default_rng(7), n_boot=1000)
    outside = report.loc[~report["inside"], ["figure", "published", "low", "high"]]
    assert outside.empty, outside.to_string()
    assert report.attrs["contradictions"]
    assert report["method"].str.contains("clears.outcomes.derive").all()


def test_response_sampler_drives_power():
    sampler = response_sampler("cortes2012", 12)
    hits = sampler(4000, np.random.default_rng(1))
    assert 0.6 < hits.mean() < 0.95  # Cortés 2012: 12/14 CR, most by week 12
    curve = power_two_arm(0.1, sampler, [10], rng=np.random.default_rng(2), n_sim=300)
    assert curve.frame.loc[0, "power"] > 0.5
