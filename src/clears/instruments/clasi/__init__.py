"""CLASI: activity and damage of cutaneous lupus erythematosus, with severity bands.

Modules:

:mod:`~clears.instruments.clasi.definition`
    the instrument as data (areas, items, levels, roles, severity bands).
:mod:`~clears.instruments.clasi.record`
    one record in, a :class:`ClasiResult` with its working out.
:mod:`~clears.instruments.clasi.vector`
    an item array or a frame of flat columns in, totals and bands out.
:mod:`~clears.instruments.clasi.result`
    the result type and its renderings.

Every public name is re-exported here; import from ``clears.instruments.clasi``.
"""

from clears.instruments.clasi.record import (
    ACTIVITY_MAX,
    AREAS,
    DAMAGE_MAX,
    DEFINITION,
    REFERENCE,
    SEVERITY_BANDS,
    SEVERITY_REFERENCE,
    AreaInput,
    AreaWorking,
    ClasiInput,
    ClasiResult,
    score,
    score_array,
    score_frame,
    score_mapping,
    severity,
    severity_bands,
)

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
