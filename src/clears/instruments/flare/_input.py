"""The record a flare is classified from: two visits and what changed between them.

:class:`FlareInput` checks itself on construction against the SLEDAI range and the SELENA
flare index lists in :mod:`clears.instruments.flare._sfi`, and raises
:class:`~clears.InputError` naming every problem at once.

References
----------
Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29:288-291 (SLEDAI-2K, 0-105).
Petri M, Buyon J, Kim M. Lupus 1999;8(8):685-691 (SELENA flare index).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from clears._exceptions import InputError, Problem
from clears.instruments import sledai
from clears.instruments.flare._sfi import (
    MILD_DRUGS,
    MILD_MANIFESTATIONS,
    OPTIONAL_SEVERE_DRUGS,
    SEVERE_DRUGS,
    SEVERE_MANIFESTATIONS,
)

__all__ = ["FlareInput", "Pair", "has_clinical"]


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


def has_clinical(record: FlareInput) -> bool:
    """Whether the record holds any criterion other than the two SLEDAI scores."""
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
