"""Virtual cohorts calibrated to the published lenalidomide series, and their calibration."""

from clears.simulate.calibration import calibrate, response_sampler
from clears.simulate.generate import simulate
from clears.simulate.presets import PRESETS, SimulationPreset, get_preset

__all__ = [
    "PRESETS",
    "SimulationPreset",
    "calibrate",
    "get_preset",
    "response_sampler",
    "simulate",
]
