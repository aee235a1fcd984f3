"""Skindex-29+3: one record (typed input or JSON ``{"q1": ..., "q33": ...}``) in, a result out.

Unanswered items are allowed: each domain is the mean of its answered items, and a domain
with more than ``max_missing`` of its items unanswered is not scored
(:func:`~clears.instruments.skindex.definition.allowed_unanswered`).

References
----------
Chren MM, et al. Arch Dermatol 1997;133(11):1433-1440 (Skindex-29). Chren MM. Dermatol Clin
2012;30(2):231-236. doi:10.1016/j.det.2011.11.003 (scoring). Nijsten T, et al. Dermatology
2009;218(2):151-154 (severe cut-offs, values unverified).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from clears.instruments._base import mapping_codes, read_codes
from clears.instruments.skindex.definition import (
    DEFINITION,
    DOMAINS,
    MAX_MISSING_FRACTION,
    POINTS,
    SEVERE_CUTOFFS,
    allowed_unanswered,
)
from clears.instruments.skindex.result import SkindexResult

__all__ = ["SkindexInput", "score", "score_mapping"]


@dataclass(frozen=True, slots=True)
class SkindexInput:
    """The 33 Skindex-29+3 answers as stored codes (0 never ... 4 all the time); ``None`` =
    unanswered."""

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
    q11: int | None = None
    q12: int | None = None
    q13: int | None = None
    q14: int | None = None
    q15: int | None = None
    q16: int | None = None
    q17: int | None = None
    q18: int | None = None
    q19: int | None = None
    q20: int | None = None
    q21: int | None = None
    q22: int | None = None
    q23: int | None = None
    q24: int | None = None
    q25: int | None = None
    q26: int | None = None
    q27: int | None = None
    q28: int | None = None
    q29: int | None = None
    q30: int | None = None
    q31: int | None = None
    q32: int | None = None
    q33: int | None = None


def _mean_or_none(given: list[int], missing: int, limit: int) -> float | None:
    return sum(given) / len(given) if given and missing <= limit else None


def _severe(value: float | None, cutoff: int) -> bool | None:
    return None if value is None else value >= cutoff


def _result(codes: Mapping[str, int | None], max_missing: float) -> SkindexResult:
    limits = {d.name: allowed_unanswered(d, max_missing) for d in DOMAINS}
    points = {path: None if code is None else POINTS[code] for path, code in codes.items()}
    scores: list[tuple[str, float | None]] = []
    for domain in DOMAINS:
        given = [p for p in (points[path] for path in domain.paths) if p is not None]
        missing = len(domain.items) - len(given)
        scores.append((domain.name, _mean_or_none(given, missing, limits[domain.name])))
    by_name = dict(scores)
    severe = tuple((name, _severe(by_name[name], cut)) for name, cut in SEVERE_CUTOFFS.items())
    return SkindexResult(
        domains=tuple(scores),
        severe=severe,
        points=tuple(points.items()),
        unanswered=tuple(path for path, code in codes.items() if code is None),
        max_missing=max_missing,
    )


def score(record: SkindexInput, *, max_missing: float = MAX_MISSING_FRACTION) -> SkindexResult:
    """Score one Skindex-29+3 questionnaire.

    Parameters
    ----------
    record
        The answers as codes 0-4.
    max_missing
        The largest fraction of a domain's items that may be unanswered with the domain
        still scored (default a quarter; clears' documented choice, see the definition).

    Raises
    ------
    InputError
        Listing every code that is not an allowed answer of its item, or a bad
        ``max_missing``.

    Examples
    --------
    >>> result = score(SkindexInput(q1=4, q7=4, q10=2, q16=2, q19=0, q24=0, q27=2))
    >>> result.score_of("symptoms"), result.score_of("emotions")
    (50.0, None)
    """
    raw = {f.name: getattr(record, f.name) for f in fields(record)}
    allowed_unanswered(DOMAINS[0], max_missing)
    return _result(read_codes(DEFINITION, raw, partial=True), max_missing)


def score_mapping(
    payload: Mapping[str, Any], *, max_missing: float = MAX_MISSING_FRACTION
) -> SkindexResult:
    """Validate and score Skindex-29+3 JSON, ``{"q1": 0-4, ..., "q33": 0-4}``.

    Absent or null items are unanswered; unknown keys and codes are refused together.

    Examples
    --------
    >>> score_mapping({f"q{n}": 4 for n in range(1, 34)}).score_of("lupus")
    100.0
    """
    allowed_unanswered(DOMAINS[0], max_missing)
    return _result(mapping_codes(DEFINITION, payload, partial=True), max_missing)
