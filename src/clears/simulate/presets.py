"""Simulation presets: published figures as data (``clears/data/simulate_<name>.toml``).

Each preset file names, next to every parameter, the published figure that sets it, or says
that it is an assumption. The loader only reads; the simulator modules read the parameters.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from clears._exceptions import NotFoundError

__all__ = ["PRESETS", "SimulationPreset", "get_preset"]

#: Presets bundled with clears.
PRESETS: Final = ("aitmehdi2021", "cortes2012")


@dataclass(frozen=True)
class SimulationPreset:
    """A loaded preset: its name, citation and parameter tables (read-only by convention)."""

    name: str
    title: str
    citation: str
    doi: str
    params: dict[str, Any]

    def section(self, name: str) -> dict[str, Any]:
        """One parameter table, e.g. ``"baseline"``."""
        table: dict[str, Any] = self.params[name]
        return table


def get_preset(name: str) -> SimulationPreset:
    """Load a bundled preset by name.

    Examples
    --------
    >>> p = get_preset("cortes2012")
    >>> p.doi, p.section("dosing")["start_mg"]
    ('10.1186/ar4111', 5)
    """
    if name not in PRESETS:
        raise NotFoundError(f"unknown simulation preset {name!r}; presets are {', '.join(PRESETS)}")
    text = (resources.files("clears") / "data" / f"simulate_{name}.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    ref = raw["reference"]
    return SimulationPreset(raw["name"], raw["title"], ref["citation"], ref["doi"], raw)
