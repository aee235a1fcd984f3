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

Readings of the SLEDAI thresholds (``pitfalls`` in the project's instrument notes):

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

The SFI's clinical criteria live in :mod:`clears.instruments.flare._sfi`, the input record
in :mod:`clears.instruments.flare._input` and the JSON reader in
:mod:`clears.instruments.flare._payload`; every public name is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.instruments import sledai
from clears.instruments._base import Reference
from clears.instruments.flare._input import FlareInput, Pair, has_clinical
from clears.instruments.flare._payload import read_payload
from clears.instruments.flare._sfi import (
    MILD_DRUGS,
    MILD_MANIFESTATIONS,
    OPTIONAL_SEVERE_DRUGS,
    SEVERE_DRUGS,
    SEVERE_MANIFESTATIONS,
    SFI_REFERENCE,
    clinical_criteria,
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
    "Criterion",
    "FlareInput",
    "FlareResult",
    "Pair",
    "Rule",
    "classify",
    "classify_change",
    "score_mapping",
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


def _resolve(rule: str, severe_reading: str, mild_reading: str | None) -> tuple[Rule, str, str]:
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


def _meets_mild(change: int, mild: str) -> bool:
    threshold, inclusive = MILD_READINGS[mild]
    return change >= threshold if inclusive else change > threshold


def _mild_text(mild: str) -> str:
    threshold, inclusive = MILD_READINGS[mild]
    return f"increase {'≥' if inclusive else '>'} {threshold}"


def _severe_text(severe: str, mild: str) -> str:
    if severe == "to":
        return f"{_mild_text(mild)} to > {SEVERE_CUTOFF}"
    return f"increase > {SEVERE_CUTOFF}"


def _score_criteria(
    previous: int, current: int, spec: Rule, mild: str, severe: str
) -> list[Criterion]:
    change = current - previous
    detail = f"SLEDAI {previous} -> {current} (change {change:+d})"
    if severe == "to":
        is_severe = _meets_mild(change, mild) and current > SEVERE_CUTOFF
    else:
        is_severe = change > SEVERE_CUTOFF
    if is_severe:
        return [Criterion("sledai", "severe", _severe_text(severe, mild), detail, spec.reference)]
    if _meets_mild(change, mild):
        return [Criterion("sledai", spec.levels[1], _mild_text(mild), detail, spec.reference)]
    return []


def classify(
    record: FlareInput,
    *,
    rule: str = "sfi",
    severe_reading: str = "to",
    mild_reading: str | None = None,
) -> FlareResult:
    """Classify the flare between two visits.

    Parameters
    ----------
    record
        The two SLEDAI scores and, for the SFI, the other criteria.
    rule
        ``"sfi"`` (SELENA flare index) or ``"cortes2012"``.
    severe_reading
        SFI only: ``"to"`` (qualifying increase to > 12) or ``"change"`` (increase > 12).
    mild_reading
        ``"ge3"``, ``"gt3"`` or ``None`` for the rule's own.

    Returns
    -------
    FlareResult
        Flare class (SFI: none/mild_moderate/severe; cortes2012: none/mild/severe), every
        criterion that fired with its reading and reference, and the readings used.

    References
    ----------
    Petri M, Buyon J, Kim M. Lupus 1999;8:685-691. Buyon JP et al. Ann Intern Med
    2005;142:953-962. Cortés-Hernández J et al. Arthritis Res Ther 2012;14:R265,
    doi:10.1186/ar4111. Thanou A et al. Rheumatology 2014, doi:10.1093/rheumatology/keu153.

    Examples
    --------
    >>> classify(FlareInput(previous_sledai=4, current_sledai=7)).flare
    'mild_moderate'
    >>> classify(FlareInput(previous_sledai=4, current_sledai=7), rule="cortes2012").flare
    'none'
    """
    spec, mild, severe = _resolve(rule, severe_reading, mild_reading)
    previous, current = record.previous_sledai, record.current_sledai
    criteria = _score_criteria(previous, current, spec, mild, severe)
    notes: list[str] = []
    if spec.uses_clinical_criteria:
        fired, notes = clinical_criteria(record)
        criteria += [Criterion(*finding, SFI_REFERENCE) for finding in fired]
        notes.append(f"medication criteria can upgrade flares to severe: {THANOU_REFERENCE}")
    else:
        notes.append(f"severe_reading applies to the SFI only; {spec.name} defines change > 12")
    if not spec.uses_clinical_criteria and has_clinical(record):
        notes.append(f"{spec.name} uses the SLEDAI change only; other criteria were ignored")
    levels = {c.level for c in criteria}
    flare = "severe" if "severe" in levels else spec.levels[1] if levels else "none"
    return FlareResult(
        flare=flare,
        rule=spec.name,
        readings=MappingProxyType({"mild": mild, "severe": severe}),
        previous_sledai=previous,
        current_sledai=current,
        criteria=tuple(criteria),
        reference=spec.reference,
        notes=tuple(notes),
    )


def score_mapping(
    payload: Mapping[str, Any],
    *,
    rule: str = "sfi",
    severe_reading: str = "to",
    mild_reading: str | None = None,
) -> FlareResult:
    """Classify a flare from a JSON object (the shape is in ``docs/instruments/flare.md``).

    ``previous`` and ``current`` are each ``{"sledai": n}`` or the 24 SLEDAI descriptors
    (scored with ``sledai_variant``, by default SELENA-SLEDAI for the SFI and SLEDAI-2K
    for cortes2012). The other keys are optional: ``prednisone_mg_per_day`` and ``pga``
    as ``{"previous": x, "current": y}``, ``weight_kg``, ``new_drugs``, ``new_or_worse``,
    ``hospitalised`` and ``count_mycophenolate``. Every problem is reported at once.

    Examples
    --------
    >>> payload = {"previous": {"sledai": 2}, "current": {"sledai": 6}, "hospitalised": True}
    >>> score_mapping(payload).flare, score_mapping(payload, rule="cortes2012").flare
    ('severe', 'mild')
    """
    spec, _, _ = _resolve(rule, severe_reading, mild_reading)
    record = read_payload(payload, default_variant="selena" if spec.name == "sfi" else "sledai2k")
    return classify(record, rule=rule, severe_reading=severe_reading, mild_reading=mild_reading)


def classify_change(
    previous_scores: Sequence[object] | npt.ArrayLike | pd.Series,
    current_scores: Sequence[object] | npt.ArrayLike | pd.Series,
    *,
    rule: str = "sfi",
    severe_reading: str = "to",
    mild_reading: str | None = None,
) -> pd.Series:
    """Classify many SLEDAI changes at once (score criteria only).

    Missing scores give a missing class. Scores must be whole numbers 0-105; the two
    inputs must have the same length. The index is that of ``previous_scores`` when it is
    a Series.

    Returns
    -------
    pandas.Series
        Flare classes (strings) named ``flare``.

    Examples
    --------
    >>> classify_change([0, 0, 0], [2, 3, 13]).tolist()
    ['none', 'mild_moderate', 'severe']
    >>> classify_change([0, 0, 0], [2, 3, 13], rule="cortes2012").tolist()
    ['none', 'none', 'severe']
    """
    spec, mild, severe = _resolve(rule, severe_reading, mild_reading)
    index = previous_scores.index if isinstance(previous_scores, pd.Series) else None
    arrays = []
    problems: list[Problem] = []
    for name, scores in (("previous", previous_scores), ("current", current_scores)):
        plain = np.asarray(scores) if isinstance(scores, np.ndarray | pd.Series) else None
        if plain is not None and plain.dtype.kind in "iuf":
            # Numeric arrays cannot hold booleans or text: check the codes only (fast path).
            values = plain.astype(float)
            raw = pd.Series(plain)
            bad = ~np.isnan(values) & ~_is_score(values)
        else:
            raw = pd.Series(np.asarray(scores, dtype=object))
            values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = raw.notna().to_numpy() & ~(_is_score(values) & ~raw.map(_is_bool).to_numpy())
        problems += [
            Problem(
                name, raw.iloc[i], "not a SLEDAI score", "a whole number 0 to 105", row=int(i) + 1
            )
            for i in np.flatnonzero(bad)
        ]
        arrays.append(values)
    previous, current = arrays
    if len(previous) != len(current):
        problems.append(
            Problem("current", len(current), "length differs from previous", str(len(previous)))
        )
    if problems:
        raise InputError(problems)
    threshold, inclusive = MILD_READINGS[mild]
    change = current - previous
    is_mild = change >= threshold if inclusive else change > threshold
    is_severe = is_mild & (current > SEVERE_CUTOFF) if severe == "to" else change > SEVERE_CUTOFF
    labels = np.where(is_severe, "severe", np.where(is_mild, spec.levels[1], "none"))
    out = pd.Series(labels.astype(object), index=index, name="flare", dtype=object)
    missing = np.isnan(previous) | np.isnan(current)
    out[missing] = None
    return out


def _is_score(values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Whole numbers from 0 to the SLEDAI maximum (NaN is not a score)."""
    with np.errstate(invalid="ignore"):
        whole: npt.NDArray[np.bool_] = values == np.floor(values)
        return whole & (values >= 0) & (values <= sledai.MAXIMUM)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)
