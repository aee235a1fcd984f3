"""Clinical instruments, each declared as data and scored by pure functions.

Modules (imported on use): :mod:`clears.instruments.clasi`, :mod:`clears.instruments.sledai`,
:mod:`clears.instruments.flare`, :mod:`clears.instruments.ctcae`, the core outcome set's
simple measures :mod:`clears.instruments.cla_iga`, :mod:`clears.instruments.ptga`,
:mod:`clears.instruments.nrs` (itch and pain), :mod:`clears.instruments.dlqi` and
:mod:`clears.instruments.skindex` (Skindex-29+3), listed once in
:mod:`clears.instruments.core_set` (``CORE_OUTCOMES``, ``PATIENT_REPORTED``), and
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
