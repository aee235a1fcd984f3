"""The criteria presets the pages and the API offer, the default first."""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = ["PRESETS", "Preset"]

#: The bundled criteria presets (:data:`clears.criteria.BUNDLED`) in the order pages and
#: the API offer them, the default first.
Preset = Literal["aitmehdi2021", "cortes2012", "braunstein2012", "klein2011", "clasi50"]
PRESETS: Final[tuple[Preset, ...]] = get_args(Preset)
