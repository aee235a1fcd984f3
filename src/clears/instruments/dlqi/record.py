"""DLQI: one record (typed input or JSON ``{"q1": ..., "q10": ...}``) in, a result out.

Unanswered items are allowed: one is scored 0, two or more leave the DLQI unscored
(Finlay's DLQI instructions); that rule, not a ``partial`` switch, decides.

References
----------
Finlay AY, Khan GK. Clin Exp Dermatol 1994;19(3):210-216.
doi:10.1111/j.1365-2230.1994.tb01167.x. Hongbo Y, et al. J Invest Dermatol
2005;125(4):659-664. doi:10.1111/j.0022-202X.2005.23621.x (bands).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from clears.instruments._base import band_of, mapping_codes, read_codes
from clears.instruments.dlqi.definition import (
    BANDS,
    DEFINITION,
    MAX_UNANSWERED,
    NOT_RELEVANT,
    POINTS,
    TOTAL_COLUMN,
)
from clears.instruments.dlqi.result import DlqiResult

__all__ = ["DlqiInput", "score", "score_mapping"]


@dataclass(frozen=True, slots=True)
class DlqiInput:
    """The ten DLQI answers as stored codes (0-3; 9 = not relevant); ``None`` = unanswered."""

    q1: int | None = None
    q2: int | None = None
    q3: int | None = None
    q4: int | None = None
    q5: int | None = None
    q6: int | None = None
    q7: int | None = None
    q8: int | None = None
    q9: int | None = None
    q10: int | None = None


def _result(codes: Mapping[str, int | None]) -> DlqiResult:
    points = tuple((path, None if code is None else POINTS[code]) for path, code in codes.items())
    unanswered = tuple(path for path, code in codes.items() if code is None)
    total = None
    if len(unanswered) <= MAX_UNANSWERED:
        total = sum(p or 0 for _, p in points)
    return DlqiResult(
        total=total,
        band=None if total is None else band_of(BANDS, total, TOTAL_COLUMN),
        points=points,
        unanswered=unanswered,
        not_relevant=tuple(path for path, code in codes.items() if code == NOT_RELEVANT),
    )


def score(record: DlqiInput) -> DlqiResult:
    """Score one DLQI questionnaire.

    Raises
    ------
    InputError
        Listing every code that is not an allowed answer of its item.

    Examples
    --------
    >>> result = score(DlqiInput(q1=3, q2=2, q3=9, q7=3, q4=0, q5=0, q6=0, q8=0, q9=0))
    >>> result.total, result.band, result.imputed
    (8, 'moderate effect', True)
    """
    raw = {f.name: getattr(record, f.name) for f in fields(record)}
    return _result(read_codes(DEFINITION, raw, partial=True))


def score_mapping(payload: Mapping[str, Any]) -> DlqiResult:
    """Validate and score DLQI JSON, ``{"q1": 0-3, ..., "q10": 0-3 or 9}``.

    Absent or null items are unanswered; unknown keys and codes are refused together.

    Examples
    --------
    >>> score_mapping({f"q{n}": 3 for n in range(1, 11)}).total
    30
    """
    return _result(mapping_codes(DEFINITION, payload, partial=True))
