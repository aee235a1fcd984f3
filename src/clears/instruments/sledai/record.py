"""SLEDAI-2K and SELENA-SLEDAI: lupus activity as the sum of 24 weighted descriptors.

SLEDAI-2K (Gladman 2002) scores 24 descriptors, each present or absent over the preceding
10 days (or 30 days, Touma 2010), and adds the weights (8, 4, 2 or 1) of those present:
0 to 105. SELENA-SLEDAI uses the same descriptors and weights but counts rash, alopecia,
mucosal ulcers and proteinuria only when they are **new or recurrent**, as the original
SLEDAI did (Bombardier 1992); SLEDAI-2K counts them when persistent too. Here SELENA-SLEDAI
is a flag (``variant="selena"``), not a second table.

Input values: ``true``/``false`` for every descriptor. For the four onset-sensitive
descriptors (:data:`ONSET_DESCRIPTORS`) the words ``"new"``, ``"recurrent"`` and
``"persistent"`` are accepted as well; under SELENA-SLEDAI a present one must say which
(a bare ``true`` is refused, because it cannot be scored). In flat columns the same
descriptors hold codes 0 (absent), 1 (present, onset not recorded), 2 (new or recurrent)
and 3 (persistent).

The data (descriptors, weights, bands) live in :mod:`clears.instruments.sledai.definition`,
the result type in :mod:`clears.instruments.sledai.result` and the vectorised path in
:mod:`clears.instruments.sledai.vector`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

from clears._exceptions import InputError, Problem
from clears.instruments._base import require_mapping, unknown_keys
from clears.instruments.sledai.definition import KEYS as _KEYS
from clears.instruments.sledai.definition import LABELS as _LABELS
from clears.instruments.sledai.definition import (
    ONSET_DESCRIPTORS,
    WEIGHTS,
    WINDOWS,
)
from clears.instruments.sledai.definition import check_variant as _check_variant
from clears.instruments.sledai.result import ScoredDescriptor, SledaiResult

__all__ = ["SledaiInput", "score", "score_mapping"]

Onset = Literal["new", "recurrent", "persistent"]
Value = bool | Onset


_ONSET_CODES: Final[Mapping[object, int]] = MappingProxyType(
    {"new": 2, "recurrent": 2, "persistent": 3}
)
_STATUS: Final = MappingProxyType({1: "present", 2: "new_or_recurrent", 3: "persistent"})


def _allowed(key: str) -> str:
    if key in ONSET_DESCRIPTORS:
        return 'true, false, "new", "recurrent" or "persistent"'
    return "true or false"


def _check(key: str, value: object, variant: str, path: str) -> Problem | None:
    """Return a problem with one descriptor value, or None if it can be scored."""
    if isinstance(value, bool):
        if value and variant == "selena" and key in ONSET_DESCRIPTORS:
            return Problem(
                path,
                value,
                'SELENA-SLEDAI needs to know whether it is new or recurrent: give "new", '
                '"recurrent" or "persistent" instead of true',
                _allowed(key),
            )
        return None
    if key in ONSET_DESCRIPTORS and isinstance(value, str) and value in _ONSET_CODES:
        return None
    if value is None:
        return Problem(path, None, "is missing", _allowed(key))
    return Problem(path, value, "not an allowed value", _allowed(key))


def _check_window(value: object, path: str) -> Problem | None:
    if isinstance(value, bool) or value not in WINDOWS:
        return Problem(path, value, "not an allowed window (days)", "10 or 30")
    return None


def _code(value: Value) -> int:
    if isinstance(value, bool):
        return int(value)
    return _ONSET_CODES[value]


@dataclass(frozen=True, slots=True)
class SledaiInput:
    """One SLEDAI assessment: every descriptor, and the window it covers.

    Every descriptor is required (``True``/``False``); the four in
    :data:`ONSET_DESCRIPTORS` also take ``"new"``, ``"recurrent"`` or ``"persistent"``.
    Bad values raise :class:`~clears.InputError` listing every problem.
    """

    seizure: bool
    psychosis: bool
    organic_brain_syndrome: bool
    visual_disturbance: bool
    cranial_nerve_disorder: bool
    lupus_headache: bool
    cva: bool
    vasculitis: bool
    arthritis: bool
    myositis: bool
    urinary_casts: bool
    hematuria: bool
    proteinuria: Value
    pyuria: bool
    rash: Value
    alopecia: Value
    mucosal_ulcers: Value
    pleurisy: bool
    pericarditis: bool
    low_complement: bool
    increased_dna_binding: bool
    fever: bool
    thrombocytopenia: bool
    leukopenia: bool
    window_days: int = 10

    def __post_init__(self) -> None:
        problems = [p for key in _KEYS if (p := _check(key, getattr(self, key), "sledai2k", key))]
        if (p := _check_window(self.window_days, "window_days")) is not None:
            problems.append(p)
        if problems:
            raise InputError(problems)

    def values(self) -> dict[str, Value]:
        """The descriptor values keyed by descriptor, in declaration order."""
        return {key: getattr(self, key) for key in _KEYS}


def _counts(code: int, key: str, variant: str) -> bool:
    if key in ONSET_DESCRIPTORS and variant == "selena":
        return code == 2
    return code > 0


def score(record: SledaiInput, *, variant: str = "sledai2k") -> SledaiResult:
    """Score one SLEDAI assessment.

    Parameters
    ----------
    record
        The 24 descriptors and the window.
    variant
        ``"sledai2k"`` (Gladman 2002: persistent activity counts) or ``"selena"``
        (SELENA-SLEDAI: rash, alopecia, mucosal ulcers and proteinuria only when new or
        recurrent; a bare ``True`` for these is refused).

    Returns
    -------
    SledaiResult
        Total 0-105, the descriptors counted with their weights, and the variant.

    References
    ----------
    Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29:288-291. Petri M et al.
    N Engl J Med 2005;353:2550-2558 (SELENA-SLEDAI).

    Examples
    --------
    >>> values = dict.fromkeys(WEIGHTS, False)
    >>> record = SledaiInput(**{**values, "arthritis": True, "rash": "persistent"})
    >>> score(record).score, score(record, variant="selena").score
    (6, 4)
    """
    _check_variant(variant)
    values = record.values()
    problems = [p for key, v in values.items() if (p := _check(key, v, variant, key))]
    if problems:
        raise InputError(problems)
    scored: list[ScoredDescriptor] = []
    skipped: list[ScoredDescriptor] = []
    for key, value in values.items():
        code = _code(value)
        if code == 0:
            continue
        item = ScoredDescriptor(key, _LABELS[key], WEIGHTS[key], _STATUS[code])
        (scored if _counts(code, key, variant) else skipped).append(item)
    return SledaiResult(
        score=sum(d.weight for d in scored),
        descriptors_scored=tuple(scored),
        not_counted=tuple(skipped),
        variant=variant,
        window_days=record.window_days,
    )


def score_mapping(payload: Mapping[str, Any], *, variant: str = "sledai2k") -> SledaiResult:
    """Score SLEDAI from a JSON object of descriptor keys (and optional ``window_days``).

    Every one of the 24 keys is required; unknown keys and values other than those
    allowed are refused, all problems at once.

    Examples
    --------
    >>> payload = dict.fromkeys(WEIGHTS, False) | {"seizure": True, "fever": True}
    >>> score_mapping(payload).working
    '8 + 1 = 9'
    """
    _check_variant(variant)
    mapping = require_mapping(payload, "")
    if isinstance(mapping, Problem):
        raise InputError(mapping)
    known = (*_KEYS, "window_days")
    problems = unknown_keys(list(mapping), known, "")
    problems += [
        Problem(key, None, "is missing", _allowed(key)) for key in _KEYS if key not in mapping
    ]
    problems += [
        p for key in _KEYS if key in mapping and (p := _check(key, mapping[key], variant, key))
    ]
    window = mapping.get("window_days", 10)
    if (p := _check_window(window, "window_days")) is not None:
        problems.append(p)
    if problems:
        raise InputError(problems)
    return score(
        SledaiInput(**{key: mapping[key] for key in _KEYS}, window_days=window), variant=variant
    )
