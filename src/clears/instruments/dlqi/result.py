"""The DLQI result: total, band, per-item points and what was unanswered.

Re-exported from :mod:`clears.instruments.dlqi`, which builds it.

References
----------
Finlay AY, Khan GK. Clin Exp Dermatol 1994;19(3):210-216.
doi:10.1111/j.1365-2230.1994.tb01167.x. Hongbo Y, et al. J Invest Dermatol
2005;125(4):659-664. doi:10.1111/j.0022-202X.2005.23621.x (bands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from clears.instruments._base import Reference
from clears.instruments.dlqi.definition import (
    BAND_REFERENCE,
    DEFINITION,
    REFERENCE,
    SCORING_REFERENCE,
)

__all__ = ["METHOD", "DlqiResult"]

METHOD: Final = (
    "DLQI (Finlay & Khan 1994): sum of ten items 0-3 ('not relevant' 0; item 7 'yes' 3), "
    "0-30; one unanswered item scored 0, two or more not scored (Finlay's instructions). "
    "Bands by Hongbo 2005."
)


@dataclass(frozen=True, slots=True)
class DlqiResult:
    """The DLQI total and band, ``None`` when two or more items are unanswered.

    ``points`` holds each item's points by path (``q1`` ...), ``None`` where unanswered;
    ``imputed`` is true when one unanswered item was scored 0.
    """

    total: int | None
    band: str | None
    points: tuple[tuple[str, int | None], ...]
    unanswered: tuple[str, ...] = ()
    not_relevant: tuple[str, ...] = ()
    reference: Reference = REFERENCE
    scoring_reference: Reference = SCORING_REFERENCE
    band_reference: Reference = BAND_REFERENCE
    method: str = METHOD

    @property
    def imputed(self) -> bool:
        """Whether one unanswered item was scored 0 (Finlay's missing-item rule)."""
        return self.total is not None and bool(self.unanswered)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: total, band, working, method and references."""
        return {
            "instrument": DEFINITION.name,
            "total": self.total,
            "band": self.band,
            "imputed": self.imputed,
            "unanswered": list(self.unanswered),
            "not_relevant": list(self.not_relevant),
            "working": {"points": dict(self.points)},
            "method": self.method,
            "reference": self.reference.to_dict(),
            "scoring_reference": self.scoring_reference.to_dict(),
            "band_reference": self.band_reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return the total, band and per-item points as readable text."""
        lines = [DEFINITION.title, ""]
        labels = {f.path: f.item.label for f in DEFINITION.fields}
        for path, points in self.points:
            shown = "unanswered" if points is None else str(points)
            if path in self.not_relevant:
                shown += " (not relevant)"
            lines.append(f"{labels[path]:<48}{shown}")
        if self.total is None:
            lines.append(f"\nTotal: not scored ({len(self.unanswered)} items unanswered)")
        else:
            note = " (one unanswered item scored 0)" if self.imputed else ""
            lines.append(f"\nTotal: {self.total} / 30{note}; {self.band}")
        lines += ["", f"Reference: {self.reference}", f"Bands: {self.band_reference}"]
        return "\n".join(lines)
