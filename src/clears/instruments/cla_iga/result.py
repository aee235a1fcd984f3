"""The CLA-IGA result: the grade and its label, with the reference.

Re-exported from :mod:`clears.instruments.cla_iga`, which builds it.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from clears.instruments._base import Reference
from clears.instruments.cla_iga.definition import DEFINITION, REFERENCE

__all__ = ["METHOD", "ClaIgaResult"]

METHOD: Final = "CLA-IGA: one investigator grade, 0 (clear) to 4 (severe); no arithmetic."


@dataclass(frozen=True, slots=True)
class ClaIgaResult:
    """The CLA-IGA grade (``None`` when not recorded, with ``partial``) and its label."""

    grade: int | None
    label: str | None
    partial: bool = False
    reference: Reference = REFERENCE
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: grade, label, method and reference."""
        return {
            "instrument": DEFINITION.name,
            "grade": self.grade,
            "label": self.label,
            "partial": self.partial,
            "method": self.method,
            "reference": self.reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return the grade as readable text."""
        shown = "not recorded" if self.grade is None else f"{self.grade} ({self.label})"
        return f"{DEFINITION.title}\nGrade: {shown}\n\nReference: {self.reference}"
