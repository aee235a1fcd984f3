"""Itch and pain NRS: one record (typed input or JSON ``{"itch", "pain"}``) in, a result out.

References
----------
Reich A, et al. Acta Derm Venereol 2012;92(5):497-501. doi:10.2340/00015555-1265
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clears.instruments._base import band_of, mapping_codes, read_codes
from clears.instruments.nrs.definition import DEFINITION, ITCH_BANDS, ITCH_COLUMN
from clears.instruments.nrs.result import NrsResult

__all__ = ["NrsInput", "score", "score_mapping"]


@dataclass(frozen=True, slots=True)
class NrsInput:
    """Itch and pain ratings, 0-10; ``None`` is not recorded (allowed with ``partial=True``)."""

    itch: int | None = None
    pain: int | None = None


def _result(codes: Mapping[str, int | None]) -> NrsResult:
    itch = codes["itch"]
    missing = tuple(path for path, code in codes.items() if code is None)
    return NrsResult(
        itch=itch,
        itch_band=None if itch is None else band_of(ITCH_BANDS, itch, ITCH_COLUMN),
        pain=codes["pain"],
        partial=bool(missing),
        missing=missing,
    )


def score(record: NrsInput, *, partial: bool = False) -> NrsResult:
    """Check the itch and pain ratings and band the itch rating (Reich 2012).

    Raises
    ------
    InputError
        A rating outside 0-10, not a whole number, or (unless ``partial``) missing.

    Examples
    --------
    >>> result = score(NrsInput(itch=7, pain=2))
    >>> result.itch_band, result.pain
    ('severe', 2)
    """
    raw = {"itch": record.itch, "pain": record.pain}
    return _result(read_codes(DEFINITION, raw, partial=partial))


def score_mapping(payload: Mapping[str, Any], *, partial: bool = False) -> NrsResult:
    """Check NRS JSON, ``{"itch": 0-10, "pain": 0-10}``; unknown keys are refused.

    Examples
    --------
    >>> score_mapping({"itch": 9}, partial=True).itch_band
    'very severe'
    """
    return _result(mapping_codes(DEFINITION, payload, partial=partial))
