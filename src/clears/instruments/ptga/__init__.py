"""PtGA: the patient global assessment of skin disease activity, a 0-10 rating scale.

Modules, the same roles in every instrument: :mod:`~clears.instruments.ptga.definition`,
:mod:`~clears.instruments.ptga.record`, :mod:`~clears.instruments.ptga.vector` and
:mod:`~clears.instruments.ptga.result`.

The names below are the public API; import them from ``clears.instruments.ptga``.
"""

from clears.instruments.ptga.definition import COLUMN, DEFINITION, RATING, REFERENCE
from clears.instruments.ptga.record import PtgaInput, score, score_mapping
from clears.instruments.ptga.result import PtgaResult
from clears.instruments.ptga.vector import score_frame

__all__ = [
    "COLUMN",
    "DEFINITION",
    "RATING",
    "REFERENCE",
    "PtgaInput",
    "PtgaResult",
    "score",
    "score_frame",
    "score_mapping",
]
