"""Clinical instruments, each declared as data and scored by pure functions.

Modules (imported on use): :mod:`clears.instruments.clasi`, :mod:`clears.instruments.sledai`,
:mod:`clears.instruments.flare`, :mod:`clears.instruments.ctcae`,
:mod:`clears.instruments.redcap` (data dictionary export).
"""

from clears.instruments._base import (
    Field,
    InstrumentDefinition,
    Item,
    Level,
    Reference,
    ScoreResult,
)

__all__ = [
    "Field",
    "InstrumentDefinition",
    "Item",
    "Level",
    "Reference",
    "ScoreResult",
]
