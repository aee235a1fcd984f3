"""Build small synthetic cohorts by hand (no patient data)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from clears import InputError, Problem
from clears.cohort import REQUIRED_COLUMNS, Cohort
from clears.outcomes import derive

DATES = {
    "treatments": ("start_date", "end_date"),
    "visits": ("visit_date",),
    "adverse_events": ("onset_date", "end_date"),
    "flares": ("flare_date",),
}


def _frame(table: str, rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=None if rows else list(REQUIRED_COLUMNS[table]))
    for column in REQUIRED_COLUMNS[table]:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype=object)
    for column in DATES.get(table, ()):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
    frame["patient_id"] = frame["patient_id"].astype(str)
    return frame


def cohort(
    treatments: Sequence[dict[str, object]],
    visits: Sequence[dict[str, object]],
    *,
    patients: Sequence[dict[str, object]] | None = None,
    flares: Sequence[dict[str, object]] = (),
) -> Cohort:
    """A cohort from row dicts; patients default to every id in treatments, centre A."""
    if patients is None:
        ids = sorted({str(r["patient_id"]) for r in treatments})
        patients = [{"patient_id": i, "centre": "A"} for i in ids]
    return Cohort(
        patients=_frame("patients", patients),
        treatments=_frame("treatments", [{"drug": "lenalidomide", **r} for r in treatments]),
        visits=_frame("visits", visits),
        adverse_events=_frame("adverse_events", []),
        flares=_frame("flares", flares),
        source="synthetic",
    )


def period(
    pid: str, start: str, end: str | None, dose: float, reason: str | None = None
) -> dict[str, object]:
    return {
        "patient_id": pid,
        "start_date": start,
        "end_date": end,
        "dose_mg_per_day": dose,
        "end_reason": reason,
    }


def visit(pid: str, date: str, clasi: float | None) -> dict[str, object]:
    return {"patient_id": pid, "visit_date": date, "clasi_a": clasi}


def first_refusal(c: Cohort, presets: Sequence[str] = ("aitmehdi2021",)) -> Problem:
    """The first problem :func:`clears.outcomes.derive` refuses ``c`` with."""
    with pytest.raises(InputError) as info:
        derive(c, list(presets))
    return info.value.problems[0]
