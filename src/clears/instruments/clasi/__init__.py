"""CLASI: activity and damage of cutaneous lupus erythematosus, with severity bands.

Modules, the same roles in every instrument:

:mod:`~clears.instruments.clasi.definition`
    The instrument as data: areas, items, levels, roles, flat columns, severity bands.
:mod:`~clears.instruments.clasi.record`
    One record (typed input or nested JSON) in, a :class:`ClasiResult` with its working out.
:mod:`~clears.instruments.clasi.vector`
    An integer item array or a frame of flat columns in, totals and bands out.
:mod:`~clears.instruments.clasi.result`
    The result type and its renderings.

The names below are the public API; import them from ``clears.instruments.clasi``.
"""

from clears.instruments.clasi.definition import (
    ACTIVITY_MAX,
    AREAS,
    DAMAGE_MAX,
    DEFINITION,
    REFERENCE,
    SEVERITY_BANDS,
    SEVERITY_REFERENCE,
    severity,
)
from clears.instruments.clasi.record import AreaInput, ClasiInput, score, score_mapping
from clears.instruments.clasi.result import AreaWorking, ClasiResult
from clears.instruments.clasi.vector import score_array, score_frame, severity_bands

__all__ = [
    "ACTIVITY_MAX",
    "AREAS",
    "DAMAGE_MAX",
    "DEFINITION",
    "REFERENCE",
    "SEVERITY_BANDS",
    "SEVERITY_REFERENCE",
    "AreaInput",
    "AreaWorking",
    "ClasiInput",
    "ClasiResult",
    "score",
    "score_array",
    "score_frame",
    "score_mapping",
    "severity",
    "severity_bands",
]
