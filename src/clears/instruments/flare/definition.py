"""Lupus flare between two visits: the SELENA flare index and Cortés-Hernández 2012.

Two rules, each with its thresholds held as data below:

``sfi``
    SELENA-SLEDAI flare index (Petri 1999; Buyon 2005). *Severe* if any severe criterion
    is met, else *mild_moderate* if any mild/moderate criterion is met, else *none*.
    Criteria: SLEDAI score change, new or worse manifestations, prednisone, new drugs,
    hospitalisation, physician's global assessment (PGA, 0-3).
``cortes2012``
    Cortés-Hernández 2012: a SLEDAI increase > 3 is a *mild* flare, > 12 a *severe* one.
    Only the SLEDAI change is used.

Each rule names the visit its change is measured from (:data:`REFERENCE_VISITS`), once, for
every caller (``clears.outcomes`` and decision support): ``cortes2012`` from **baseline**
(Methods: "a mild flare was defined as a change in SLEDAI score greater than 3 and a severe
flare by a change in SLEDAI greater than 12", a change over the trial, whose AEs were
"any adverse deviation from the patient's baseline condition"; baseline chosen as
:data:`clears.outcomes.BASELINE_WINDOW_DAYS` says); ``sfi`` from the **previous** visit
(the SELENA flare index compares each visit with the one before).

Readings of the SLEDAI thresholds (``docs/instruments/flare.md``, "Readings"):

* mild: ``"ge3"`` (increase ≥ 3, the SFI's own) or ``"gt3"`` (> 3, Cortés-Hernández's
  own); ``mild_reading=None`` takes the rule's own.
* severe, SFI only: ``"to"`` (default) — the qualifying increase (the mild threshold) takes
  the score *to* more than 12; ``"change"`` — the increase itself is more than 12.
  Cortés-Hernández 2012 defines severe as a change > 12, so ``severe_reading`` does not
  apply to it (the result says so).

The PGA criteria are read the same way as the SLEDAI "to" reading: an increase ≥ 1.0 is
mild/moderate, and severe when that increase takes the PGA to more than 2.5.

Thanou 2014 showed that the SFI's medication criteria upgrade many flares that
physicians rate as mild to severe; every result lists the criteria that fired, so they
can be read apart.

The SFI's clinical criteria, held as data in :mod:`clears.instruments.flare._sfi`, are
re-exported here. One record is classified by :mod:`clears.instruments.flare.record`, many
SLEDAI changes at once by :mod:`clears.instruments.flare.vector`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from clears._exceptions import InputError, Problem
from clears.instruments._base import Reference
from clears.instruments.flare._sfi import (
    MILD_DRUGS,
    MILD_MANIFESTATIONS,
    OPTIONAL_SEVERE_DRUGS,
    SEVERE_DRUGS,
    SEVERE_MANIFESTATIONS,
    SFI_REFERENCE,
)

__all__ = [
    "CORTES2012_REFERENCE",
    "MILD_DRUGS",
    "MILD_MANIFESTATIONS",
    "MILD_READINGS",
    "OPTIONAL_SEVERE_DRUGS",
    "REFERENCE_VISITS",
    "RULES",
    "SEVERE_CUTOFF",
    "SEVERE_DRUGS",
    "SEVERE_MANIFESTATIONS",
    "SEVERE_READINGS",
    "SFI_REFERENCE",
    "THANOU_REFERENCE",
    "Rule",
    "resolve_rule",
]

CORTES2012_REFERENCE: Final = Reference(
    citation=(
        "Cortés-Hernández J, et al. Efficacy and safety "
        "of lenalidomide for refractory cutaneous lupus erythematosus. Arthritis Res Ther "
        "2012;14:R265"
    ),
    doi="10.1186/ar4111",
)
THANOU_REFERENCE: Final = Reference(
    citation=(
        "Thanou A et al. How should lupus flares be measured? Deconstruction of the "
        "SELENA-SLEDAI flare index. Rheumatology 2014"
    ),
    doi="10.1093/rheumatology/keu153",
    pmid="24729400",
)

#: Mild threshold readings: name -> (threshold, inclusive).
MILD_READINGS: Final[Mapping[str, tuple[int, bool]]] = MappingProxyType(
    {"ge3": (3, True), "gt3": (3, False)}
)
SEVERE_READINGS: Final = ("to", "change")
#: The visit a rule's SLEDAI change is measured from: the patient's baseline, or the previous
#: visit with a total.
REFERENCE_VISITS: Final = ("baseline", "previous")
#: SLEDAI severe cut-off: "to > 12" (absolute) or "change > 12".
SEVERE_CUTOFF: Final = 12


@dataclass(frozen=True, slots=True)
class Rule:
    """A flare definition: its levels, default readings, source and reference visit.

    ``reference_visit`` (:data:`REFERENCE_VISITS`): the SLEDAI change is measured from the
    patient's ``"baseline"`` or from the ``"previous"`` visit with a total.
    """

    name: str
    levels: tuple[str, str, str]
    mild_reading: str
    severe_reading: str
    reference: Reference
    uses_clinical_criteria: bool
    reference_visit: str = "previous"


RULES: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        "sfi": Rule("sfi", ("none", "mild_moderate", "severe"), "ge3", "to", SFI_REFERENCE, True),
        "cortes2012": Rule(
            "cortes2012",
            ("none", "mild", "severe"),
            "gt3",
            "change",
            CORTES2012_REFERENCE,
            False,
            reference_visit="baseline",
        ),
    }
)


def resolve_rule(rule: str, severe_reading: str, mild_reading: str | None) -> tuple[Rule, str, str]:
    """The rule and the mild and severe readings that apply, or every problem at once.

    ``severe_reading`` applies to the SFI only; ``mild_reading=None`` takes the rule's own.

    Examples
    --------
    >>> spec, mild, severe = resolve_rule("cortes2012", "to", None)
    >>> spec.name, mild, severe
    ('cortes2012', 'gt3', 'change')
    """
    problems = []
    if rule not in RULES:
        problems.append(Problem("rule", rule, "unknown flare rule", ", ".join(RULES)))
    if severe_reading not in SEVERE_READINGS:
        problems.append(Problem("severe_reading", severe_reading, "unknown reading", "to, change"))
    if mild_reading is not None and mild_reading not in MILD_READINGS:
        problems.append(Problem("mild_reading", mild_reading, "unknown reading", "ge3, gt3"))
    if problems:
        raise InputError(problems)
    spec = RULES[rule]
    severe = severe_reading if spec.name == "sfi" else spec.severe_reading
    return spec, mild_reading or spec.mild_reading, severe
