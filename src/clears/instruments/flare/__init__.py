"""Lupus flare between two visits: the SELENA flare index and Cortés-Hernández 2012.

Modules, the same roles in every instrument:

:mod:`~clears.instruments.flare.definition`
    The rules, their thresholds and readings, the visit each change is measured from, and
    the SFI's clinical criteria, as data.
:mod:`~clears.instruments.flare.record`
    Two visits (typed input or JSON) in, a :class:`FlareResult` with the criteria that
    fired out.
:mod:`~clears.instruments.flare.vector`
    Two columns of SLEDAI totals in, flare classes out (:func:`classify_change`).
:mod:`~clears.instruments.flare.result`
    The result types and their renderings.

The names below are the public API; import them from ``clears.instruments.flare``.
"""

from clears.instruments.flare._input import FlareInput, Pair
from clears.instruments.flare.definition import (
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
    Rule,
)
from clears.instruments.flare.record import classify, score_mapping
from clears.instruments.flare.result import Criterion, FlareResult
from clears.instruments.flare.vector import classify_change

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
