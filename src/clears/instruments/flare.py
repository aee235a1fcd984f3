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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from clears._exceptions import InputError, Problem
from clears.instruments import sledai
from clears.instruments._definition import Reference, require_mapping, unknown_keys

__all__ = [
    "CORTES2012_REFERENCE",
    "MILD_DRUGS",
    "MILD_MANIFESTATIONS",
    "MILD_READINGS",
    "OPTIONAL_SEVERE_DRUGS",
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

SFI_REFERENCE: Final = Reference(
    citation=(
        "Petri M, Buyon J, Kim M. Classification and definition of major flares in SLE "
        "clinical trials. Lupus 1999;8(8):685-691; Buyon JP et al. Ann Intern Med "
        "2005;142:953-962 (flare table)"
    ),
    pmid="10568907",
    note=(
        "Primary tables not retrieved; criteria as in the Ann Rheum Dis table 'Features, "
        "caveats and pitfalls of main indices used in SLE' [S]."
    ),
)
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
#: SLEDAI severe cut-off: "to > 12" (absolute) or "change > 12".
SEVERE_CUTOFF: Final = 12
_PGA_STEP: Final = 1.0  # SFI: PGA increase ≥ 1.0 [S]
_PGA_CUTOFF: Final = 2.5  # SFI: severe when to > 2.5 [S]
_PREDNISONE_MG_PER_KG: Final = 0.5  # SFI: > 0.5 mg/kg/day is severe [S]


@dataclass(frozen=True, slots=True)
class Rule:
    """A flare definition: its levels, default readings and source."""

    name: str
    levels: tuple[str, str, str]
    mild_reading: str
    severe_reading: str
    reference: Reference
    uses_clinical_criteria: bool


RULES: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        "sfi": Rule("sfi", ("none", "mild_moderate", "severe"), "ge3", "to", SFI_REFERENCE, True),
        "cortes2012": Rule(
            "cortes2012", ("none", "mild", "severe"), "gt3", "change", CORTES2012_REFERENCE, False
        ),
    }
)

# SFI manifestations, new or worse since the previous visit [S: ARD table; medicalalgorithms].
MILD_MANIFESTATIONS: Final = (
    "rash_discoid",
    "rash_photosensitive",
    "rash_profundus",
    "rash_cutaneous_vasculitis",
    "rash_bullous",
    "nasopharyngeal_ulcers",
    "pleuritis",
    "pericarditis",
    "arthritis",
    "fever",
)
#: Severe only when they need doubled prednisone, prednisone > 0.5 mg/kg/day or admission.
SEVERE_MANIFESTATIONS: Final = (
    "cns_sle",
    "vasculitis",
    "nephritis",
    "myositis",
    "platelets_below_60",
    "haemolytic_anaemia",
)
MILD_DRUGS: Final = ("nsaid", "hydroxychloroquine")
SEVERE_DRUGS: Final = ("cyclophosphamide", "azathioprine", "methotrexate")
#: Counted as severe only with ``count_mycophenolate`` (later SFI versions; [U]).
OPTIONAL_SEVERE_DRUGS: Final = ("mycophenolate",)


@dataclass(frozen=True, slots=True)
class Pair:
    """A quantity at the previous and the current visit."""

    previous: float
    current: float


@dataclass(frozen=True, slots=True)
class FlareInput:
    """What changed between a previous and a current visit.

    ``prednisone_mg_per_day`` needs ``weight_kg`` when it increased; ``new_drugs`` are
    drugs newly started for lupus activity; ``new_or_worse`` are manifestations new or
    worse since the previous visit; ``hospitalised`` means admitted for lupus activity.
    """

    previous_sledai: int
    current_sledai: int
    prednisone_mg_per_day: Pair | None = None
    weight_kg: float | None = None
    new_drugs: tuple[str, ...] = ()
    hospitalised: bool = False
    pga: Pair | None = None
    new_or_worse: tuple[str, ...] = ()
    count_mycophenolate: bool = False

    def __post_init__(self) -> None:
        problems = _check_input(self)
        if problems:
            raise InputError(problems)


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


def _clinical_criteria(record: FlareInput) -> tuple[list[Criterion], list[str]]:
    """The SFI criteria other than the score, and notes on what could not fire."""
    fired: list[Criterion] = []
    notes: list[str] = []
    ref = SFI_REFERENCE

    def add(name: str, level: str, reading: str, detail: str) -> None:
        fired.append(Criterion(name, level, reading, detail, ref))

    pred = record.prednisone_mg_per_day
    increased = pred is not None and pred.current > pred.previous
    over = False
    if pred is not None and increased and record.weight_kg is not None:
        limit = _PREDNISONE_MG_PER_KG * record.weight_kg
        over = pred.current > limit
        detail = (
            f"prednisone {pred.previous:g} -> {pred.current:g} mg/day; "
            f"0.5 mg/kg/day = {limit:g} mg/day at {record.weight_kg:g} kg"
        )
        if over:
            add("prednisone", "severe", "increase to > 0.5 mg/kg/day", detail)
        else:
            add("prednisone", "mild_moderate", "increase, not to > 0.5 mg/kg/day", detail)
    doubled = pred is not None and increased and pred.current >= 2 * pred.previous
    severe_signs = [m for m in record.new_or_worse if m in SEVERE_MANIFESTATIONS]
    if severe_signs:
        needs = [
            text
            for ok, text in (
                (doubled, "prednisone doubled"),
                (over, "prednisone > 0.5 mg/kg/day"),
                (record.hospitalised, "hospitalisation"),
            )
            if ok
        ]
        if needs:
            add("severe_manifestation", "severe", "new or worse, needing " + " / ".join(needs),
                ", ".join(severe_signs))  # fmt: skip
        else:
            notes.append(
                f"new or worse {', '.join(severe_signs)} did not need doubled prednisone, "
                "prednisone > 0.5 mg/kg/day or hospitalisation: not an SFI severe criterion"
            )
    mild_signs = [m for m in record.new_or_worse if m in MILD_MANIFESTATIONS]
    if mild_signs:
        add("mild_manifestation", "mild_moderate", "new or worse", ", ".join(mild_signs))
    severe_drugs = SEVERE_DRUGS + (OPTIONAL_SEVERE_DRUGS if record.count_mycophenolate else ())
    if started := [d for d in record.new_drugs if d in severe_drugs]:
        add("new_drug", "severe", "new " + "/".join(severe_drugs), ", ".join(started))
    if started := [d for d in record.new_drugs if d in MILD_DRUGS]:
        add("new_drug", "mild_moderate", "new NSAID/hydroxychloroquine", ", ".join(started))
    if not record.count_mycophenolate and "mycophenolate" in record.new_drugs:
        notes.append("new mycophenolate is not a classic SFI criterion (count_mycophenolate)")
    if record.hospitalised:
        add("hospitalisation", "severe", "hospitalised for lupus activity", "hospitalised")
    if record.pga is not None:
        pga = record.pga
        step = round(pga.current - pga.previous, 9)
        detail = f"PGA {pga.previous:g} -> {pga.current:g} (change {step:+g})"
        if step >= _PGA_STEP and pga.current > _PGA_CUTOFF:
            add("pga", "severe", "increase ≥ 1.0 to > 2.5", detail)
        elif step >= _PGA_STEP:
            add("pga", "mild_moderate", "increase ≥ 1.0, not to > 2.5", detail)
    return fired, notes


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
        fired, notes = _clinical_criteria(record)
        criteria += fired
        notes.append(f"medication criteria can upgrade flares to severe: {THANOU_REFERENCE}")
    else:
        notes.append(f"severe_reading applies to the SFI only; {spec.name} defines change > 12")
    if not spec.uses_clinical_criteria and _has_clinical(record):
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


def _has_clinical(record: FlareInput) -> bool:
    return bool(
        record.prednisone_mg_per_day
        or record.new_drugs
        or record.hospitalised
        or record.pga
        or record.new_or_worse
    )


def _number(value: object, path: str, low: float, high: float | None) -> Problem | None:
    text = f"a number from {low:g}" + (f" to {high:g}" if high is not None else "")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Problem(path, value, "expects a number", text)
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        return Problem(path, value, "out of range", text)
    return None


def _check_input(record: FlareInput) -> list[Problem]:
    problems: list[Problem] = []
    for path, score in (
        ("previous.sledai", record.previous_sledai),
        ("current.sledai", record.current_sledai),
    ):
        if isinstance(score, bool) or not isinstance(score, int):
            problems.append(Problem(path, score, "expects a whole number", "0 to 105"))
        elif not 0 <= score <= sledai.MAXIMUM:
            problems.append(Problem(path, score, "out of range", "0 to 105"))
    for name, pair, high in (
        ("prednisone_mg_per_day", record.prednisone_mg_per_day, None),
        ("pga", record.pga, 3.0),
    ):
        if pair is not None:
            problems += [
                p
                for when in ("previous", "current")
                if (p := _number(getattr(pair, when), f"{name}.{when}", 0, high))
            ]
    if record.weight_kg is not None:
        if (p := _number(record.weight_kg, "weight_kg", 0, None)) is not None:
            problems.append(p)
        elif record.weight_kg == 0:
            problems.append(Problem("weight_kg", 0, "must be above 0", "a weight in kg"))
    pred = record.prednisone_mg_per_day
    if (
        pred is not None
        and record.weight_kg is None
        and not any(p.field.startswith("prednisone") for p in problems)
        and pred.current > pred.previous
    ):
        problems.append(
            Problem(
                "weight_kg",
                None,
                "is needed when prednisone increased (the severe criterion is > 0.5 mg/kg/day)",
                "a weight in kg",
            )
        )
    drugs = MILD_DRUGS + SEVERE_DRUGS + OPTIONAL_SEVERE_DRUGS
    problems += _members(record.new_drugs, drugs, "new_drugs")
    signs = MILD_MANIFESTATIONS + SEVERE_MANIFESTATIONS
    problems += _members(record.new_or_worse, signs, "new_or_worse")
    for path, flag in (
        ("hospitalised", record.hospitalised),
        ("count_mycophenolate", record.count_mycophenolate),
    ):
        if not isinstance(flag, bool):
            problems.append(Problem(path, flag, "expects true or false", "true or false"))
    return problems


def _members(values: object, allowed: tuple[str, ...], path: str) -> list[Problem]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        return [Problem(path, values, "expects a list", ", ".join(allowed))]
    return [
        Problem(f"{path}[{i}]", v, "unknown value", ", ".join(allowed))
        for i, v in enumerate(values)
        if v not in allowed
    ]


_PAYLOAD_KEYS: Final = (
    "previous",
    "current",
    "sledai_variant",
    "prednisone_mg_per_day",
    "weight_kg",
    "new_drugs",
    "hospitalised",
    "pga",
    "new_or_worse",
    "count_mycophenolate",
)


def _visit_score(value: object, path: str, variant: str) -> tuple[int, list[Problem]]:
    """Read one visit: ``{"sledai": n}`` or the 24 SLEDAI descriptors."""
    mapping = require_mapping(value, path)
    if isinstance(mapping, Problem):
        return 0, [mapping]
    if "sledai" in mapping:
        extra = unknown_keys([k for k in mapping if k != "sledai"], ["sledai"], path)
        total = mapping["sledai"]
        return (total if isinstance(total, int) else 0), extra
    try:
        return sledai.score_mapping(mapping, variant=variant).score, []
    except InputError as exc:
        return 0, [
            Problem(f"{path}.{p.field}", p.value, p.message, p.allowed) for p in exc.problems
        ]


def _pair(value: object, path: str) -> tuple[Pair | None, list[Problem]]:
    if value is None:
        return None, []
    mapping = require_mapping(value, path)
    if isinstance(mapping, Problem):
        return None, [mapping]
    problems = unknown_keys(list(mapping), ["previous", "current"], path)
    problems += [
        Problem(f"{path}.{k}", None, "is missing", "a number") for k in ("previous", "current")
        if k not in mapping
    ]  # fmt: skip
    if problems:
        return None, problems
    return Pair(mapping["previous"], mapping["current"]), []


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
    mapping = require_mapping(payload, "")
    if isinstance(mapping, Problem):
        raise InputError(mapping)
    problems = unknown_keys(list(mapping), _PAYLOAD_KEYS, "")
    variant = mapping.get("sledai_variant", "selena" if spec.name == "sfi" else "sledai2k")
    if variant not in sledai.VARIANTS:
        problems.append(Problem("sledai_variant", variant, "unknown variant", "sledai2k, selena"))
        variant = "sledai2k"
    scores = {}
    for visit in ("previous", "current"):
        if visit not in mapping:
            problems.append(Problem(visit, None, "is missing", '{"sledai": n} or descriptors'))
            scores[visit] = 0
            continue
        scores[visit], found = _visit_score(mapping[visit], visit, variant)
        problems += found
    pred, found = _pair(mapping.get("prednisone_mg_per_day"), "prednisone_mg_per_day")
    problems += found
    pga, found = _pair(mapping.get("pga"), "pga")
    problems += found
    kwargs: dict[str, Any] = {
        "previous_sledai": _raw_total(mapping, "previous", scores["previous"]),
        "current_sledai": _raw_total(mapping, "current", scores["current"]),
        "prednisone_mg_per_day": pred,
        "pga": pga,
    }
    for key, default in (
        ("weight_kg", None),
        ("hospitalised", False),
        ("count_mycophenolate", False),
        ("new_drugs", ()),
        ("new_or_worse", ()),
    ):
        value = mapping.get(key, default)
        kwargs[key] = tuple(value) if isinstance(value, list) else value
    try:
        record = FlareInput(**kwargs)
    except InputError as exc:
        problems += exc.problems
    if problems:
        raise InputError(problems)
    return classify(record, rule=rule, severe_reading=severe_reading, mild_reading=mild_reading)


def _raw_total(mapping: Mapping[str, Any], visit: str, scored: int) -> object:
    """The total as given (so FlareInput can name a bad one), else the scored one."""
    given = mapping.get(visit)
    if isinstance(given, Mapping) and "sledai" in given:
        return given["sledai"]
    return scored


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
        raw = pd.Series(np.asarray(scores, dtype=object))
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = raw.notna().to_numpy() & ~(
            np.isin(values, np.arange(sledai.MAXIMUM + 1)) & ~raw.map(_is_bool).to_numpy()
        )
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


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)
