"""Trial design: power by simulation and Simon two-stage designs."""

from clears.design.power import (
    PowerCurve,
    exact_power_single_arm,
    exact_power_two_arm,
    fisher_pvalues,
    power_single_arm,
    power_two_arm,
)
from clears.design.simon import SimonDesign, SimonResult, operating_characteristics, simon_two_stage

__all__ = [
    "PowerCurve",
    "SimonDesign",
    "SimonResult",
    "exact_power_single_arm",
    "exact_power_two_arm",
    "fisher_pvalues",
    "operating_characteristics",
    "power_single_arm",
    "power_two_arm",
    "simon_two_stage",
]
