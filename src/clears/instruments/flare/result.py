"""The flare result: the class, the criteria that fired and the readings applied.

Built by :func:`clears.instruments.flare.record.classify`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clears.instruments._base import Reference

__all__ = ["Criterion", "FlareResult"]


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion that fired: its level, the reading applied and the evidence."""

    name: str
    level: str
    reading: str
    detail: str
    reference: Reference

    def to_dict(self) -> dict[str, Any]:
        """Return the criterion as a JSON-ready mapping."""
        return {
            "name": self.name,
            "level": self.level,
            "reading": self.reading,
            "detail": self.detail,
            "reference": str(self.reference),
        }


@dataclass(frozen=True, slots=True)
class FlareResult:
    """The flare class, the criteria that fired and how they were read."""

    flare: str
    rule: str
    readings: Mapping[str, str]
    previous_sledai: int
    current_sledai: int
    criteria: tuple[Criterion, ...]
    reference: Reference
    notes: tuple[str, ...] = field(default=())

    @property
    def sledai_change(self) -> int:
        """Current minus previous SLEDAI."""
        return self.current_sledai - self.previous_sledai

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        return {
            "flare": self.flare,
            "rule": self.rule,
            "readings": dict(self.readings),
            "sledai": {
                "previous": self.previous_sledai,
                "current": self.current_sledai,
                "change": self.sledai_change,
            },
            "criteria": [c.to_dict() for c in self.criteria],
            "reference": self.reference.to_dict(),
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        """Return a readable rendering of the result."""
        readings = ", ".join(f"{k} {v}" for k, v in self.readings.items())
        lines = [
            f"Flare ({self.rule}): {self.flare}",
            f"  SLEDAI {self.previous_sledai} -> {self.current_sledai} "
            f"(change {self.sledai_change:+d}); readings: {readings}",
        ]
        lines += [f"  [{c.level}] {c.name}: {c.detail} ({c.reading})" for c in self.criteria]
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(f"  reference: {self.reference}")
        return "\n".join(lines)
