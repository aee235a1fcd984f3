"""CLA-IGA: the investigator's global assessment of cutaneous lupus activity, 0-4.

Modules, the same roles in every instrument: :mod:`~clears.instruments.cla_iga.definition`
(the grade as data), :mod:`~clears.instruments.cla_iga.record` (one record),
:mod:`~clears.instruments.cla_iga.vector` (a frame) and
:mod:`~clears.instruments.cla_iga.result` (the result type).

The names below are the public API; import them from ``clears.instruments.cla_iga``.
"""

from clears.instruments.cla_iga.definition import COLUMN, DEFINITION, GRADE, REFERENCE
from clears.instruments.cla_iga.record import ClaIgaInput, score, score_mapping
from clears.instruments.cla_iga.result import ClaIgaResult
from clears.instruments.cla_iga.vector import score_frame

__all__ = [
    "COLUMN",
    "DEFINITION",
    "GRADE",
    "REFERENCE",
    "ClaIgaInput",
    "ClaIgaResult",
    "score",
    "score_frame",
    "score_mapping",
]
