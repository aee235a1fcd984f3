"""PtGA: one record (typed input or JSON ``{"rating": 0-10}``) in, a result out.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clears.instruments._base import mapping_codes, read_codes
from clears.instruments.ptga.definition import DEFINITION
from clears.instruments.ptga.result import PtgaResult

__all__ = ["PtgaInput", "score", "score_mapping"]


@dataclass(frozen=True, slots=True)
class PtgaInput:
    """One PtGA rating; ``None`` is not recorded (allowed with ``partial=True``)."""

    rating: int | None = None


def score(record: PtgaInput, *, partial: bool = False) -> PtgaResult:
    """Check one PtGA rating.

    Raises
    ------
    InputError
        A rating outside 0-10, not a whole number, or (unless ``partial``) missing.

    Examples
    --------
    >>> score(PtgaInput(rating=7)).rating
    7
    """
    rating = read_codes(DEFINITION, {"rating": record.rating}, partial=partial)["rating"]
    return PtgaResult(rating=rating, partial=rating is None)


def score_mapping(payload: Mapping[str, Any], *, partial: bool = False) -> PtgaResult:
    """Check PtGA JSON, ``{"rating": 0-10}``; unknown keys are refused.

    Examples
    --------
    >>> score_mapping({"rating": 0}).rating
    0
    """
    rating = mapping_codes(DEFINITION, payload, partial=partial)["rating"]
    return PtgaResult(rating=rating, partial=rating is None)
