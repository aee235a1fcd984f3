"""Lupus flare between two visits: the SELENA flare index and Cortés-Hernández 2012.

Modules:

:mod:`~clears.instruments.flare.record`
    the rules and their readings, two visits in and a :class:`FlareResult` with the
    criteria that fired out, and the vectorised :func:`classify_change`.

Every public name is re-exported here; import from ``clears.instruments.flare``.
"""

from clears.instruments.flare.record import (
    CORTES2012_REFERENCE,
    MILD_DRUGS,
    MILD_MANIFESTATIONS,
    MILD_READINGS,
    OPTIONAL_SEVERE_DRUGS,
    REFERENCE_VISITS,
    RULES,
    SEVERE_CUTOFF,
    SEVERE_DRUGS,
    SEVERE_MANIFESTATIONS,
    SEVERE_READINGS,
    SFI_REFERENCE,
    THANOU_REFERENCE,
    Criterion,
    FlareInput,
    FlareResult,
    Pair,
    Rule,
    classify,
    classify_change,
    score_mapping,
)

__all__ = [
    "CORTES2012_REFERENCE",
    "MILD_DRUGS",
    "MILD_MANIFESTATIONS",
    "MILD_READINGS",
    "OPTIONAL_SEVERE_DRUGS",
    "REFERENCE_VISITS",
    "RULES",
    "SEVERE_CUTOFF",
    "SEVERE_DRUGS",
    "SEVERE_MANIFESTATIONS",
    "SEVERE_READINGS",
    "SFI_REFERENCE",
    "THANOU_REFERENCE",
    "Criterion",
    "FlareInput",
    "FlareResult",
    "Pair",
    "Rule",
    "classify",
    "classify_change",
    "score_mapping",
]
