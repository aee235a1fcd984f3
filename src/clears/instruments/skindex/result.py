"""The Skindex-29+3 result: four domain scores (0-100), severe flags and what was unanswered.

Re-exported from :mod:`clears.instruments.skindex`, which builds it.

References
----------
Chren MM, et al. Arch Dermatol 1997;133(11):1433-1440 (Skindex-29). Chren MM. Dermatol Clin
2012;30(2):231-236. doi:10.1016/j.det.2011.11.003 (scoring). Nijsten T, et al. Dermatology
2009;218(2):151-154 (severe cut-offs, values unverified).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from clears.instruments._base import Reference
from clears.instruments.skindex.definition import (
    DEFINITION,
    DOMAINS,
    MAX_MISSING_FRACTION,
    REFERENCE,
    SCORING_REFERENCE,
    SEVERE_REFERENCE,
    VERSION_REFERENCE,
)

__all__ = ["METHOD", "SkindexResult"]

METHOD: Final = (
    "Skindex-29+3 (Chren 1997; three CLE items): answers never-all the time scored 0, 25, 50, "
    "75, 100; each domain (symptoms, emotions, functioning, lupus-specific) is the mean of "
    "its answered items; item 18 in no domain. A domain with more than the allowed fraction "
    "of items unanswered is not scored (clears' choice, unverified). Severe impairment by "
    "the cut-offs attributed to Nijsten 2009 (unverified)."
)


@dataclass(frozen=True, slots=True)
class SkindexResult:
    """Domain scores by name (``None`` when too many of its items are unanswered).

    ``severe`` holds, for the three Skindex-29 domains, whether the score reaches its
    severe-impairment cut-off (``None`` when the domain is not scored); ``points`` holds
    each item's points by path (``q1`` ...), ``None`` where unanswered.
    """

    domains: tuple[tuple[str, float | None], ...]
    severe: tuple[tuple[str, bool | None], ...]
    points: tuple[tuple[str, int | None], ...]
    unanswered: tuple[str, ...] = ()
    max_missing: float = MAX_MISSING_FRACTION
    reference: Reference = REFERENCE
    scoring_reference: Reference = SCORING_REFERENCE
    version_reference: Reference = VERSION_REFERENCE
    severe_reference: Reference = SEVERE_REFERENCE
    method: str = METHOD

    def score_of(self, domain: str) -> float | None:
        """The score of one domain by name (``symptoms``, ``emotions``, ...)."""
        return dict(self.domains)[domain]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: domain scores, severe flags, working and references."""
        return {
            "instrument": DEFINITION.name,
            "domains": dict(self.domains),
            "severe": dict(self.severe),
            "unanswered": list(self.unanswered),
            "max_missing": self.max_missing,
            "working": {"points": dict(self.points)},
            "method": self.method,
            "reference": self.reference.to_dict(),
            "scoring_reference": self.scoring_reference.to_dict(),
            "version_reference": self.version_reference.to_dict(),
            "severe_reference": self.severe_reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return the domain scores and per-item points as readable text."""
        lines = [DEFINITION.title, ""]
        labels = {f.path: f.item.label for f in DEFINITION.fields}
        for path, points in self.points:
            lines.append(f"{labels[path]:<48}{'unanswered' if points is None else points}")
        lines.append("")
        severe = dict(self.severe)
        for domain in DOMAINS:
            value = self.score_of(domain.name)
            if value is None:
                shown = "not scored (too many items unanswered)"
            else:
                shown = f"{value:.1f} / 100"
                if severe.get(domain.name):
                    shown += "; severe impairment"
            lines.append(f"{domain.label:<48}{shown}")
        lines += ["", f"Reference: {self.reference}", f"Cut-offs: {self.severe_reference}"]
        return "\n".join(lines)
