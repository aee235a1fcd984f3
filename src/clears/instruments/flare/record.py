"""Classify the flare between two visits, one record at a time.

The SLEDAI change is read under the rule's mild and severe readings
(:mod:`clears.instruments.flare.definition`); for the SFI the clinical criteria
(:mod:`clears.instruments.flare._sfi`) are added. The input record lives in
:mod:`clears.instruments.flare._input` and the JSON reader in
:mod:`clears.instruments.flare._payload`.

References
----------
Petri M, Buyon J, Kim M. Lupus 1999;8:685-691. Buyon JP et al. Ann Intern Med
2005;142:953-962. Cortés-Hernández J et al. Arthritis Res Ther 2012;14:R265,
doi:10.1186/ar4111. Thanou A et al. Rheumatology 2014, doi:10.1093/rheumatology/keu153.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from clears.instruments.flare._input import FlareInput, has_clinical
from clears.instruments.flare._payload import read_payload
from clears.instruments.flare._sfi import SFI_REFERENCE, clinical_criteria
from clears.instruments.flare.definition import (
    MILD_READINGS,
    SEVERE_CUTOFF,
    THANOU_REFERENCE,
    Rule,
    resolve_rule,
)
from clears.instruments.flare.result import Criterion, FlareResult

__all__ = ["classify", "score_mapping"]


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
    spec, mild, severe = resolve_rule(rule, severe_reading, mild_reading)
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
    spec, _, _ = resolve_rule(rule, severe_reading, mild_reading)
    record = read_payload(payload, default_variant="selena" if spec.name == "sfi" else "sledai2k")
    return classify(record, rule=rule, severe_reading=severe_reading, mild_reading=mild_reading)
