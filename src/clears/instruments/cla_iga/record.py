"""CLA-IGA: one record (typed input or JSON ``{"grade": 0-4}``) in, a result out.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clears.instruments._base import mapping_codes, read_codes
from clears.instruments.cla_iga.definition import DEFINITION, GRADE
from clears.instruments.cla_iga.result import ClaIgaResult

__all__ = ["ClaIgaInput", "score", "score_mapping"]


@dataclass(frozen=True, slots=True)
class ClaIgaInput:
    """One CLA-IGA assessment; ``None`` is not recorded (allowed with ``partial=True``)."""

    grade: int | None = None


def _result(codes: Mapping[str, int | None]) -> ClaIgaResult:
    grade = codes["grade"]
    label = None if grade is None else GRADE.label_of(grade)
    return ClaIgaResult(grade=grade, label=label, partial=grade is None)


def score(record: ClaIgaInput, *, partial: bool = False) -> ClaIgaResult:
    """Check and label one CLA-IGA grade.

    Raises
    ------
    InputError
        A grade outside 0-4, not a whole number, or (unless ``partial``) missing.

    Examples
    --------
    >>> score(ClaIgaInput(grade=1)).label
    'almost clear'
    """
    return _result(read_codes(DEFINITION, {"grade": record.grade}, partial=partial))


def score_mapping(payload: Mapping[str, Any], *, partial: bool = False) -> ClaIgaResult:
    """Check and label CLA-IGA JSON, ``{"grade": 0-4}``; unknown keys are refused.

    Examples
    --------
    >>> score_mapping({"grade": 4}).to_dict()["label"]
    'severe'
    """
    return _result(mapping_codes(DEFINITION, payload, partial=partial))
