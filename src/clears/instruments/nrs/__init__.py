"""Itch and pain numeric rating scales, 0-10, with the itch bands of Reich 2012.

Modules, the same roles in every instrument: :mod:`~clears.instruments.nrs.definition`,
:mod:`~clears.instruments.nrs.record`, :mod:`~clears.instruments.nrs.vector` and
:mod:`~clears.instruments.nrs.result`.

The names below are the public API; import them from ``clears.instruments.nrs``.
"""

from clears.instruments.nrs.definition import (
    DEFINITION,
    ITCH_BANDS,
    ITCH_COLUMN,
    ITCH_REFERENCE,
    PAIN_COLUMN,
    REFERENCE,
)
from clears.instruments.nrs.record import NrsInput, score, score_mapping
from clears.instruments.nrs.result import NrsResult
from clears.instruments.nrs.vector import score_frame

__all__ = [
    "DEFINITION",
    "ITCH_BANDS",
    "ITCH_COLUMN",
    "ITCH_REFERENCE",
    "PAIN_COLUMN",
    "REFERENCE",
    "NrsInput",
    "NrsResult",
    "score",
    "score_frame",
    "score_mapping",
]
