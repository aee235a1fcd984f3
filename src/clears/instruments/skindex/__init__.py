"""Skindex-29+3: Skindex-29's symptoms, emotions and functioning plus a lupus-specific domain.

Modules, the same roles in every instrument: :mod:`~clears.instruments.skindex.definition`
(items by number, domains, points, missing-item rule, cut-offs; what is verified and what
is not), :mod:`~clears.instruments.skindex.record` (one questionnaire),
:mod:`~clears.instruments.skindex.vector` (a frame) and
:mod:`~clears.instruments.skindex.result` (the result type). The item wording is copyright
and not shipped (see ``docs/instruments/core-outcome-set.md``).

The names below are the public API; import them from ``clears.instruments.skindex``.
"""

from clears.instruments.skindex.definition import (
    DEFINITION,
    DOMAIN_ITEMS,
    DOMAINS,
    ITEM_COUNT,
    MAX_MISSING_FRACTION,
    POINTS,
    REFERENCE,
    SCORING_REFERENCE,
    SEVERE_CUTOFFS,
    SEVERE_REFERENCE,
    UNSCORED_ITEMS,
    VERSION_REFERENCE,
    Domain,
    allowed_unanswered,
)
from clears.instruments.skindex.record import SkindexInput, score, score_mapping
from clears.instruments.skindex.result import SkindexResult
from clears.instruments.skindex.vector import score_frame

__all__ = [
    "DEFINITION",
    "DOMAINS",
    "DOMAIN_ITEMS",
    "ITEM_COUNT",
    "MAX_MISSING_FRACTION",
    "POINTS",
    "REFERENCE",
    "SCORING_REFERENCE",
    "SEVERE_CUTOFFS",
    "SEVERE_REFERENCE",
    "UNSCORED_ITEMS",
    "VERSION_REFERENCE",
    "Domain",
    "SkindexInput",
    "SkindexResult",
    "allowed_unanswered",
    "score",
    "score_frame",
    "score_mapping",
]
