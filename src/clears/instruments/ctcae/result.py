"""The :class:`CtcaeResult` of :func:`clears.instruments.ctcae.grade_lab` and its rules.

Each result names the CTCAE version, the band that matched and the rule (a key of
:data:`RULES`) that decided the grade.

References
----------
.. [1] National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE)
   Version 5.0. U.S. Department of Health and Human Services, 27 November 2017.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clears.instruments._base import Reference
from clears.instruments.ctcae.definition import REFERENCE, VERSION

__all__ = ["RULES", "CtcaeResult"]

RULES: Mapping[str, str] = {
    "at_or_above_lln": "value at or above the local LLN: no adverse event (grade 0)",
    "numeric_band": "numeric CTCAE band, value below the local LLN",
    "numeric_band_no_lln": (
        "numeric CTCAE band; no LLN given, value below the grade-1 lower bound"
    ),
    "transfusion_indicated": "anaemia grade 3 met by 'transfusion indicated'",
}
"""The grading rules, by the code given in :attr:`CtcaeResult.rule`."""


@dataclass(frozen=True, slots=True)
class CtcaeResult:
    """The CTCAE v5.0 grade of one laboratory value, with how it was reached.

    Attributes
    ----------
    grade
        0 (no adverse event) to the worst numeric grade of the term.
    term, term_key, soc
        The exact CTCAE term, its clears key and its system organ class.
    description
        The CTCAE cell text of the grade (or the grade-0 meaning).
    test, value, unit
        The test, value and unit as given.
    canonical_value, canonical_unit
        The value in the canonical unit of :mod:`clears.units`.
    scale_unit
        The unit of the thresholds applied (the canonical unit, or mmol/L).
    lln, lln_unit
        The local lower limit of normal as given, and its unit (the canonical unit when it
        was given without one); both ``None`` when no LLN was given.
    interval
        ``(lower, upper)`` in ``scale_unit`` of the band that matched, lower inclusive and
        upper exclusive; ``None`` stands for no bound. ``None`` when no band decided.
    rule
        Key of :data:`RULES` that decided the grade.
    flags
        Codes of notable conditions (``lln_overlap``, ``lln_not_given``,
        ``lln_below_grade1_bound``).
    transfusion_indicated
        Whether "transfusion indicated" was given (anaemia only).
    canonical_lln
        The LLN converted to the canonical unit (``None`` when not given).
    """

    grade: int
    term: str
    term_key: str
    soc: str
    description: str
    test: str
    value: float
    unit: str
    canonical_value: float
    canonical_unit: str
    scale_unit: str
    lln: float | None
    lln_unit: str | None
    interval: tuple[float | None, float | None] | None
    rule: str
    flags: tuple[str, ...] = ()
    transfusion_indicated: bool = False
    canonical_lln: float | None = None
    version: str = VERSION
    reference: Reference = field(default=REFERENCE)

    @property
    def interval_text(self) -> str:
        """The matched interval as text (``0.5 ≤ x < 1.0 10^9/L``), or ``-``."""
        if self.interval is None:
            return "-"
        lower, upper = self.interval
        parts = [] if lower is None else [f"{lower} ≤"]
        parts.append("x")
        if upper is not None:
            parts.append(f"< {upper}")
        return " ".join(parts) + f" {self.scale_unit}"

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready mapping."""
        return {
            "version": self.version,
            "test": self.test,
            "term": self.term,
            "term_key": self.term_key,
            "soc": self.soc,
            "grade": self.grade,
            "description": self.description,
            "value": self.value,
            "unit": self.unit,
            "canonical_value": self.canonical_value,
            "canonical_unit": self.canonical_unit,
            "scale_unit": self.scale_unit,
            "lln": self.lln,
            "lln_unit": self.lln_unit,
            "canonical_lln": self.canonical_lln,
            "transfusion_indicated": self.transfusion_indicated,
            "interval": None if self.interval is None else list(self.interval),
            "interval_text": self.interval_text,
            "rule": self.rule,
            "rule_text": RULES[self.rule],
            "flags": list(self.flags),
            "reference": self.reference.to_dict(),
        }

    def to_text(self) -> str:
        """Return a readable rendering of the result."""
        lln = "not given" if self.lln is None else f"{self.lln:g} {self.lln_unit}"
        if self.lln is not None and self.lln_unit != self.canonical_unit:
            lln += f" (= {self.canonical_lln:g} {self.canonical_unit})"
        lines = [
            f"{self.version}: {self.term} ({self.soc})",
            f"Grade {self.grade}: {self.description}",
            f"Value: {self.value:g} {self.unit} "
            f"(= {self.canonical_value:g} {self.canonical_unit}); LLN: {lln}",
            f"Band: {self.interval_text}",
            f"Rule: {RULES[self.rule]}",
        ]
        if self.transfusion_indicated:
            lines.append("Transfusion indicated: yes")
        if self.flags:
            lines.append("Flags: " + ", ".join(self.flags))
        lines.append(f"Reference: {self.reference}")
        return "\n".join(lines)
