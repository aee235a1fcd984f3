"""Retrospective protocol check: where what was done differed from what the protocol says.

For every visit of every patient the protocol is run on the state *entering* the visit (the
treatment periods as they stood before any change made that day), and its advice is compared
with the dose actually in effect the day after the visit. The result is a registry quality
report, one row per visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from clears.cohort import Cohort, with_optional_columns
from clears.protocol._advise import advise_data
from clears.protocol._definition import ProtocolDefinition
from clears.protocol._dose import regimen_label
from clears.protocol._load import DEFAULT_PROTOCOL, load_protocol
from clears.protocol._patient import PatientData, number, patient_data

__all__ = ["DEVIATION_COLUMNS", "deviations"]

#: Columns of the :func:`deviations` table, in order.
DEVIATION_COLUMNS = (
    "patient_id",
    "visit_date",
    "advised_action",
    "advised_mg_per_day",
    "advised_regimen",
    "actual_mg_per_day",
    "actual_regimen",
    "deviation",
    "rule",
    "reference",
    "protocol",
)
_TOLERANCE = 1e-6


def _entering(data: PatientData, day: dt.date) -> PatientData:
    """The state before any treatment change made on ``day``."""
    cut = data.at(day)
    periods = []
    for period in cut.periods:
        if period["start_date"] == day:
            continue
        if period["end_date"] == day:
            period = {**period, "end_date": None, "end_reason": None}
        periods.append(period)
    return replace(cut, periods=tuple(periods))


def _actual(data: PatientData, day: dt.date) -> tuple[float, str]:
    for period in reversed(data.periods):
        end = period["end_date"]
        if period["start_date"] <= day and (end is None or end >= day):
            return number(period.get("dose_mg_per_day")) or 0.0, regimen_label(period)
    return 0.0, "none"


def deviations(
    cohort: Cohort,
    *,
    protocol: str | ProtocolDefinition = DEFAULT_PROTOCOL,
    only_deviations: bool = False,
    lag_days: int = 1,
) -> pd.DataFrame:
    """Run the protocol over every visit of every patient and compare with what was done.

    Parameters
    ----------
    cohort
        The cohort tables (never modified); absent optional columns read as blank.
    protocol
        A bundled protocol name, a protocol file path or a :class:`ProtocolDefinition`.
    only_deviations
        Keep only the visits where the dose differed.
    lag_days
        The dose "actually given" is the one in effect this many days after the visit.

    Returns
    -------
    pandas.DataFrame
        One row per patient visit with the columns of :data:`DEVIATION_COLUMNS`:
        the advised action, dose (mg/day) and regimen, the actual dose and regimen,
        ``deviation`` (True when the doses differ by more than 1e-6 mg/day), and the rule,
        reference and protocol of the advice.
    """
    definition = protocol if isinstance(protocol, ProtocolDefinition) else load_protocol(protocol)
    # Complete the optional columns once, not once per patient (absent reads as blank).
    cohort = with_optional_columns(cohort)
    rows = []
    last_day = dt.date.max - dt.timedelta(days=1)
    for pid in cohort.patients["patient_id"].astype(str):
        full = patient_data(cohort, pid, last_day, drug=definition.drug)
        for day in sorted({v["visit_date"] for v in full.visits}):
            advice = advise_data(_entering(full, day), definition).dose
            actual_mg, actual_words = _actual(full, day + dt.timedelta(days=lag_days))
            rows.append(
                {
                    "patient_id": pid,
                    "visit_date": pd.Timestamp(day),
                    "advised_action": advice.action,
                    "advised_mg_per_day": round(advice.dose_mg_per_day, 4),
                    "advised_regimen": advice.regimen,
                    "actual_mg_per_day": actual_mg,
                    "actual_regimen": actual_words,
                    "deviation": abs(advice.dose_mg_per_day - actual_mg) > _TOLERANCE,
                    "rule": advice.rule,
                    "reference": advice.reference,
                    "protocol": f"{definition.name} {definition.version}",
                }
            )
    table = pd.DataFrame(rows, columns=list(DEVIATION_COLUMNS))
    if only_deviations:
        table = table.loc[table["deviation"]].reset_index(drop=True)
    return table
