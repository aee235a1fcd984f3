"""The baseline visit decision support uses, chosen as the outcome engine chooses it.

Baseline is the last visit with a value on or before the index date (the start of the first
period of the studied drug) and at most :data:`clears.outcomes.BASELINE_WINDOW_DAYS` days
before it; on a day with several values the highest is taken, as
:func:`clears.outcomes._baseline.baseline` does (its rows are sorted by day, then score, and
the last wins). An older value is no baseline: advice is never judged against a baseline the
outcome engine would refuse. The window is imported, never restated.
"""

from __future__ import annotations

import datetime as dt

from clears.outcomes import BASELINE_WINDOW_DAYS
from clears.protocol._patient import PatientData, number

__all__ = ["BASELINE_WINDOW_DAYS", "baseline_value", "stale_baseline"]


def _scores(data: PatientData, column: str) -> list[tuple[dt.date, float]]:
    out = []
    for row in data.visits:
        value = number(row.get(column))
        if value is not None:
            out.append((row["visit_date"], value))
    return out


def baseline_value(data: PatientData, column: str) -> tuple[dt.date, float] | None:
    """``(visit_date, value)`` of the baseline ``column`` value, or None.

    Examples
    --------
    See ``tests/protocol/test_response.py::test_baseline_window_is_the_outcome_engines``: a
    CLASI-A 30 days before the start is a baseline, 31 days before is not.
    """
    index = data.index_date
    if index is None:
        return None
    earliest = index - dt.timedelta(days=BASELINE_WINDOW_DAYS)
    inside = [(d, v) for d, v in _scores(data, column) if earliest <= d <= index]
    if not inside:
        return None
    day = max(d for d, _ in inside)
    return day, max(v for d, v in inside if d == day)


def stale_baseline(data: PatientData, column: str) -> dt.date | None:
    """The date of the last ``column`` value before the window when there is no baseline.

    None when there is a baseline, or no value at all on or before the index date.
    """
    index = data.index_date
    if index is None or baseline_value(data, column) is not None:
        return None
    before = [d for d, _ in _scores(data, column) if d <= index]
    return max(before) if before else None
