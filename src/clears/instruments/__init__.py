"""Clinical instruments, each declared as data and scored by pure functions.

Modules (imported on use): :mod:`clears.instruments.clasi`, :mod:`clears.instruments.sledai`,
:mod:`clears.instruments.flare`, :mod:`clears.instruments.ctcae`, the core outcome set's
simple measures :mod:`clears.instruments.cla_iga`, :mod:`clears.instruments.ptga`,
:mod:`clears.instruments.nrs` (itch and pain) and :mod:`clears.instruments.dlqi`, and
:mod:`clears.instruments.redcap` (data dictionary export) and
:mod:`clears.instruments.patient_reported` (the instruments a patient answers alone).
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
