"""Response status and relapse from CLASI-A, read from the criteria preset a protocol names.

A protocol does not restate what response means: its ``[response]`` table names a criteria
preset (:mod:`clears.criteria`; ``cortes2012`` for the seed protocol) and this module
classifies with that preset's :func:`clears.criteria.classify_response`, the function
``clears outcomes`` uses. The only thing decision support adds is a dosing distinction the
preset's categories do not make: Cortés-Hernández 2012 (Methods) raises the dose when "no
clinical improvement was observed" and keeps 5 mg/day in partial response, so a decrease that
reaches no response level is ``improved`` here and ``none`` in the preset's categories
(:func:`category_of` maps a status back to the preset's category).

References
----------
Cortés-Hernández J, et al. Arthritis Res Ther 2012;14(6):R265, doi:10.1186/ar4111, Methods:
"complete response (CR) as ... CLASI activity score = 0; partial response (PR) by at least a
50 % improvement ...; no response when no improvement or worsening"; relapse "a new CLASI ≥ 4
in those who previously achieved CR".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from clears.criteria import CATEGORIES, Preset, classify_response

__all__ = ["STATUS_CATEGORY", "category", "category_of", "classify", "relapse_flags"]

#: Dose-engine status -> the preset's response category (:data:`clears.criteria.CATEGORIES`).
STATUS_CATEGORY: Final = {
    "complete": "complete",
    "partial": "partial",
    "minimal": "minimal",
    "improved": "none",
    "none": "none",
    "unknown": "not_evaluable",
}
_RANK: Final = {name: rank for rank, name in enumerate(CATEGORIES)}


def category(baseline: float | None, current: float | None, preset: Preset) -> str:
    """The preset's response category of ``current`` CLASI-A against ``baseline``.

    ``not_evaluable`` when a value is missing or the preset cannot classify the baseline.

    Examples
    --------
    >>> from clears.criteria import get
    >>> p = get("cortes2012")
    >>> [category(10, c, p) for c in (5, 6, 0)], category(None, 0, p)
    (['partial', 'none', 'complete'], 'not_evaluable')
    """
    if baseline is None or current is None:
        return "not_evaluable"
    return str(classify_response([baseline], [current], preset)[0])


def classify(baseline: float | None, current: float | None, preset: Preset) -> str:
    """Return the dose-engine status of ``current`` CLASI-A against ``baseline``.

    The preset's category, except that ``none`` with a decrease of CLASI-A is ``improved``
    and ``not_evaluable`` is ``unknown`` (statuses in
    :data:`clears.protocol._definition.STATUSES`).

    Examples
    --------
    Cortés-Hernández 2012: partial is at least a 50 % decrease, complete CLASI-A 0.

    >>> from clears.criteria import get
    >>> p = get("cortes2012")
    >>> classify(10, 5, p), classify(10, 6, p), classify(10, 10, p), classify(10, 0, p)
    ('partial', 'improved', 'none', 'complete')
    """
    found = category(baseline, current, preset)
    if found == "not_evaluable":
        return "unknown"
    if found == "none" and baseline is not None and current is not None and current < baseline:
        return "improved"
    return found


def category_of(status: str) -> str:
    """The preset's category for a dose-engine status (``improved`` is ``none``)."""
    return STATUS_CATEGORY[status]


def relapse_flags(
    baseline: float | None, scores: Sequence[float], preset: Preset
) -> tuple[bool, ...]:
    """For each follow-up CLASI-A (in date order), whether it is a relapse under ``preset``.

    A score is a relapse when an earlier follow-up score reached the preset's
    ``relapse.after`` level and the score meets the preset's relapse thresholds: at least
    ``min_score`` (if given) and at least ``min_rise`` above the lowest score since that
    response (if given). All False when the preset defines no relapse.

    Examples
    --------
    Cortés-Hernández 2012: "a new CLASI ≥ 4 in those who previously achieved CR".

    >>> from clears.criteria import get
    >>> relapse_flags(10, [0, 3, 4], get("cortes2012"))
    (False, False, True)
    """
    rule = preset.relapse
    if rule is None:
        return tuple(False for _ in scores)
    needed = _RANK[rule.after]
    out: list[bool] = []
    nadir: float | None = None
    for score in scores:
        hit = nadir is not None
        if hit and rule.min_score is not None:
            hit = score >= rule.min_score
        if hit and rule.min_rise is not None and nadir is not None:
            hit = score - nadir >= rule.min_rise
        out.append(hit)
        if nadir is not None:
            nadir = min(nadir, score)
        elif _RANK[category(baseline, score, preset)] >= needed:
            nadir = score
    return tuple(out)
