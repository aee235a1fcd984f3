"""SLEDAI-2K and SELENA-SLEDAI: lupus activity as the sum of 24 weighted descriptors.

Modules:

:mod:`~clears.instruments.sledai.definition`
    the descriptors, weights, variants and bands as data.
:mod:`~clears.instruments.sledai.record`
    one assessment in, a :class:`SledaiResult` with its working out.
:mod:`~clears.instruments.sledai.vector`
    a frame of flat ``sledai_*`` columns in, totals out.

Every public name is re-exported here; import from ``clears.instruments.sledai``.
"""

from clears.instruments.sledai.record import (
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
    ScoredDescriptor,
    SledaiInput,
    SledaiResult,
    score,
    score_frame,
    score_mapping,
)

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
