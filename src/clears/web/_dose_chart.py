"""The dose timeline of the patient page: treatment periods over time with their mg/day.

Each treatment period (a dose change is a new period) becomes one bar of an inline SVG
drawn by the template: from its start date to its end date (an ongoing period runs to the
page's date), as high as its dose relative to the highest dose of the patient. Only the
geometry is computed here; no JavaScript, no external assets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from clears.registry import Record

__all__ = ["DoseBar", "DoseChart", "dose_timeline"]

#: Height (in chart units) of the bar of a period whose dose was not recorded.
_UNKNOWN_HEIGHT = 4.0


@dataclass(frozen=True, slots=True)
class DoseBar:
    """One treatment period as drawn: dates, dose and the SVG rectangle."""

    drug: str
    start: str
    end: str
    ongoing: bool
    dose_mg_per_day: float | None
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        """What the bar says in words (its tooltip and the line under the chart)."""
        dose = (
            "dose not recorded"
            if self.dose_mg_per_day is None
            else f"{self.dose_mg_per_day:g} mg/day"
        )
        until = f"{self.end} (ongoing)" if self.ongoing else self.end
        return f"{self.drug} {dose}, {self.start} to {until}"


@dataclass(frozen=True, slots=True)
class DoseChart:
    """The bars of every period in a ``width`` x ``height`` box; ``maximum`` is the top of
    the dose axis (mg/day)."""

    bars: tuple[DoseBar, ...]
    maximum: float
    first: str
    last: str
    width: int
    height: int


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return None


def dose_timeline(
    treatments: Sequence[Record], *, as_of: dt.date, width: int = 600, height: int = 120
) -> DoseChart:
    """The dose timeline of one patient's treatment periods.

    Parameters
    ----------
    treatments
        The patient's ``treatments`` records (``start_date``, ``end_date``, ``drug``,
        ``dose_mg_per_day``); periods without a start date are left out.
    as_of
        Where an ongoing period (no ``end_date``) ends on the chart.
    width, height
        The drawing box; time runs left to right from the first start to the last end, and
        dose bottom to top from 0 to the highest recorded dose.

    Examples
    --------
    10 mg/day for January, then 5 mg/day still running on 1 March: 60 days in 600 units
    (10 per day), the first bar full height, the second half.

    >>> rows = [Record("treatments", 1, "P", 1, {"drug": "lenalidomide",
    ...             "start_date": dt.date(2024, 1, 1), "end_date": dt.date(2024, 1, 31),
    ...             "dose_mg_per_day": 10.0}),
    ...         Record("treatments", 2, "P", 1, {"drug": "lenalidomide",
    ...             "start_date": dt.date(2024, 1, 31), "dose_mg_per_day": 5.0})]
    >>> chart = dose_timeline(rows, as_of=dt.date(2024, 3, 1))
    >>> [(b.x, b.width, b.y, b.height) for b in chart.bars]
    [(0.0, 300.0, 0.0, 120.0), (300.0, 300.0, 60.0, 60.0)]
    >>> chart.bars[1].label
    'lenalidomide 5 mg/day, 2024-01-31 to 2024-03-01 (ongoing)'
    """
    periods = []
    for record in treatments:
        start = _day(record.data.get("start_date"))
        if start is None:
            continue
        ended = _day(record.data.get("end_date"))
        end = max(ended if ended is not None else as_of, start)
        raw = record.data.get("dose_mg_per_day")
        dose = None if raw is None else float(raw)
        periods.append((start, end, ended is None, str(record.data.get("drug") or "?"), dose))
    if not periods:
        return DoseChart((), 0.0, "", "", width, height)
    periods.sort(key=lambda p: (p[0], p[1]))
    first = min(p[0] for p in periods)
    last = max(p[1] for p in periods)
    span = max((last - first).days, 1)
    doses = [p[4] for p in periods if p[4] is not None and p[4] > 0]
    top = max(doses, default=1.0)
    bars = []
    for start, end, ongoing, drug, dose in periods:
        tall = _UNKNOWN_HEIGHT if dose is None else height * dose / top
        bars.append(
            DoseBar(
                drug=drug,
                start=start.isoformat(),
                end=end.isoformat(),
                ongoing=ongoing,
                dose_mg_per_day=dose,
                x=round(width * (start - first).days / span, 1),
                y=round(height - tall, 1),
                width=max(round(width * (end - start).days / span, 1), 1.0),
                height=round(tall, 1),
            )
        )
    return DoseChart(tuple(bars), top, first.isoformat(), last.isoformat(), width, height)
