"""Treatment exposure, courses and discontinuation, per patient.

Exposure is the sum of dose-period lengths (``end - start`` days; an ongoing period runs to
the end of follow-up) in patient-years of 365.25 days. A new course starts when a period
begins more than ``course_gap_days`` after the previous one ended; retreatments are courses
after the first. A patient has discontinued when the last period has an end date; the
reason is that period's ``end_reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clears.outcomes._group import group_max
from clears.outcomes._timeline import Timeline

__all__ = ["DAYS_PER_YEAR", "Exposure", "exposure", "period_days"]

Float = npt.NDArray[np.float64]
#: Days per patient-year (Julian year).
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Exposure:
    """Per patient exposure and discontinuation."""

    days: Float
    n_courses: npt.NDArray[np.int64]
    discontinued: npt.NDArray[np.bool_]
    stop_day: Float  # days from index to the end of the last period (NaN if ongoing)
    reason: npt.NDArray[np.object_]
    last_end_day: Float  # days from index to the end of the last period, ongoing filled


def period_days(code: npt.NDArray[np.int64], start: Float, end: Float, n: int) -> Float:
    """Exposure in days of each of ``n`` patients: the sum of ``end - start`` of its periods.

    The one definition of exposure; :func:`exposure` and
    :func:`clears.analysis.exposure_years` both apply it (divide by :data:`DAYS_PER_YEAR`
    for patient-years).

    Examples
    --------
    >>> period_days(np.array([0, 0, 1]), np.array([0.0, 30.0, 5.0]),
    ...             np.array([10.0, 40.0, 6.0]), 2).tolist()
    [20.0, 1.0]
    """
    total = np.zeros(n)
    np.add.at(total, code, end - start)
    return total


def exposure(tl: Timeline, *, course_gap_days: int) -> Exposure:
    """Sum exposure, count courses and read discontinuation."""
    n = tl.n
    total = period_days(tl.p_code, tl.p_start, tl.p_end_filled, n)
    new_course = np.ones(len(tl.p_code), dtype=bool)
    same = tl.p_code[1:] == tl.p_code[:-1]
    new_course[1:] = ~same | (tl.p_start[1:] - tl.p_end_filled[:-1] > course_gap_days)
    courses = np.zeros(n, dtype=np.int64)
    np.add.at(courses, tl.p_code, new_course.astype(np.int64))
    last = np.ones(len(tl.p_code), dtype=bool)
    last[:-1] = ~same
    lc = tl.p_code[last]
    stopped = np.zeros(n, dtype=bool)
    stopped[lc] = ~np.isnan(tl.p_end[last])
    stop_day = np.full(n, np.nan)
    stop_day[lc] = tl.p_end[last] - tl.index_day[lc]
    reason = np.full(n, None, dtype=object)
    reason[lc] = tl.p_reason[last]
    reason[~stopped] = None
    last_end = group_max(tl.p_code, tl.p_end_filled, n) - tl.index_day
    return Exposure(total, courses, stopped, stop_day, reason, last_end)
