"""Read a flare JSON object (the shape is in ``docs/instruments/flare.md``) into a record.

Each visit is ``{"sledai": n}`` or the 24 SLEDAI descriptors, scored with
:func:`clears.instruments.sledai.score_mapping`. Every problem in the object is reported at
once, in one :class:`~clears.InputError`.

References
----------
Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29:288-291 (SLEDAI-2K). Petri M, Buyon J,
Kim M. Lupus 1999;8(8):685-691 (SELENA flare index).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from clears._exceptions import InputError, Problem
from clears.instruments import sledai
from clears.instruments._base import require_mapping, unknown_keys
from clears.instruments.flare._input import FlareInput, Pair

__all__ = ["read_payload"]

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


def read_payload(payload: Mapping[str, Any], *, default_variant: str) -> FlareInput:
    """Read ``payload`` into a :class:`FlareInput`, scoring descriptor visits.

    ``default_variant`` scores descriptor visits when ``sledai_variant`` is not given.
    """
    mapping = require_mapping(payload, "")
    if isinstance(mapping, Problem):
        raise InputError(mapping)
    problems = unknown_keys(list(mapping), _PAYLOAD_KEYS, "")
    variant = mapping.get("sledai_variant", default_variant)
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
    return record


def _raw_total(mapping: Mapping[str, Any], visit: str, scored: int) -> object:
    """The total as given (so FlareInput can name a bad one), else the scored one."""
    given = mapping.get(visit)
    if isinstance(given, Mapping) and "sledai" in given:
        return given["sledai"]
    return scored
