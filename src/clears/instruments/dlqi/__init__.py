"""DLQI: the Dermatology Life Quality Index, 0-30, with Finlay's rules and Hongbo's bands.

Modules, the same roles in every instrument: :mod:`~clears.instruments.dlqi.definition`
(items by number, codes, points, bands), :mod:`~clears.instruments.dlqi.record` (one
questionnaire), :mod:`~clears.instruments.dlqi.vector` (a frame) and
:mod:`~clears.instruments.dlqi.result` (the result type). The item wording is copyright and
not shipped (see ``docs/instruments/core-outcome-set.md``).

The names below are the public API; import them from ``clears.instruments.dlqi``.
"""

from clears.instruments.dlqi.definition import (
    BAND_REFERENCE,
    BANDS,
    DEFINITION,
    MAX_UNANSWERED,
    NOT_RELEVANT,
    POINTS,
    REFERENCE,
    SCORING_REFERENCE,
    TOTAL_COLUMN,
    TOTAL_MAX,
)
from clears.instruments.dlqi.record import DlqiInput, score, score_mapping
from clears.instruments.dlqi.result import DlqiResult
from clears.instruments.dlqi.vector import score_frame

__all__ = [
    "BANDS",
    "BAND_REFERENCE",
    "DEFINITION",
    "MAX_UNANSWERED",
    "NOT_RELEVANT",
    "POINTS",
    "REFERENCE",
    "SCORING_REFERENCE",
    "TOTAL_COLUMN",
    "TOTAL_MAX",
    "DlqiInput",
    "DlqiResult",
    "score",
    "score_frame",
    "score_mapping",
]
