"""The itch and pain NRS result: both ratings and the itch band, with the references.

Re-exported from :mod:`clears.instruments.nrs`, which builds it.

References
----------
Reich A, et al. Acta Derm Venereol 2012;92(5):497-501. doi:10.2340/00015555-1265 (itch
bands). Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from clears.instruments._base import Reference
from clears.instruments.nrs.definition import DEFINITION, ITCH_REFERENCE, REFERENCE

__all__ = ["METHOD", "NrsResult"]

METHOD: Final = (
    "Itch and pain NRS, each 0-10 as given; itch band by Reich 2012 (0 none, 1-2 mild, "
    "3-6 moderate, 7-8 severe, 9-10 very severe); no pain bands."
)


@dataclass(frozen=True, slots=True)
class NrsResult:
    """The itch and pain ratings (``None`` when not recorded) and the itch band."""

    itch: int | None
    itch_band: str | None
    pain: int | None
    partial: bool = False
    missing: tuple[str, ...] = ()
    reference: Reference = REFERENCE
    itch_reference: Reference = ITCH_REFERENCE
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: ratings, itch band, method and references."""
        return {
            "instrument": DEFINITION.name,
            "itch": self.itch,
            "itch_band": self.itch_band,
            "pain": self.pain,
            "partial": self.partial,
            "missing": list(self.missing),
            "method": self.method,
            "reference": self.reference.to_dict(),
            "itch_reference": self.itch_reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return the ratings as readable text."""
        itch = "not recorded" if self.itch is None else f"{self.itch} / 10 ({self.itch_band})"
        pain = "not recorded" if self.pain is None else f"{self.pain} / 10"
        return "\n".join(
            [
                DEFINITION.title,
                f"Itch: {itch}",
                f"Pain: {pain}",
                "",
                f"Reference: {self.reference}",
                f"Itch bands: {self.itch_reference}",
            ]
        )
