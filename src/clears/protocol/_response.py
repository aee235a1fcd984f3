"""Response status from CLASI-A against baseline, as a protocol defines it.

This is the protocol's own reading of response, tied to its :class:`ResponseDefinition`
(for ``cortes2012``: complete = CLASI-A 0, partial = a decrease of at least 50 %, none = no
improvement, relapse = CLASI-A at least 4 after a complete response; Cortés-Hernández J et al.,
Arthritis Res Ther 2012;14(6):R265, doi:10.1186/ar4111, Methods). The registry-wide response
presets live in :mod:`clears.criteria`; decision support keeps its definition with the protocol
so that a protocol file states, in one place, what its rules mean.
"""

from __future__ import annotations

from clears.protocol._definition import ResponseDefinition

__all__ = ["classify"]


def classify(baseline: float | None, current: float | None, definition: ResponseDefinition) -> str:
    """Return the response status of ``current`` CLASI-A against ``baseline``.

    Statuses, checked in this order: ``complete`` (current ≤ ``complete_at_most``),
    ``partial`` (fractional decrease ≥ ``partial_fraction``), ``minimal`` (decrease ≥
    ``minimal_points`` points or ≥ ``minimal_fraction``), ``improved`` (any decrease short of
    those), ``none`` (no decrease, or worse), ``unknown`` (a value is missing). A baseline of
    0 has no percentage, so only the point rules apply to it.

    Examples
    --------
    >>> d = ResponseDefinition(0, 0.5, None, None, 4, "example")
    >>> classify(10, 5, d), classify(10, 6, d), classify(10, 10, d), classify(10, 0, d)
    ('partial', 'improved', 'none', 'complete')
    """
    if baseline is None or current is None:
        return "unknown"
    if definition.complete_at_most is not None and current <= definition.complete_at_most:
        return "complete"
    decrease = baseline - current
    fraction = decrease / baseline if baseline > 0 else None
    if (
        definition.partial_fraction is not None
        and fraction is not None
        and fraction >= definition.partial_fraction
    ):
        return "partial"
    if (definition.minimal_points is not None and decrease >= definition.minimal_points) or (
        definition.minimal_fraction is not None
        and fraction is not None
        and fraction >= definition.minimal_fraction
    ):
        return "minimal"
    if decrease > 0:
        return "improved"
    return "none"
