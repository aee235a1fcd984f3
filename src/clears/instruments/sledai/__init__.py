"""SLEDAI-2K and SELENA-SLEDAI: lupus activity as the sum of 24 weighted descriptors.

Modules, the same roles in every instrument:

:mod:`~clears.instruments.sledai.definition`
    The 24 descriptors, their weights, the variants, windows and bands as data.
:mod:`~clears.instruments.sledai.record`
    One assessment (typed input or JSON) in, a :class:`SledaiResult` with its working out.
:mod:`~clears.instruments.sledai.vector`
    A frame of flat ``sledai_*`` columns in, totals out.
:mod:`~clears.instruments.sledai.result`
    The result type and its renderings.

The names below are the public API; import them from ``clears.instruments.sledai``.
"""

from clears.instruments.sledai.definition import (
    BAND_REFERENCE,
    BANDS,
    DEFINITION,
    MAXIMUM,
    ONSET_DESCRIPTORS,
    REFERENCE,
    SELENA_REFERENCE,
    VARIANTS,
    WEIGHTS,
    WINDOW_REFERENCE,
    WINDOWS,
)
from clears.instruments.sledai.record import SledaiInput, score, score_mapping
from clears.instruments.sledai.result import ScoredDescriptor, SledaiResult
from clears.instruments.sledai.vector import score_frame

__all__ = [
    "BANDS",
    "BAND_REFERENCE",
    "DEFINITION",
    "MAXIMUM",
    "ONSET_DESCRIPTORS",
    "REFERENCE",
    "SELENA_REFERENCE",
    "VARIANTS",
    "WEIGHTS",
    "WINDOWS",
    "WINDOW_REFERENCE",
    "ScoredDescriptor",
    "SledaiInput",
    "SledaiResult",
    "score",
    "score_frame",
    "score_mapping",
]
