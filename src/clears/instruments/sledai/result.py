"""The SLEDAI result: the total, the descriptors counted and not counted, and its renderings.

Built by :func:`clears.instruments.sledai.record.score`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clears.instruments.sledai.definition import (
    BAND_REFERENCE,
    BANDS,
    MAXIMUM,
    REFERENCE,
    SELENA_REFERENCE,
    WINDOW_REFERENCE,
)

__all__ = ["ScoredDescriptor", "SledaiResult"]


@dataclass(frozen=True, slots=True)
class ScoredDescriptor:
    """A descriptor found present: its weight and how it was recorded."""

    key: str
    label: str
    weight: int
    status: str

    def to_dict(self) -> dict[str, Any]:
        """Return the descriptor as a JSON-ready mapping."""
        return {"key": self.key, "label": self.label, "weight": self.weight, "status": self.status}


@dataclass(frozen=True, slots=True)
class SledaiResult:
    """A SLEDAI-2K or SELENA-SLEDAI score with its working.

    ``descriptors_scored`` lists what was added; ``not_counted`` lists descriptors present
    but not counted by the variant (persistent ones under SELENA-SLEDAI).
    """

    score: int
    descriptors_scored: tuple[ScoredDescriptor, ...]
    not_counted: tuple[ScoredDescriptor, ...]
    variant: str
    window_days: int

    @property
    def instrument(self) -> str:
        """The instrument's display name."""
        return "SELENA-SLEDAI" if self.variant == "selena" else "SLEDAI-2K"

    @property
    def band(self) -> str:
        """Interpretation band by :data:`BANDS` (a secondary-source convention)."""
        return next(name for low, high, name in BANDS if low <= self.score <= high)

    @property
    def working(self) -> str:
        """The sum as written out, e.g. ``4 + 2 = 6``."""
        terms = " + ".join(str(d.weight) for d in self.descriptors_scored) or "0"
        return f"{terms} = {self.score}"

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        band_range = next(f"{lo}-{hi}" for lo, hi, name in BANDS if name == self.band)
        return {
            "instrument": self.instrument,
            "variant": self.variant,
            "score": self.score,
            "maximum": MAXIMUM,
            "window_days": self.window_days,
            "working": self.working,
            "descriptors_scored": [d.to_dict() for d in self.descriptors_scored],
            "not_counted": [d.to_dict() for d in self.not_counted],
            "interpretation": {
                "band": self.band,
                "range": band_range,
                "convention": True,
                "reference": BAND_REFERENCE.to_dict(),
            },
            "reference": REFERENCE.to_dict(),
            "variant_reference": (SELENA_REFERENCE.to_dict() if self.variant == "selena" else None),
            "window_reference": WINDOW_REFERENCE.to_dict() if self.window_days == 30 else None,
        }

    def to_text(self) -> str:
        """Return a readable rendering of the result."""
        lines = [
            f"{self.instrument}: {self.score} / {MAXIMUM} (window {self.window_days} days)",
            f"  working: {self.working}",
        ]
        lines += [f"  + {d.weight}  {d.label} ({d.status})" for d in self.descriptors_scored]
        lines += [
            f"  not counted: {d.label} ({d.status}; SELENA-SLEDAI counts only new or recurrent)"
            for d in self.not_counted
        ]
        lines.append(f"  band: {self.band} (convention [S]: {BAND_REFERENCE.citation})")
        lines.append(f"  reference: {REFERENCE}")
        if self.variant == "selena":
            lines.append(f"  variant reference: {SELENA_REFERENCE}")
        return "\n".join(lines)
