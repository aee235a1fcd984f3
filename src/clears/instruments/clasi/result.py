"""The CLASI result: totals, severity band, per-area working, and its renderings.

Re-exported from :mod:`clears.instruments.clasi`, which builds it.

References
----------
Albrecht J, Taylor L, Berlin JA, et al. J Invest Dermatol 2005;125(5):889-894.
doi:10.1111/j.0022-202X.2005.23889.x (the CLASI).
Klein R, Moghadam-Kia S, LoMonico J, et al. Arch Dermatol 2011;147(2):203-208.
doi:10.1001/archdermatol.2010.435 (severity: mild 0-9, moderate 10-20, severe 21-70).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from clears.instruments._base import Reference
from clears.instruments.clasi.definition import (
    ACTIVITY_MAX,
    DAMAGE_MAX,
    DEFINITION,
    REFERENCE,
    SEVERITY_REFERENCE,
)

__all__ = ["METHOD", "AreaWorking", "ClasiResult"]

METHOD: Final = (
    "CLASI (Albrecht 2005): activity = erythema + scale/hypertrophy over 13 areas + mucous "
    "membrane + recent hair loss + non-scarring alopecia; damage = dyspigmentation (summed, "
    "x2 if it usually lasts >= 12 months) + scarring/atrophy/panniculitis over 12 areas + "
    "scalp scarring. Severity by CLASI-A (Klein 2011)."
)


@dataclass(frozen=True, slots=True)
class AreaWorking:
    """Per-area working: the codes given and the area's activity and (undoubled) damage."""

    area: str
    label: str
    erythema: int | None
    scale: int | None
    dyspigmentation: int | None
    scarring: int | None
    activity: int
    damage_before_doubling: int


@dataclass(frozen=True, slots=True)
class ClasiResult:
    """CLASI-A, CLASI-D and severity, with the working that produced them.

    ``partial`` is true when items were missing (listed by path in ``missing``); totals are
    then over the items given, i.e. lower bounds, and so is the severity band.
    """

    activity: int
    damage: int
    severity: str
    areas: tuple[AreaWorking, ...]
    mucous_membrane: int | None
    recent_hair_loss: int | None
    alopecia: int | None
    scalp_scarring: int | None
    dyspigmentation_lasts_12_months: bool | None
    dyspigmentation_sum: int
    dyspigmentation_score: int
    partial: bool = False
    missing: tuple[str, ...] = ()
    reference: Reference = REFERENCE
    severity_reference: Reference = SEVERITY_REFERENCE
    method: str = METHOD

    @property
    def dyspigmentation_doubled(self) -> bool:
        """Whether the summed dyspigmentation was doubled (lasts 12 months or more)."""
        return self.dyspigmentation_lasts_12_months is True

    def working(self) -> dict[str, Any]:
        """The intermediate values: per area, once-per-patient items and dyspigmentation."""
        return {
            "areas": [
                {
                    "area": a.area,
                    "erythema": a.erythema,
                    "scale": a.scale,
                    "activity": a.activity,
                    "dyspigmentation": a.dyspigmentation,
                    "scarring": a.scarring,
                    "damage_before_doubling": a.damage_before_doubling,
                }
                for a in self.areas
            ],
            "area_activity": sum(a.activity for a in self.areas),
            "mucous_membrane": self.mucous_membrane,
            "recent_hair_loss": self.recent_hair_loss,
            "alopecia": self.alopecia,
            "scalp_scarring": self.scalp_scarring,
            "dyspigmentation_lasts_12_months": self.dyspigmentation_lasts_12_months,
            "dyspigmentation_sum": self.dyspigmentation_sum,
            "dyspigmentation_doubled": self.dyspigmentation_doubled,
            "dyspigmentation_score": self.dyspigmentation_score,
            "scarring_sum": sum(a.scarring or 0 for a in self.areas),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping: totals, severity, working, method and references."""
        return {
            "instrument": DEFINITION.name,
            "activity": self.activity,
            "damage": self.damage,
            "severity": self.severity,
            "partial": self.partial,
            "missing": list(self.missing),
            "working": self.working(),
            "method": self.method,
            "reference": self.reference.to_dict(),
            "severity_reference": self.severity_reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return a readable table: one row per area, then the once-per-patient items."""

        def cell(value: int | None) -> str:
            return "-" if value is None else str(value)

        head = f"{'area':<32}{'ery':>4}{'scale':>6}{'act':>5}{'dysp':>6}{'scar':>6}{'dmg':>5}"
        lines = [
            f"CLASI (Albrecht 2005): activity {self.activity}/{ACTIVITY_MAX}, "
            f"damage {self.damage}/{DAMAGE_MAX}, severity {self.severity} (Klein 2011)",
        ]
        if self.partial:
            lines.append(
                f"PARTIAL: {len(self.missing)} items missing; totals and severity are lower "
                f"bounds. Missing: {', '.join(self.missing)}"
            )
        lines += ["", head, "-" * len(head)]
        for a in self.areas:
            scar = "n/a" if a.area == "scalp" else cell(a.scarring)
            lines.append(
                f"{a.label:<32}{cell(a.erythema):>4}{cell(a.scale):>6}{a.activity:>5}"
                f"{cell(a.dyspigmentation):>6}{scar:>6}{a.damage_before_doubling:>5}"
            )
        doubled = {True: "yes (x2)", False: "no", None: "not recorded"}
        lines += [
            "",
            f"Mucous membrane lesions:          {cell(self.mucous_membrane)}",
            f"Recent hair loss:                 {cell(self.recent_hair_loss)}",
            f"Non-scarring alopecia:            {cell(self.alopecia)}",
            f"Scalp scarring:                   {cell(self.scalp_scarring)}",
            f"Dyspigmentation lasts >= 12 mo:   {doubled[self.dyspigmentation_lasts_12_months]}",
            f"Dyspigmentation: sum {self.dyspigmentation_sum} -> score "
            f"{self.dyspigmentation_score}",
            "",
            f"Reference: {self.reference}",
            f"Severity: {self.severity_reference}",
        ]
        return "\n".join(lines)
