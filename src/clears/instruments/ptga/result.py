"""The PtGA result: the rating, with the reference.

Re-exported from :mod:`clears.instruments.ptga`, which builds it.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from clears.instruments._base import Reference
from clears.instruments.ptga.definition import DEFINITION, REFERENCE

__all__ = ["METHOD", "PtgaResult"]

METHOD: Final = "PtGA: the patient's 0-10 rating of skin disease activity, as given; no bands."


@dataclass(frozen=True, slots=True)
class PtgaResult:
    """The PtGA rating, 0-10 (``None`` when not recorded, with ``partial``)."""

    rating: int | None
    partial: bool = False
    reference: Reference = REFERENCE
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: rating, method and reference."""
        return {
            "instrument": DEFINITION.name,
            "rating": self.rating,
            "partial": self.partial,
            "method": self.method,
            "reference": self.reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return the rating as readable text."""
        shown = "not recorded" if self.rating is None else f"{self.rating} / 10"
        return f"{DEFINITION.title}\nRating: {shown}\n\nReference: {self.reference}"
